// Where convgrad writes, a file system may hold traps: links to the problem file, links out of the
// output folder, a folder or a device where a file goes. Every output is written all or nothing, never
// over an input (compared by device and inode), never through a link. Also what the command line
// takes strictly (numbers in options), what it prints safely (control characters in names), and the
// status when its output cannot be written.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEED_PROBLEM_SOURCE } from '../src/problem/seed.js';
import { runCli, tempDir } from './helpers/run-cli.js';
import { pdflatex, xelatex } from './helpers/tools.js';

const BIN = fileURLToPath(new URL('../bin/convgrad.js', import.meta.url));

describe('writes that cannot clobber', () => {
  it('refuses --out that is a link to the problem file\'s folder, by identity', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'seed.json'), SEED_PROBLEM_SOURCE);
    symlinkSync(cwd, join(cwd, 'alias'));
    const run = await runCli(['derive', 'seed.json', '--out', 'alias'], { cwd });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('convgrad: --out: writing alias/seed.json would overwrite the problem file; choose another --out\n');
    expect(readFileSync(join(cwd, 'seed.json'), 'utf8')).toBe(SEED_PROBLEM_SOURCE);
    expect(readdirSync(cwd).sort()).toEqual(['alias', 'seed.json']);
  });

  it('refuses to write over a hard link to the problem file', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'problem.json'), SEED_PROBLEM_SOURCE);
    mkdirSync(join(cwd, 'out'));
    linkSync(join(cwd, 'problem.json'), join(cwd, 'out', 'problem.json'));
    const run = await runCli(['derive', 'problem.json', '--out', 'out'], { cwd });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/would overwrite the problem file/);
    expect(readFileSync(join(cwd, 'problem.json'), 'utf8')).toBe(SEED_PROBLEM_SOURCE);
    expect(readdirSync(join(cwd, 'out'))).toEqual(['problem.json']);
  });

  it('refuses a problem that is a link into --out, where its result would go', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'out'));
    writeFileSync(join(cwd, 'out', 'p.json'), SEED_PROBLEM_SOURCE);
    symlinkSync(join(cwd, 'out', 'p.json'), join(cwd, 'p.json'));
    const run = await runCli(['derive', 'p.json', '--out', 'out'], { cwd });
    expect(run.status).toBe(2);
    expect(readFileSync(join(cwd, 'out', 'p.json'), 'utf8')).toBe(SEED_PROBLEM_SOURCE);
  });

  it('replaces a link in the output folder with the file, and never writes through it', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'precious.txt'), 'keep me');
    mkdirSync(join(cwd, 'out'));
    symlinkSync(join(cwd, 'precious.txt'), join(cwd, 'out', 'seed.tex'));
    const run = await runCli(['derive', '--out', 'out'], { cwd });
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'precious.txt'), 'utf8')).toBe('keep me');
    expect(lstatSync(join(cwd, 'out', 'seed.tex')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(cwd, 'out', 'seed.tex'), 'utf8')).toContain('\\documentclass');
  });

  it('writes nothing at all when one output cannot be written (a folder where seed.md goes)', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'out', 'seed.md'), { recursive: true });
    const run = await runCli(['derive', '--out', 'out'], { cwd });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('convgrad: --out: out/seed.md is a folder; convgrad writes a file there\n');
    expect(readdirSync(join(cwd, 'out'))).toEqual(['seed.md']);
  });

  it('writes nothing, and leaves no temporary file, when the folder refuses writing', async () => {
    if (process.getuid?.() === 0) return; // root writes anywhere: a read-only folder proves nothing
    const cwd = tempDir();
    mkdirSync(join(cwd, 'out'));
    chmodSync(join(cwd, 'out'), 0o500);
    const run = await runCli(['derive', '--out', 'out'], { cwd });
    expect(run.status).toBe(2);
    expect(readdirSync(join(cwd, 'out'))).toEqual([]);
  });

  it.each([
    ['a file', (cwd: string) => writeFileSync(join(cwd, 'taken'), 'x'), 'taken', 'convgrad: --out: taken is not a folder\n'],
    ['/dev/null', () => undefined, '/dev/null', 'convgrad: --out: /dev/null is not a folder\n'],
    ['a folder under /proc', () => undefined, '/proc/x', /^convgrad: --out: cannot make the folder \/proc\/x \(/],
  ] as const)('refuses --out that is %s, with status 2', async (_, make, out, message) => {
    const cwd = tempDir();
    make(cwd);
    const run = await runCli(['derive', '--out', out], { cwd });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it('never writes through a link where a problem\'s or a case\'s folder goes', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'elsewhere'));
    writeFileSync(join(cwd, 'elsewhere', 'problem.json'), 'KEEP');
    writeFileSync(join(cwd, 'p.json'), SEED_PROBLEM_SOURCE);
    mkdirSync(join(cwd, 'vectors'));
    symlinkSync(join(cwd, 'elsewhere'), join(cwd, 'vectors', 'p'));
    const vectors = await runCli(['vectors', 'p.json', '--out', 'vectors'], { cwd });
    expect(vectors.status).toBe(2);
    expect(vectors.stderr).toBe('convgrad: --out: vectors/p is a link; convgrad writes into a folder of its own there, and follows no link out of --out\n');
    mkdirSync(join(cwd, 'cases'));
    symlinkSync(join(cwd, 'elsewhere'), join(cwd, 'cases', 'case-0001'));
    const cases = await runCli(['cases', '--count', '2', '--out', 'cases'], { cwd });
    expect(cases.status).toBe(2);
    expect(readdirSync(join(cwd, 'elsewhere'))).toEqual(['problem.json']);
    expect(readFileSync(join(cwd, 'elsewhere', 'problem.json'), 'utf8')).toBe('KEEP');
  });

  it('never writes over the file standard input reads', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'out'));
    writeFileSync(join(cwd, 'out', 'problem.json'), SEED_PROBLEM_SOURCE);
    const run = spawnSync('bash', ['-c', `"${process.execPath}" "${BIN}" derive - --out out --format json < out/problem.json`], { cwd, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('convgrad: --out: writing out/problem.json would overwrite the problem file; choose another --out\n');
    expect(readFileSync(join(cwd, 'out', 'problem.json'), 'utf8')).toBe(SEED_PROBLEM_SOURCE);
  });

  it('refuses a named pipe as a file instead of waiting on it', async () => {
    const cwd = tempDir();
    expect(spawnSync('mkfifo', [join(cwd, 'pipe.json')]).status).toBe(0);
    const run = await runCli(['derive', 'pipe.json'], { cwd });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('convgrad: pipe.json: is a named pipe, not a file\n');
  });

  it('takes a file name as long as the file system allows, its outputs named after its first 100 characters', async () => {
    const cwd = tempDir();
    const name = `${'p'.repeat(240)}.json`;
    writeFileSync(join(cwd, name), SEED_PROBLEM_SOURCE);
    const run = await runCli(['derive', name, '--out', 'out'], { cwd });
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(join(cwd, 'out'))).toContain(`${'p'.repeat(100)}.tex`);
  });

  it('gives every problem of vectors its own folder, named safely, a second of one name with -2', async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, 'a'));
    mkdirSync(join(cwd, 'b'));
    writeFileSync(join(cwd, '...json'), SEED_PROBLEM_SOURCE);
    writeFileSync(join(cwd, 'a', 'p.json'), SEED_PROBLEM_SOURCE);
    writeFileSync(join(cwd, 'b', 'p.json'), SEED_PROBLEM_SOURCE);
    const run = await runCli(['vectors', '...json', 'a/p.json', 'b/p.json', '--out', 'vectors'], { cwd });
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(join(cwd, 'vectors')).sort()).toEqual(['p', 'p-2', 'problem']);
    expect(readdirSync(cwd).sort()).toEqual(['...json', 'a', 'b', 'vectors']);
  });
});

