// A problem file as a person would write it: one field a line, one matrix row a line, numbers as they are.
export function formatProblem(problem: Readonly<Record<string, unknown>>): string {
  return `${format(problem, '')}\n`;
}

function format(value: unknown, indent: string): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    // A row of numbers stays on one line; an array of rows (or of matrices) puts each on its own.
    if (value.every((v) => !Array.isArray(v))) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    return `[\n${value.map((v) => `${inner}${format(v, inner)}`).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    // A small object of scalars ({"type": "sgd", "lr": 0.01}) stays on one line.
    if (entries.every(([, v]) => v === null || typeof v !== 'object' || (Array.isArray(v) && v.every((x) => !Array.isArray(x))))) {
      if (indent !== '') return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${format(v, inner)}`).join(', ')}}`;
    }
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${format(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
