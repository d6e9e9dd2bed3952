// The files in templates/, filled in one pass: {{name}} takes a value the renderer has already escaped.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root: the nearest folder above this file with a package.json (src/ and dist/ alike). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('internal error: package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

const cache = new Map<string, string>();

export function readTemplate(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(packageRoot(), 'templates', name), 'utf8');
    cache.set(name, text);
  }
  return text;
}

export function fillTemplate(name: string, values: Readonly<Record<string, string>>): string {
  return readTemplate(name).replace(/\{\{([a-zA-Z]+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`internal error: template ${name} needs {{${key}}}`);
    return value;
  });
}