describe('the command line reads and prints strictly', () => {
  it.each([
    [['compare', '-', '--with', 'x.json', '--rtol', ''], '--rtol: expected a number ≥ 0, got ""'],
    [['compare', '-', '--with', 'x.json', '--atol', '0x10'], '--atol: expected a number ≥ 0, got "0x10"'],
    [['quiz', '--count', '0x10'], '--count: expected an integer from 1 to 200, got "0x10"'],
    [['quiz', '--count', '1e2'], '--count: expected an integer from 1 to 200, got "1e2"'],
    [['quiz', '--count', ' 3'], '--count: expected an integer from 1 to 200, got " 3"'],
    [['quiz', '--seed', '-1'], '--seed: expected an integer from 0 to 999999999, got "-1"'],
    [['quiz', '--format', 'json'], '--format: the exercises are documents; choose from tex, html, md, pdf'],
    [['compare', '-', '--with', 'x.json', '--rtol', '1e999'], '--rtol: expected a number ≥ 0, got "1e999"'],
  ])('%j is refused', async (argv, message) => {
    const run = await runCli(argv, { stdin: SEED_PROBLEM_SOURCE });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`convgrad: ${message}\n`);
  });

  it('shows control characters in names escaped, never raw on the terminal', async () => {
    const cwd = tempDir();
    const name = 'evil\u001b[2J\u001b]0;title\u0007\u202e.json';
    writeFileSync(join(cwd, name), '{"input": 1}');
    const run = await runCli(['derive', name], { cwd });
    expect(run.status).toBe(2);
    expect(run.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
    expect(run.stderr).toContain('evil\\u001b[2J');
  });

  it('shows another engine\'s field names, file names and .npy headers escaped on standard output', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'p.json'), SEED_PROBLEM_SOURCE);
    writeFileSync(join(cwd, 'doc.json'), JSON.stringify({ 'x\nFAKE: every quantity agrees\r\u001b[31m': 1 }));
    const withDoc = await runCli(['compare', 'p.json', '--with', 'doc.json'], { cwd });
    expect(withDoc.status).toBe(1);
    mkdirSync(join(cwd, 'npy'));
    const header = "{'descr': '<f8', 'fortran_order': False, 'shape': (), '\u001b[2J': 1, }";
    writeFileSync(join(cwd, 'npy', 'loss.npy'), Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from([header.length + 1, 0]), Buffer.from(`${header}\n`, 'latin1'), Buffer.alloc(8)]));
    writeFileSync(join(cwd, 'npy', 'x\u001b[31mRED\nFAKE.npy'), '');
    const withVectors = await runCli(['compare', 'p.json', '--vectors', 'npy'], { cwd });
    expect(withVectors.status).toBe(1);
    for (const out of [withDoc.stdout, withVectors.stdout]) expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]|\nFAKE/);
    expect(withDoc.stdout).toContain('x\\nFAKE');
    expect(withVectors.stdout).toContain('a .npy header numpy did not write');
  });

  it('reads a title as one line of plain text', async () => {
    const titled = (title: string) => runCli(['derive', '-', '--format', 'md'], { stdin: JSON.stringify({ ...JSON.parse(SEED_PROBLEM_SOURCE), title }) });
    expect((await titled('a\rb')).stderr).toBe('convgrad: <stdin>: title: contains the control character U+000D at character 2; a title is plain text\n');
    expect((await titled('a\u202eb')).stderr).toBe('convgrad: <stdin>: title: contains the bidirectional control U+202E at character 2; a title is plain text\n');
    const lines = await titled('one\ntwo\tthree\u2028four');
    expect(lines.status).toBe(0);
    expect(readFileSync(join(lines.cwd, 'output', 'problem.md'), 'utf8')).toMatch(/^# one two three four\n/);
  });

  it('refuses a field name of megabytes quickly, and quotes only its beginning', async () => {
    const run = await runCli(['derive', '-'], { stdin: `{${JSON.stringify('k'.repeat(3_000_000))}: 1, "input": [[1]], "kernel": [[1]], "target": 1}` });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`convgrad: <stdin>: ${'k'.repeat(40)}…: unknown field; the fields are title, input, kernel, bias, stride, padding, padding_mode, dilation, groups, activation, negative_slope, pool, head, loss, beta, delta, reduction, target, optimizer, steps\n`);
  });

  it('says how many more mistakes there are past twenty', async () => {
    const keys = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 1]));
    const run = await runCli(['derive', '-'], { stdin: JSON.stringify({ ...JSON.parse(SEED_PROBLEM_SOURCE), ...keys }) });
    expect(run.status).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe('convgrad: <stdin>: and 80 more mistakes like these');
    const many = await runCli(['derive', '-'], { stdin: JSON.stringify({ input: Array.from({ length: 30 }, () => ['a']), kernel: [[1]], target: 1 }) });
    expect(many.stderr.trim().split('\n').at(-1)).toBe('convgrad: <stdin>: and 10 more mistakes like these');
  });

  it('exits 1, saying so, when standard output is closed or its reader goes away', () => {
    const node = `"${process.execPath}" "${BIN}"`;
    const closed = spawnSync('bash', ['-c', `${node} derive --json >&-`], { encoding: 'utf8' });
    expect(closed.status).toBe(1);
    expect(closed.stderr).toBe('convgrad: standard output is closed; what convgrad wrote there is lost\n');
    // A result larger than a pipe's buffer, to a reader that stops after one byte.
    const cwd = tempDir();
    const grid = Array.from({ length: 100 }, (_, i) => Array.from({ length: 100 }, (__, j) => (i * j) % 7));
    writeFileSync(join(cwd, 'big.json'), JSON.stringify({ input: grid, kernel: [[1, 2], [3, 4]], target: 1 }));
    const gone = spawnSync('bash', ['-c', `set -o pipefail; ${node} derive big.json --json | head -c 1 > /dev/null`], { cwd, encoding: 'utf8' });
    expect(gone.status).toBe(1);
    expect(gone.stderr).toBe('convgrad: standard output was closed by its reader; what convgrad wrote there is lost\n');
    // Sent to /dev/null on purpose: a success.
    expect(spawnSync('bash', ['-c', `${node} derive --json > /dev/null`]).status).toBe(0);
  });
});

