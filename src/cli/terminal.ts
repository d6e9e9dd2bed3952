// Text for a terminal. A message may quote a file name or a problem's text; shown raw, a control
// character in it could move the cursor, recolour the screen or rewrite the line before it, and a
// bidirectional override could reorder what the reader sees. Each is shown as its \u{…} escape
// instead; line breaks (convgrad's own) and tabs stay.
const UNSAFE_CHARACTERS = '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE = new RegExp(`[${UNSAFE_CHARACTERS}]`, 'g');
const ANY_UNSAFE = new RegExp(`[\\n\\t${UNSAFE_CHARACTERS}]`);

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/** A name a user gave (a file, a folder) as a message shows it: as written, or quoted with escapes where it has a line break or a control character. */
export function shownName(name: string): string {
  return ANY_UNSAFE.test(name) ? JSON.stringify(name) : name;
}
