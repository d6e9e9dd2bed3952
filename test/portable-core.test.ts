// The core (problem → model → trajectory → derivation → rendering) imports nothing from Node, so that it
// runs in a browser page as it does here; only the command line and the engines that run other programs do.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');
const SHELL = ['cli', 'engines'];
const NODE_MODULES = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function sources(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return SHELL.includes(relative(SRC, path)) ? [] : sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** What a file imports and which of Node's globals it reads. */
function nodeUses(text: string): string[] {
  const imported = [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]).filter((m) => NODE_MODULES.has(m));
  const globals = [...text.matchAll(/\b(process|Buffer|__dirname|__filename|require)\s*[.(]/g)].map((m) => m[1]);
  return [...imported, ...globals];
}

describe('the core', () => {
  const files = sources(SRC);
  it('is found (the walk sees the folders it should)', () => {
    const folders = new Set(files.map((f) => relative(SRC, f).split('/')[0]));
    for (const folder of ['problem', 'model', 'trajectory', 'derivation', 'render', 'strings']) expect(folders).toContain(folder);
    expect(folders).not.toContain('cli');
  });
  it.each(files.map((f) => [relative(SRC, f)]))('%s imports nothing from Node', (file) => {
    expect(nodeUses(readFileSync(join(SRC, file), 'utf8'))).toEqual([]);
  });
  it('the check itself sees a Node import and a global', () => {
    expect(nodeUses("import { readFileSync } from 'node:fs';\nconst x = process.env;")).toEqual(['node:fs', 'process']);
  });
});
