// The files in templates/, filled in one pass: {{name}} takes a value the renderer has already escaped.
import { TEMPLATES } from './assets.generated.js';

export function readTemplate(name: string): string {
  const text = TEMPLATES[name];
  if (text === undefined) throw new Error(`internal error: no template ${name}`);
  return text;
}

export function fillTemplate(name: string, values: Readonly<Record<string, string>>): string {
  return fillText(readTemplate(name), values, name);
}

/** A part of template `name`, filled. */
export function fillText(text: string, values: Readonly<Record<string, string>>, name: string): string {
  return text.replace(/\{\{([a-zA-Z]+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`internal error: template ${name} needs {{${key}}}`);
    return value;
  });
}
