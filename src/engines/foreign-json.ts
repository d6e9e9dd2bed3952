// What another engine writes, read as it writes it: JSON, where Python's json.dump puts the bare
// tokens NaN, Infinity and -Infinity for values that are no finite double. They are read as those
// numbers, so that a report can name the entry that holds one instead of refusing the whole file.
import { JsonNumber, JsonSyntaxError, parseJsonSource, type JsonValue } from '../problem/json-source.js';

const NON_FINITE_TOKEN = /-?Infinity|NaN/y;

/** Plain JavaScript values: numbers as doubles (NaN and ±Infinity among them, bare or as those strings), strings, arrays, objects. */
export function readForeignJson(text: string): unknown {
  // Quote the bare tokens outside strings ("NaN"), remembering where, to read the rest as strict JSON.
  let quoted = '';
  const insertions: number[] = [];
  for (let pos = 0; pos < text.length; ) {
    if (text[pos] === '"') {
      const end = stringEnd(text, pos);
      quoted += text.slice(pos, end);
      pos = end;
      continue;
    }
    NON_FINITE_TOKEN.lastIndex = pos;
    const token = NON_FINITE_TOKEN.exec(text);
    if (token) {
      insertions.push(quoted.length, quoted.length + token[0].length + 1);
      quoted += `"${token[0]}"`;
      pos += token[0].length;
    } else quoted += text[pos++];
  }
  try {
    return plain(parseJsonSource(quoted));
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    // The position in the quoted text, less the quotes added before it, is the position in the file.
    const lines = quoted.split('\n');
    const at = lines.slice(0, error.line - 1).reduce((n, line) => n + line.length + 1, 0) + error.column - 1;
    const original = at - insertions.filter((i) => i < at).length;
    const before = text.slice(0, original);
    const line = before.split('\n').length;
    const column = original - before.lastIndexOf('\n');
    throw new JsonSyntaxError(error.message.replace(/^line \d+, column \d+: /, ''), line, column);
  }
}

/** Just past the closing quote of the string that opens at `start` (or the end of the text). */
function stringEnd(text: string, start: number): number {
  let pos = start + 1;
  while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
  return Math.min(pos + 1, text.length);
}

function plain(value: JsonValue): unknown {
  if (value instanceof JsonNumber) return Number(value.text);
  if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/** How a value reads in a message: strings quoted, numbers as numbers, arrays and objects by kind. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
