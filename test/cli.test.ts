// The command line of the contract: derive, --json, --format, --lang, --out, standard input, and
// bad input refused with exit status 2, one message naming the field, and nothing written.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEED_PROBLEM_SOURCE } from '../src/problem/seed.js';
import { runCli, tempDir } from './helpers/run-cli.js';
import { pdflatex } from './helpers/tools.js';

describe('convgrad derive', () => {
  it('writes the seed in every format into output/', async () => {
    const run = await runCli(['derive']);
    expect(run.status).toBe(0);
    // The Markdown's figures are SVG files beside it, named after it.
    expect(readdirSync(join(run.cwd, 'output')).sort()).toEqual(['seed.figure-1.svg', 'seed.figure-2.svg', 'seed.figure-3.svg', 'seed.figure-4.svg', 'seed.html', 'seed.json', 'seed.md', 'seed.tex']);
    expect(run.stdout).toBe("wrote output/seed.tex\nwrote output/seed.html\nwrote output/seed.md\nwrote output/seed.json\nwrote output/seed.figure-1.svg … seed.figure-4.svg (the Markdown's 4 figures)\n");
    expect(readFileSync(join(run.cwd, 'output', 'seed.md'), 'utf8')).toContain('](seed.figure-1.svg)');
  });

  it('--json prints the result document and writes nothing', async () => {
    const run = await runCli(['derive', '--json']);
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.forward.prediction).toBe(232);
    expect(result.exact.updated.kernel).toEqual([['63/25', '34/25'], ['1/25', '97/25']]);
    expect(readdirSync(run.cwd)).toEqual([]);
  });

  it('reads a file, names the outputs after it, and honours --out, --format and --lang', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'mine.json'), SEED_PROBLEM_SOURCE);
    const run = await runCli(['derive', 'mine.json', '--out', 'handouts', '--format', 'md,tex', '--lang', 'zh'], { cwd });
    expect(run.status).toBe(0);
    expect(readdirSync(join(cwd, 'handouts')).sort()).toEqual(['mine.zh.figure-1.svg', 'mine.zh.figure-2.svg', 'mine.zh.figure-3.svg', 'mine.zh.figure-4.svg', 'mine.zh.md', 'mine.zh.tex']);
    expect(readFileSync(join(cwd, 'handouts', 'mine.zh.md'), 'utf8')).toContain('反向传播');
  });

  it('never overwrites the problem file with its result', async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'mine.json'), SEED_PROBLEM_SOURCE);
    const run = await runCli(['derive', 'mine.json', '--out', '.'], { cwd });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('convgrad: --out: writing mine.json would overwrite the problem file; choose another --out\n');
    expect(readFileSync(join(cwd, 'mine.json'), 'utf8')).toBe(SEED_PROBLEM_SOURCE);
    expect(readdirSync(cwd)).toEqual(['mine.json']);
  });

  it.skipIf(!pdflatex().available)('--format pdf typesets the PDF and keeps its LaTeX beside it', async () => {
    const run = await runCli(['derive', '--format', 'pdf']);
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(join(run.cwd, 'output')).sort()).toEqual(['seed.pdf', 'seed.tex']);
    expect(readFileSync(join(run.cwd, 'output', 'seed.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
  }, 60_000);

  it('--format pdf without TeX says what to install, and still writes the LaTeX', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const run = await runCli(['derive', '--format', 'pdf,md']);
      expect(run.status).toBe(1);
      expect(run.stderr).toBe('convgrad: --format pdf: pdflatex is not installed; install it with: apt-get install texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern texlive-pictures; the LaTeX source is output/seed.tex\n');
      expect(readdirSync(join(run.cwd, 'output')).sort()).toEqual(['seed.figure-1.svg', 'seed.figure-2.svg', 'seed.figure-3.svg', 'seed.figure-4.svg', 'seed.md', 'seed.tex']);
    } finally {
      process.env.PATH = path;
    }
  });

  it('refuses a problem too large to compute, with the numbers, before computing anything', async () => {
    const grid = (n: number) => Array.from({ length: n }, () => Array.from({ length: n }, () => 1));
    const run = await runCli(['derive', '-', '--json'], { stdin: JSON.stringify({ input: [grid(512), grid(512), grid(512), grid(512)], kernel: Array.from({ length: 64 }, () => Array.from({ length: 4 }, () => grid(9))), target: 1 }) });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('convgrad: <stdin>: input: makes a 504×504 convolution output in 64 planes: 16.3 M entries, over the 2.0 M limit\n');
    expect(run.stdout).toBe('');
  });

  it('refuses vectors too large for one JSON text, before computing anything', async () => {
    // Found by an attacker: 3×3 zeros with padding 700 ended in "Invalid string length" after 38 s.
    const cwd = tempDir();
    writeFileSync(join(cwd, 'wide.json'), JSON.stringify({ input: [[0, 0, 0], [0, 0, 0], [0, 0, 0]], kernel: [[1]], padding: 700, activation: 'relu', target: 1 }));
    const run = await runCli(['vectors', 'wide.json', '--out', 'v'], { cwd });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('convgrad: wide.json: input: input 3×3, kernel 1×1: vectors.json would take about 787.4 MB, over the 256.0 MB limit; convgrad derive --json gives the result document\n');
    expect(existsSync(join(cwd, 'v'))).toBe(false);
  });

  it('counts the padded δ and the dilated kernel a derivation writes out: dilation 1300 with "same" padding is refused', async () => {
    // Found by an attacker: a 3×3 problem with dilation 1000 hung in --detail auto (two 1003×1003 matrices).
    const run = await runCli(['derive', '-', '--format', 'md'], { stdin: JSON.stringify({ ...JSON.parse(SEED_PROBLEM_SOURCE), padding: 'same', dilation: 1300 }) });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^convgrad: <stdin>: --detail auto: input 3×3, kernel 2×2: a derivation entry by entry would take about \d+ s, over the 10 s limit; use --json, --format json or --detail summary\n$/);
  });

  it('refuses steps that would take too long, with the estimate, before computing anything', async () => {
    const grid = (n: number) => Array.from({ length: n }, () => Array.from({ length: n }, () => 1));
    const problem = { input: [grid(600)], kernel: Array.from({ length: 4 }, () => [grid(15)]), target: 1, steps: 5 };
    const run = await runCli(['derive', '-', '--json'], { stdin: JSON.stringify(problem) });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^convgrad: <stdin>: steps: 5 steps of input 1×600×600, kernel 4×1×15×15: 309\.\d M multiply-adds and 1\.7 M entries a step take about \d+ s, over the 30 s limit; take fewer steps\n$/);
    expect(run.stdout).toBe('');
  });

  it('refuses to derive entry by entry what only --json or a summary can take, and says so', async () => {
    const grid = (n: number) => Array.from({ length: n }, () => Array.from({ length: n }, () => 1));
    const run = await runCli(['derive', '-'], { stdin: JSON.stringify({ input: [grid(256)], kernel: Array.from({ length: 8 }, () => [grid(9)]), target: 1 }) });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('convgrad: <stdin>: --detail auto: input 1×256×256, kernel 8×1×9×9: a derivation entry by entry would take about 112 s, over the 10 s limit; use --json, --format json or --detail summary\n');
    expect(readdirSync(run.cwd)).toEqual([]);
  });

  it('--detail full says how large its output will be before writing it, and the estimate is close', async () => {
    // 22×22 with a 5×5 kernel is just over the 1 MB at which the size is announced.
    const grid = (n: number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (__, j) => (i + j) % 3));
    const run = await runCli(['derive', '-', '--detail', 'full', '--format', 'md'], { stdin: JSON.stringify({ input: grid(22), kernel: grid(5), target: 1 }) });
    expect(run.status).toBe(0);
    const said = /^convgrad: --detail full: input 22×22, kernel 5×5 makes about ([\d.]+) MB per document format \(HTML several times that\)\n$/.exec(run.stderr);
    expect(said).not.toBeNull();
    const written = readFileSync(join(run.cwd, 'output', run.stdout.split('\n')[0].replace(/^wrote output\//, ''))).length / 1e6;
    expect(Number(said![1]) / written).toBeGreaterThan(0.5);
    expect(Number(said![1]) / written).toBeLessThan(2);
  }, 30_000);

  it('refuses a problem whose results no double holds, naming the first such entry', async () => {
    // (10⁹⁹·10⁹⁹·3)² overflows float64 while the exact loss is fine: the result document could not give it.
    const run = await runCli(['derive', '-'], { stdin: JSON.stringify({ input: [['1e99', 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [['1e99', '1e99'], [1, 5]], target: 230 }) });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("convgrad: <stdin>: forward.loss: beyond float64's range (about ±1.8e308); every result is also written as a double, so the problem's numbers must be smaller\n");
    expect(readdirSync(run.cwd)).toEqual([]);
  });

  it('refuses a result that is NaN in float64, as in PyTorch (Adam with eps 0 and a zero gradient)', async () => {
    const run = await runCli(['derive', '-', '--json'], { stdin: JSON.stringify({ input: [[1, 2], [3, 4]], kernel: [[0]], target: 0, optimizer: { type: 'adam', eps: 0 } }) });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('convgrad: <stdin>: updated.kernel[0][0]: is NaN in float64 arithmetic, as in PyTorch (a 0/0 or ∞ − ∞ on the way to it: an optimizer with eps 0 and a zero gradient, or numbers that overflow); a result document has no number to write for it\n');
  });

  it('--detail full at MNIST size (28×28, a 3×3 kernel) renders every formula through KaTeX', async () => {
    const grid = (n: number, f: (i: number, j: number) => number) => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (__, j) => f(i, j)));
    const run = await runCli(['derive', '-', '--detail', 'full', '--format', 'html'], { stdin: JSON.stringify({ input: grid(28, (i, j) => ((i * j) % 5) - 2), kernel: grid(3, (i, j) => i - j), bias: 1, target: 3 }) });
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(run.cwd, 'output', 'problem.html'), 'utf8')).toContain('\\frac{\\partial L}{\\partial x_{28,28}}');
  }, 120_000);

  it('refuses a number too long to compute with, naming its own field', async () => {
    const run = await runCli(['derive', '-'], { stdin: JSON.stringify({ input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [[3, 2], [1, '1e999']], target: 230 }) });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('convgrad: <stdin>: kernel[1][1]: "1e999": its numerator has 1000 digits; convgrad takes at most 100 above and below the fraction bar\n');
    expect(readdirSync(run.cwd)).toEqual([]);
  });

  it('reads standard input with -', async () => {
    const run = await runCli(['derive', '-', '--json'], { stdin: JSON.stringify({ input: [[1, 2], [3, 4]], kernel: [[1]], target: 0, bias: [1] }) });
    expect(run.status).toBe(0);
    // σ = X + 1 sums to S = 14, ∂L/∂S = 2·14 = 28, and b enters all four σ: ∂L/∂b = 4·28.
    expect(JSON.parse(run.stdout).exact.grad.bias).toEqual(['112']);
  });

  it('refuses a bad problem: status 2, the field named, nothing written, no stack trace', async () => {
    const run = await runCli(['derive', '-'], { stdin: JSON.stringify({ input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [[3, 2], ['a', 5]], target: 230 }) });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('convgrad: <stdin>: kernel[1][0]: expected a number, got "a"\n');
    expect(run.stdout).toBe('');
    expect(existsSync(join(run.cwd, 'output'))).toBe(false);
  });

  it('names every bad field, one line each', async () => {
    const run = await runCli(['derive', '-'], { stdin: '{"input": [[1]], "kernal": [[1]], "target": 1}' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      'convgrad: <stdin>: kernal: unknown field (did you mean "kernel"?)',
      'convgrad: <stdin>: kernel: required: a [kh][kw] or [C_out][C_in/groups][kh][kw] array of numbers',
    ]);
  });

  it('refuses a problem whose numbers the model cannot take, with status 2 and nothing written', async () => {
    const bce = await runCli(['derive', '-'], { stdin: JSON.stringify({ input: [[1, 2], [3, 4]], kernel: [[1]], loss: 'bce', head: 'none', target: [[0, 1], [1, 0]] }) });
    expect(bce.status).toBe(2);
    expect(bce.stderr).toBe('convgrad: <stdin>: loss: "bce" needs every prediction in [0, 1] (as PyTorch\'s binary_cross_entropy), got 2; a "sigmoid" activation gives that\n');
    expect(readdirSync(bce.cwd)).toEqual([]);
    const log = await runCli(['derive', '-'], { stdin: JSON.stringify({ input: [[1, -2]], kernel: [[1]], activation: { expression: 'log(x)' }, target: 0 }) });
    expect(log.status).toBe(2);
    expect(log.stderr).toMatch(/^convgrad: <stdin>: activation.expression: the activation "log\(x\)" is undefined at x = -2: log\(-2\) is not a finite number\n$/);
  });

  it.each([
    [['derive', 'missing.json'], /^convgrad: missing\.json: cannot read the problem file \(no such file\)\n$/],
    [['derive', '--format', 'docx'], /^convgrad: --format: unknown format "docx"; choose from tex, html, md, json, pdf\n$/],
    [['derive', '--lang', 'fr'], /option '--lang <lang>' argument 'fr' is invalid/],
    [['derive', '--colour'], /unknown option '--colour'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('refuses %j with status 2', async (argv, message) => {
    const run = await runCli(argv);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readdirSync(run.cwd)).toEqual([]);
  });

  it('--help shows examples, --version the version', async () => {
    const help = await runCli(['derive', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('convgrad derive - --json < problem.json');
    const version = await runCli(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
  });
});
