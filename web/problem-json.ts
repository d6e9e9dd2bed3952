// The problem as the page edits it: plain JSON (the file format of problem-format.md), its tensors
// seen as 4-D, the URL's #problem= encoding, and the text written for the raw-JSON editor.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type ProblemJson = { [key: string]: Json };

/** #problem=<base64url of the UTF-8 JSON>&lang=zh */
export function encodeHash(source: string, language: string): string {
  const bytes = new TextEncoder().encode(source);
  let binary = '';
  for (let k = 0; k < bytes.length; k += 0x8000) binary += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
  const encoded = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `#problem=${encoded}${language === 'en' ? '' : `&lang=${language}`}`;
}

export interface HashState {
  /** The problem's text, or an error when the hash holds no readable problem. */
  readonly source?: string;
  readonly error?: string;
  readonly language?: string;
}

export function decodeHash(hash: string): HashState {
  const params = new Map<string, string>();
  for (const part of hash.replace(/^#/, '').split('&')) {
    const at = part.indexOf('=');
    if (at > 0) params.set(part.slice(0, at), part.slice(at + 1));
  }
  const language = params.get('lang');
  const encoded = params.get('problem');
  if (encoded === undefined) return language === undefined ? {} : { language };
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(encoded)) throw new Error('not base64url');
    const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const source = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return language === undefined ? { source } : { source, language };
  } catch {
    const error = '#problem=: not a problem written as base64url UTF-8 JSON';
    return language === undefined ? { error } : { error, language };
  }
}

/** JSON as a person writes a problem: one field a line, each row of a matrix on one line. */
export function formatProblem(value: Json, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.every((v) => !Array.isArray(v) && (v === null || typeof v !== 'object'))) return `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    if (value.every((v) => Array.isArray(v) && v.every((w) => !Array.isArray(w) && (w === null || typeof w !== 'object')))) {
      return `[${value.map((v) => formatProblem(v, indent)).join(', ')}]`.length <= 72 ? `[${value.map((v) => formatProblem(v, indent)).join(', ')}]` : `[\n${value.map((v) => `${indent}  ${formatProblem(v, `${indent}  `)}`).join(',\n')}\n${indent}]`;
    }
    return `[\n${value.map((v) => `${indent}  ${formatProblem(v, `${indent}  `)}`).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const inline = `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`;
    if (indent !== '' && inline.length <= 72) return inline;
    return `{\n${entries.map(([k, v]) => `${indent}  ${JSON.stringify(k)}: ${formatProblem(v, `${indent}  `)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** The raw text for a problem: as a person writes it. */
export function problemText(problem: ProblemJson): string {
  return `${formatProblem(problem)}\n`;
}

/** How deep an array nests (a number: 0). */
export function depth(value: Json | undefined): number {
  let d = 0;
  let v = value;
  while (Array.isArray(v)) {
    d++;
    v = v[0];
  }
  return d;
}

/** A tensor of the file as [N][C][H][W] (an input) or [C_out][C_in][kh][kw] (a kernel), by reference. */
export function as4d(value: Json | undefined): Json[][][][] | undefined {
  const d = depth(value);
  if (!Array.isArray(value) || d < 2 || d > 4) return undefined;
  if (d === 2) return [[value as Json[][]]] as Json[][][][];
  if (d === 3) return [value as Json[][][]] as Json[][][][];
  return value as Json[][][][];
}

/** A JSON object (not an array, not null): a problem, a layer, an optimizer's settings. */
export const isObject = (value: Json | undefined): value is { [key: string]: Json } => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The dimensions of a nested array, following first entries (a number: []). */
export function shapeOf(value: Json | undefined): number[] {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  return shape;
}

export function deepCopy<T extends Json>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export const pair = (value: Json | undefined, fallback: number): [number, number] => {
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'number' && typeof value[1] === 'number') return [value[0], value[1]];
  return [fallback, fallback];
};
