// A sentence from the strings table, cut into plain text and math: "$…$" is math, "{name}" a parameter.
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
    // {name} placeholders live in the plain text between math.
    part.split(/(\{[a-zA-Z]+\})/).forEach((piece) => {
      const name = /^\{([a-zA-Z]+)\}$/.exec(piece)?.[1];
      if (name === undefined) {
        if (piece !== '') out.push({ kind: 'text', value: piece });
        return;
      }
      const param = text.params?.[name];
      if (param === undefined) throw new Error(`internal error: string ${text.key} needs {${name}}`);
      out.push('math' in param ? { kind: 'math', value: param.math } : { kind: 'text', value: 'word' in param ? strings[param.word] : param.text });
    });
  });
  return out;
}

/** A sentence with its parameters filled in, as plain text (math kept as its LaTeX source). */
export function plainText(text: Text, strings: Strings): string {
  return segments(text, strings).map((s) => s.value).join('');
}
