// The seed's outputs are kept in output/ and must come out byte for byte the same.
// After an intended change: npm run golden, then read the diff before committing it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/run-cli.js';

const OUTPUT = fileURLToPath(new URL('../output/', import.meta.url));
/** The Markdown's figures, SVG files beside it. */
const figures = (stem: string) => [1, 2, 3, 4].map((n) => `${stem}.figure-${n}.svg`);

describe.each([
  ['en', ['derive'], ['seed.tex', 'seed.html', 'seed.md', 'seed.json', ...figures('seed')]],
  ['zh', ['derive', '--lang', 'zh', '--format', 'tex,html,md'], ['seed.zh.tex', 'seed.zh.html', 'seed.zh.md', ...figures('seed.zh')]],
])('golden outputs (%s)', (_, argv, files) => {
  it.each(files)('%s is unchanged', async (file) => {
    const run = await runCli(argv);
    expect(run.status).toBe(0);
    const fresh = readFileSync(join(run.cwd, 'output', file));
    const kept = readFileSync(join(OUTPUT, file));
    // Compare as text first for a readable diff, then as bytes.
    expect(fresh.toString('utf8')).toBe(kept.toString('utf8'));
    expect(fresh.equals(kept)).toBe(true);
  });

  it('is deterministic: the same problem gives the same bytes twice', async () => {
    const [a, b] = [await runCli(argv), await runCli(argv)];
    for (const file of files) expect(readFileSync(join(a.cwd, 'output', file)).equals(readFileSync(join(b.cwd, 'output', file)))).toBe(true);
  });
});
