// A sentence from the strings table, cut into plain text and math: "$…$" is math, "{name}" a parameter,
// "{name|row|rows}" the singular or plural word for the count in the parameter name.
import type { Text } from '../derivation/step.js';
import type { Strings } from '../strings/strings.js';

export type Segment = { readonly kind: 'text'; readonly value: string } | { readonly kind: 'math'; readonly value: string };

export function segments(text: Text, strings: Strings): Segment[] {
  const template = strings[text.key];
  const out: Segment[] = [];
  template.split('$').forEach((part, index) => {
    if (index % 2 === 1) {
      out.push({ kind: 'math', value: part });
      return;
    }
    // {name} placeholders live in the plain text between math; {name|one|other} is the word for the count name.
    part.split(/(\{[a-zA-Z]+(?:\|[^|{}]*\|[^|{}]*)?\})/).forEach((piece) => {
      const [, name, one, other] = /^\{([a-zA-Z]+)(?:\|([^|{}]*)\|([^|{}]*))?\}$/.exec(piece) ?? [];
      if (name === undefined) {
        if (piece !== '') out.push({ kind: 'text', value: piece });
        return;
      }
      const param = text.params?.[name];
      // A sentence with a hole in it ("times ¼ from the :") is a bug: refuse it rather than print it.
      if (param === undefined) throw new Error(`internal error: string ${text.key} needs {${name}}`);
      const filled = 'math' in param ? param.math : 'word' in param ? strings[param.word] : param.text;
      if (filled === undefined || filled.trim() === '') throw new Error(`internal error: string ${text.key} was given an empty {${name}}`);
      if (one !== undefined) out.push({ kind: 'text', value: 'math' in param && Number(param.math) === 1 ? one : other });
      else out.push('math' in param ? { kind: 'math', value: filled } : { kind: 'text', value: filled });
    });
  });
  return out;
}

/** A sentence with its parameters filled in, as plain text (math kept as its LaTeX source). */
export function plainText(text: Text, strings: Strings): string {
  return segments(text, strings).map((s) => s.value).join('');
}
