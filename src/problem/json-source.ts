// A strict JSON reader that keeps every number as the text it was written in, so that 0.01 means
// 1/100 and not the double nearest to it (JSON.parse would round first). It also refuses duplicate keys.

/** A JSON number as written in the source. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [key: string]: JsonValue };

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`line ${line}, column ${column}: ${message}`);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const KEYWORDS = [['true', true], ['false', false], ['null', null]] as const;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export function parseJsonSource(source: string): JsonValue {
  let pos = 0;

  const fail = (message: string, at = pos): never => {
    const before = source.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new JsonSyntaxError(message, line, column);
  };
  // Space, tab, line feed, carriage return: JSON's whitespace.
  const skipSpace = () => {
    for (let c = source.charCodeAt(pos); c === 32 || c === 9 || c === 10 || c === 13; c = source.charCodeAt(++pos));
  };
  const describe = (at: number) => (at >= source.length ? 'the end of the input' : JSON.stringify(source[at]));
  const expect = (char: string) => {
    if (source[pos] !== char) fail(`expected ${JSON.stringify(char)}, found ${describe(pos)}`);
    pos++;
  };

  const readString = (): string => {
    expect('"');
    let out = '';
    for (;;) {
      if (pos >= source.length) fail('unterminated string');
      const char = source[pos++];
      if (char === '"') return out;
      if (char === '\\') {
        const esc = source[pos++];
        if (esc === 'u') {
          const hex = source.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape', pos - 2);
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
        } else if (esc !== undefined && esc in ESCAPES) out += ESCAPES[esc];
        else fail(`invalid escape \\${esc ?? ''}`, pos - 2);
      } else if (char < ' ') fail('control character in string', pos - 1);
      else out += char;
    }
  };

  const readValue = (depth: number): JsonValue => {
    if (depth > 64) fail('nesting deeper than 64 levels');
    skipSpace();
    const char = source[pos];
    if (char === '{') {
      pos++;
      const object: { [key: string]: JsonValue } = Object.create(null);
      skipSpace();
      if (source[pos] === '}') { pos++; return object; }
      for (;;) {
        skipSpace();
        const keyAt = pos;
        const key = readString();
        if (Object.prototype.hasOwnProperty.call(object, key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
        skipSpace();
        expect(':');
        object[key] = readValue(depth + 1);
        skipSpace();
        if (source[pos] === ',') { pos++; continue; }
        expect('}');
        return object;
      }
    }
    if (char === '[') {
      pos++;
      const array: JsonValue[] = [];
      skipSpace();
      if (source[pos] === ']') { pos++; return array; }
      for (;;) {
        array.push(readValue(depth + 1));
        skipSpace();
        if (source[pos] === ',') { pos++; continue; }
        expect(']');
        return array;
      }
    }
    if (char === '"') return readString();
    if (char === '-' || (char >= '0' && char <= '9')) {
      NUMBER.lastIndex = pos;
      const match = NUMBER.exec(source);
      if (match) { pos += match[0].length; return new JsonNumber(match[0]); }
    }
    for (const [word, value] of KEYWORDS) {
      if (source.startsWith(word, pos)) { pos += word.length; return value; }
    }
    return fail(`unexpected ${describe(pos)}`);
  };

  const value = readValue(0);
  skipSpace();
  if (pos < source.length) fail(`unexpected ${describe(pos)} after the value`);
  return value;
}
