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

/**
 * A network problem as the examples write one: one field a line, the input one matrix row a line, one
 * layer a line, and the small settings on one line.
 */
export function formatNetworkProblem(problem: Readonly<Record<string, unknown>>): string {
  const fields = Object.entries(problem).map(([k, v]) => {
    const value = k === 'layers' && Array.isArray(v) ? `[\n${v.map((layer) => `    ${inline(layer)}`).join(',\n')}\n  ]` : k === 'input' ? format(v, '  ') : inline(v);
    return `  ${JSON.stringify(k)}: ${value}`;
  });
  return `{\n${fields.join(',\n')}\n}\n`;
}

/** A value on one line, with a space after each comma and colon. */
function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(', ')}}`;
  return JSON.stringify(value);
}