describe.skipIf(!pdflatex().available || !xelatex().available)('PDFs, the same bytes every time', () => {
  it('derive and quiz, pdflatex and xelatex', async () => {
    const cwd = tempDir();
    for (const out of ['one', 'two']) {
      expect((await runCli(['derive', '--format', 'pdf', '--out', out], { cwd })).status).toBe(0);
      expect((await runCli(['derive', '--format', 'pdf', '--lang', 'zh', '--out', out], { cwd })).status).toBe(0);
      expect((await runCli(['quiz', '--count', '1', '--format', 'pdf', '--out', out], { cwd })).status).toBe(0);
    }
    for (const file of ['seed.pdf', 'seed.zh.pdf', 'answers.pdf', 'exercises.pdf']) {
      expect(readFileSync(join(cwd, 'one', file)).equals(readFileSync(join(cwd, 'two', file))), file).toBe(true);
    }
    expect(readFileSync(join(cwd, 'one', 'seed.pdf')).toString('latin1')).toContain('/CreationDate (D:20000101000000Z)');
  }, 120_000);

  it('a title in any script is typeset in the English PDF, by xelatex where pdflatex cannot', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'titled.json'), JSON.stringify({ ...JSON.parse(SEED_PROBLEM_SOURCE), title: 'Ω ∑ 卷积 😀 שלום \u200b end' }));
    const run = await runCli(['derive', 'titled.json', '--format', 'pdf'], { cwd });
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(cwd, 'output', 'titled.tex'), 'utf8')).toMatch(/^% !TEX program = xelatex\n/);
    const text = spawnSync('pdftotext', [join(cwd, 'output', 'titled.pdf'), '-'], { encoding: 'utf8' }).stdout;
    for (const part of ['Ω', '∑', '卷积', 'end']) expect(text).toContain(part);
  }, 120_000);

  it('a title in Devanagari, Thai, Tamil, Ethiopic or Latin Extended-B keeps every glyph, and TeX ligatures do not merge what was typed', async () => {
    const cwd = tempDir();
    const title = 'नमस्ते สวัสดี வணக்கம் ሰላም ƀǅȘțɐ x--y ,,a';
    writeFileSync(join(cwd, 'scripts.json'), JSON.stringify({ ...JSON.parse(SEED_PROBLEM_SOURCE), title }));
    const run = await runCli(['derive', 'scripts.json', '--format', 'pdf'], { cwd });
    expect(run.status, run.stderr).toBe(0);
    const firstLine = spawnSync('pdftotext', ['-l', '1', join(cwd, 'output', 'scripts.pdf'), '-'], { encoding: 'utf8' }).stdout.split('\n')[0];
    expect(firstLine).toBe(title);
  }, 120_000);
});

describe('nothing is left behind', () => {
  it('no temporary files after a successful write', async () => {
    const run = await runCli(['derive']);
    expect(readdirSync(join(run.cwd, 'output')).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(existsSync(join(run.cwd, 'output', 'seed.json'))).toBe(true);
  });
});
