// `convgrad cases`: a corpus that covers every option with strong cases, the same bytes for the same
// seed, and every case of it right by PyTorch.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generateCase } from '../src/engines/cases.js';
import { kinkSites } from '../src/engines/kinks.js';
import { torchScript } from '../src/engines/torch-script.js';
import { normalizedProblem } from '../src/engines/vectors.js';
import { asDouble } from '../src/numbers/scalar.js';
import type { Solution } from '../src/trajectory/train.js';
import { runCli, tempDir } from './helpers/run-cli.js';
import { PYTHON, torch } from './helpers/tools.js';

const TORCH = torch();
const RUNNER = fileURLToPath(new URL('./reference/run_scripts.py', import.meta.url));
const corpus = (count: number, seed: number, kinks = false) => Array.from({ length: count }, (_, k) => generateCase(seed, k, kinks));

/** The files of a folder and below, by relative path, with their bytes. */
function tree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      const path = join(entry.parentPath, entry.name);
      files.set(path.slice(dir.length), readFileSync(path));
    }
  }
  return files;
}

describe('convgrad cases', () => {
  it('writes each case as a problem file with its vectors and result document, the same bytes for the same seed', async () => {
    const cwd = tempDir();
    const run = await runCli(['cases', '--count', '3', '--seed', '7', '--out', 'a'], { cwd });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('wrote 3 cases into a/: case-0001 … case-0003, each with problem.json, vectors.json, its .npy files and result.json\n');
    await runCli(['cases', '--count', '3', '--seed', '7', '--out', 'b'], { cwd });
    await runCli(['cases', '--count', '3', '--seed', '8', '--out', 'c'], { cwd });
    const [a, b, c] = ['a', 'b', 'c'].map((d) => tree(join(cwd, d)));
    expect([...a.keys()].filter((f) => f.startsWith('/case-0001/') && !f.endsWith('.npy')).sort()).toEqual(['/case-0001/problem.json', '/case-0001/result.json', '/case-0001/vectors.json']);
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [file, bytes] of a) expect(bytes.equals(b.get(file)!), file).toBe(true);
    expect(a.get('/case-0001/problem.json')!.equals(c.get('/case-0001/problem.json') ?? Buffer.alloc(0))).toBe(false);
    // A case is the same whatever the count, and its result document is convgrad's for its problem file.
    expect(JSON.stringify(normalizedProblem(generateCase(7, 2, false).problem))).toBe(JSON.stringify(JSON.parse(a.get('/case-0003/problem.json')!.toString())));
    const derived = await runCli(['derive', 'a/case-0002/problem.json', '--json'], { cwd });
    expect(derived.stdout).toBe(a.get('/case-0002/result.json')!.toString());
    const compared = await runCli(['compare', 'a/case-0002/problem.json', '--with', 'a/case-0002/result.json'], { cwd });
    expect(compared.status).toBe(0);
  });

  it('refuses a count or a seed that is no such number', async () => {
    expect((await runCli(['cases', '--count', '0'])).stderr).toBe('convgrad: --count: expected an integer from 1 to 100000, got "0"\n');
    expect((await runCli(['cases', '--count', '2', '--seed', '-1'])).status).toBe(2);
  });

  const cases = corpus(50, 1);
  const problems = cases.map((s) => normalizedProblem(s.problem) as Record<string, any>);
  it('covers every option in 50 cases', () => {
    const seen = (f: (p: Record<string, any>, s: Solution) => unknown) => new Set(problems.map((p, i) => JSON.stringify(f(p, cases[i]))));
    const padded = (p: Record<string, any>) => p.padding !== 'valid' && JSON.stringify(p.padding) !== '[0,0]';
    expect(seen((p) => (padded(p) ? p.padding_mode : 'none'))).toEqual(new Set(['"zeros"', '"reflect"', '"replicate"', '"circular"', '"none"'].filter((m) => m !== '"none"' || problems.some((p) => !padded(p)))));
    expect(seen((p) => p.padding === 'same' || p.padding === 'valid' ? p.padding : 'explicit')).toEqual(new Set(['"same"', '"valid"', '"explicit"']));
    expect(seen((p) => p.groups)).toEqual(new Set(['1', '2', '3']));
    expect(problems.some((p, i) => p.groups > 1 && p.groups === cases[i].problem.input.shape[1])).toBe(true); // depthwise
    expect(problems.some((p) => p.dilation[0] > 1) && problems.some((p) => p.dilation[1] > 1)).toBe(true);
    // A stride that leaves rows over: the last window stops short of the padded input's end.
    expect(cases.some((s) => { const g = s.first.forward.geometry; return g.stride[0] > 1 && (g.padded.rows - g.dilation[0] * (g.kernel.rows - 1) - 1) % g.stride[0] !== 0; })).toBe(true);
    expect(cases.some((s) => s.problem.kernel.shape[2] !== s.problem.kernel.shape[3])).toBe(true);
    expect(seen((p) => p.pool?.type ?? 'none')).toEqual(new Set(['"none"', '"max"', '"avg"']));
    expect(seen((p) => typeof p.activation === 'string' ? p.activation : 'expression')).toEqual(new Set(['none', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'gelu', 'expression'].map((a) => JSON.stringify(a))));
    expect(seen((p) => p.head)).toEqual(new Set(['"none"', '"sum"', '"mean"']));
    expect(seen((p) => typeof p.loss === 'string' ? p.loss : 'expression')).toEqual(new Set(['mse', 'l1', 'smooth_l1', 'huber', 'bce', 'expression'].map((l) => JSON.stringify(l))));
    expect(seen((p) => p.reduction)).toEqual(new Set(['"mean"', '"sum"']));
    expect(seen((p) => [p.optimizer.type, p.optimizer.momentum !== undefined && p.optimizer.momentum !== '0', p.optimizer.nesterov ?? p.optimizer.amsgrad ?? p.optimizer.centered]).size).toBeGreaterThanOrEqual(9);
    expect(seen((p) => p.optimizer.type)).toEqual(new Set(['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'].map((o) => JSON.stringify(o))));
    expect(seen((p) => p.steps)).toEqual(new Set(['1', '2', '3']));
    expect(seen((_, s) => [s.problem.inputForm, s.problem.kernelForm, s.problem.bias?.form ?? 'none']).size).toBeGreaterThanOrEqual(6);
  });

  it('makes strong cases: δ uneven, no symmetric kernel, no kink', () => {
    for (const [i, s] of cases.entries()) {
      const delta = s.first.gradients.delta.data.map(asDouble);
      expect(new Set(delta).size, `case ${i + 1}`).toBeGreaterThan(1);
      const [kh, kw] = s.problem.kernel.shape.slice(2);
      const plane = s.problem.kernel.data.slice(0, kh * kw).map(asDouble);
      expect(plane, `case ${i + 1}`).not.toEqual([...plane].reverse());
      expect(kinkSites(s), `case ${i + 1}`).toEqual([]);
    }
  });

  it('with --kinks, puts every case on a kink of each kind in turn', () => {
    const texts = corpus(20, 1, true).map((s) => kinkSites(s).map((site) => site.text));
    expect(texts.every((t) => t.length > 0)).toBe(true);
    for (const kind of ['(relu)', '(leaky_relu)', '(max pool)', '(l1)', '(smooth_l1)']) expect(texts.some((t) => t.some((text) => text.endsWith(kind))), kind).toBe(true);
  });

  // The corpus the README's loop gives an engine writer: every case right by PyTorch in float64, in one
  // Python process. The kinks corpus passes too, where PyTorch's rounding left a kink only on the entries it reaches.
  it.skipIf(!TORCH.available)(`every case of 1000, and of 200 with --kinks, passes convgrad torch | python3 (${TORCH.label})`, () => {
    for (const [count, kinks] of [[1000, false], [200, true]] as const) {
      const solutions = corpus(count, 1, kinks);
      const run = spawnSync(PYTHON, [RUNNER], { input: JSON.stringify(solutions.map((s) => torchScript(s, '0.0.0'))), encoding: 'utf8', maxBuffer: 1 << 30 });
      expect(run.status, run.stderr).toBe(0);
      const results = JSON.parse(run.stdout) as { ok: boolean; output: string }[];
      results.forEach((r, i) => expect(r.ok, `case ${i + 1}${kinks ? ' (--kinks)' : ''}: ${JSON.stringify(normalizedProblem(solutions[i].problem))}\n${r.output}`).toBe(true));
      expect(results).toHaveLength(count);
    }
  }, 600_000);
});
