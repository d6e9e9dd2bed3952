// The engines convgrad is checked against, and the tools for checking other engines: the generated
// PyTorch script, convgrad check, convgrad compare, and test vectors with .npy files.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECKED, checkSolution } from '../src/engines/check.js';
import { compareTensors, tensorOf, valueAt } from '../src/engines/compare.js';
import { kinkSites, movedOffKink } from '../src/engines/kinks.js';
import { tfjsResult } from '../src/engines/tfjs.js';
import { DTYPE_TOLERANCES } from '../src/engines/tolerance.js';
import { resultDocument } from '../src/result/result-document.js';
import { npy } from '../src/engines/npy.js';
import { torchScript } from '../src/engines/torch-script.js';
import { SEED_PROBLEM_SOURCE } from '../src/problem/seed.js';
import { randomProblem } from './helpers/random-problems.js';
import { runCli, tempDir } from './helpers/run-cli.js';
import { solutionOf } from './helpers/solve.js';
import { PYTHON, torch } from './helpers/tools.js';
import { KINKS, OPTIMIZERS } from './helpers/cases.js';

const TORCH = torch();
const seed = JSON.parse(SEED_PROBLEM_SOURCE);
const RUNNER = fileURLToPath(new URL('./reference/run_scripts.py', import.meta.url));

describe('npy', () => {
  it('writes a header that ends on a 64-byte boundary, then little-endian doubles', () => {
    const bytes = npy([2, 3], [1, 2, 3, 4, 5, 6.5]);
    const headerLength = bytes.readUInt16LE(8);
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    expect((10 + headerLength) % 64).toBe(0);
    expect(bytes.subarray(10, 10 + headerLength).toString('latin1')).toMatch(/^\{'descr': '<f8', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    expect(bytes.readDoubleLE(10 + headerLength + 5 * 8)).toBe(6.5);
    expect(npy([], [4]).subarray(10).toString('latin1')).toContain("'shape': ()");
    expect(npy([3], [1, 2, 3]).subarray(10).toString('latin1')).toContain("'shape': (3,)");
  });
});

describe.skipIf(!TORCH.available)(`the PyTorch script, run by ${TORCH.label}`, () => {
  it('runs unmodified with python3 and agrees on the seed', () => {
    const run = spawnSync(PYTHON, ['-'], { input: torchScript(solutionOf(seed), '0.0.0'), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('grad.kernel            agrees');
    expect(run.stdout.trim().split('\n').pop()).toBe('PyTorch agrees with convgrad on every quantity.');
  });

  it('agrees where the loss reads no parameter: a constant activation or loss, gradient 0', () => {
    // Found by an attacker: "e" as the activation gave a 0-dimensional a and no graph to differentiate.
    const constants = [
      { input: [[1, 2], [3, 4]], kernel: [[1]], activation: { expression: 'e' }, target: 1, steps: 2, optimizer: { type: 'adam' } },
      { input: [[1, 2], [3, 4]], kernel: [[1]], head: 'none', loss: { expression: 'pi' }, target: [[1, 1], [1, 1]] },
    ];
    for (const problem of constants) {
      const run = spawnSync(PYTHON, ['-'], { input: torchScript(solutionOf(problem), '0.0.0'), encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.stdout.trim().split('\n').pop()).toBe('PyTorch agrees with convgrad on every quantity.');
    }
  }, 120_000);

  it('fails, naming the quantity, when convgrad\'s expected values are wrong', () => {
    const script = torchScript(solutionOf(seed), '0.0.0').replace('[96, 112]', '[96, 113]');
    expect(script.split('[96, 113]')).toHaveLength(2);
    const run = spawnSync(PYTHON, ['-'], { input: script, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('grad.kernel            DIFFERS');
    expect(run.stderr).toContain('PyTorch differs from convgrad on 1 quantity: grad.kernel');
  });

  const problems = [...Object.values(KINKS), ...Object.values(OPTIMIZERS), ...Array.from({ length: 60 }, (_, i) => randomProblem(7000 + i))];
  it(`passes for ${problems.length} problems over every option`, () => {
    const scripts = problems.map((p) => torchScript(solutionOf(p), '0.0.0'));
    const run = spawnSync(PYTHON, [RUNNER], { input: JSON.stringify(scripts), encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(run.status, run.stderr).toBe(0);
    const results = JSON.parse(run.stdout) as { ok: boolean; output: string }[];
    results.forEach((r, i) => expect(r.ok, `${JSON.stringify(problems[i])}\n${r.output}`).toBe(true));
  }, 300_000);
});

describe('kinks convgrad\'s exact values sit on', () => {
  const sites = (problem: object) => kinkSites(solutionOf(problem)).map((s) => s.text);
  it('are found where the one-sided derivatives differ, and only there', () => {
    expect(sites(KINKS['relu at 0'])).toEqual(['σ[1][1] = 0 (relu)']);
    expect(sites(KINKS['leaky_relu at 0'])).toEqual(['σ[1][1] = 0 (leaky_relu)']);
    expect(sites(KINKS['max pool tie'])).toEqual(['a[0][0] = a[0][1] = a[1][0] (max pool)', 'a[0][1] = a[1][2] (max pool)', 'a[1][0] = a[2][1] (max pool)', 'a[1][2] = a[2][1] = a[2][2] (max pool)']);
    expect(sites(KINKS['l1 at |y − t| = 0'])).toEqual(['y[0][0] = t (l1)', 'y[1][0] = t (l1)']);
    expect(sites(KINKS['smooth_l1 with β = 0'])).toEqual(['y[0][0] = t (smooth_l1)', 'y[1][0] = t (smooth_l1)']);
    // Any activation: a tie of entries whose σ tie too (x³/3 − x is not monotonic, so only those count).
    expect(sites({ ...KINKS['max pool tie'], activation: { expression: 'x^3/3 - x' } })).toEqual(sites(KINKS['max pool tie']));
    // Huber's and smooth_l1's knees have one derivative from both sides: no kink to take a side of.
    expect(sites(KINKS['huber at |y − t| = δ'])).toEqual([]);
    expect(sites(KINKS['smooth_l1 at |y − t| = β'])).toEqual([]);
    expect(sites(seed)).toEqual([]);
  });

  it('count as left only where the engine\'s own forward values are off the kink', () => {
    const [relu] = kinkSites(solutionOf(KINKS['relu at 0']));
    expect(movedOffKink(relu, tensorOf([[1, -1], [2, 0]]))).toBe(false);
    expect(movedOffKink(relu, tensorOf([[1, -1], [2, 5.6e-17]]))).toBe(true);
    expect(movedOffKink(relu, tensorOf([[1, -1], [2, NaN]]))).toBe(false);
    const [tie] = kinkSites(solutionOf(KINKS['max pool tie']));
    expect(movedOffKink(tie, tensorOf([[2, 2, 1], [2, 1, 2], [0, 2, 2]]))).toBe(false);
    expect(movedOffKink(tie, tensorOf([[2, 2.0000000000000004, 1], [2, 1, 2], [0, 2, 2]]))).toBe(true);
  });
});

describe.skipIf(!TORCH.available)(`a kink that float64 rounding moves off, in ${TORCH.label}`, () => {
  // 0.1 + 0.2 − 0.3 is 0 exactly and 5.6e-17 in float64: relu'(σ) is 0 for convgrad and 1 for PyTorch.
  const decimal = { input: [[0.1, 0.2], [0.3, 0.4]], kernel: [[1, 1]], bias: -0.3, activation: 'relu', target: 1 };
  it('check calls it the other side of a kink, not a disagreement', async () => {
    const report = await checkSolution(solutionOf(decimal), '0.0.0');
    const torchRows = report.rows.filter((r) => r.engine.startsWith('PyTorch'));
    expect(torchRows.find((r) => r.quantity === 'grad.kernel')?.verdict).toBe('at a kink');
    expect(torchRows.find((r) => r.quantity === 'grad.kernel')?.kinks).toEqual(['σ[0][0] = 0 (relu)']);
    expect(torchRows.find((r) => r.quantity === 'forward.loss')?.verdict).toBe('agrees');
    expect(report.agree).toBe(true);
  }, 120_000);

  it('the PyTorch script says so and passes', () => {
    const run = spawnSync(PYTHON, ['-'], { input: torchScript(solutionOf(decimal), '0.0.0'), encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('grad.kernel            takes the other side of a kink');
    expect(run.stdout.trim().split('\n').pop()).toBe('PyTorch agrees with convgrad on every quantity, but for the side of a kink its rounding moved off.');
  });

  // Two output channels: channel 0 sits on the kink, channel 1 cannot reach it.
  const twoChannels = {
    input: [[0.1, 0.2, 0.5], [0.3, 0.4, 0.7]], kernel: [[[[1, 1]]], [[[1, -1]]]], bias: [-0.3, 0.5],
    activation: 'relu', head: 'none', target: [[[1, 2], [0, 1]], [[2, 1], [1, 3]]],
  };
  it('check and the script excuse only the entries the kink reaches', async () => {
    const report = await checkSolution(solutionOf(twoChannels), '0.0.0');
    const kernel = report.rows.find((r) => r.engine.startsWith('PyTorch') && r.quantity === 'grad.kernel')!;
    expect(kernel.verdict).toBe('at a kink');
    expect(kernel.atKink!.map((d) => d.index)).toEqual(['[0][0][0][0]', '[0][0][0][1]']);
    const script = torchScript(solutionOf(twoChannels), '0.0.0');
    expect(spawnSync(PYTHON, ['-'], { input: script, encoding: 'utf8' }).status).toBe(0);
    // convgrad's expected value off by 1 where the kink cannot reach: the script must fail there.
    const wrong = script.replace('EXPECTED = DATA["expected"]\n', 'EXPECTED = DATA["expected"]\nEXPECTED["grad"]["kernel"][1][0][0][0] += 1\n');
    expect(wrong).not.toBe(script);
    const run = spawnSync(PYTHON, ['-'], { input: wrong, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^ {2}grad\.kernel {12}DIFFERS\n {4}grad\.kernel\[1\]\[0\]\[0\]\[0\]: convgrad 0\.595, PyTorch -0\.40(5|49999)/m);
    expect(run.stderr).toContain('PyTorch differs from convgrad on 1 quantity: grad.kernel');
  }, 120_000);
});

describe('TensorFlow.js, in process', () => {
  // Every padding mode, stride, dilation, channels, activations, pooling, heads and losses that TF.js
  // has, over random problems; reflect padding once caught tf.mirrorPad's gradient, which drops the
  // reflected copies, so the mode that copies cells is tested on its own as well.
  const paddedModes = (['reflect', 'replicate', 'circular'] as const).map((mode) => ({
    input: [[[1, -2, 3, 0, 2], [2, 0, -1, 1, 1], [-1, 3, 2, 0, -2], [0, 1, 1, -3, 2]]],
    kernel: [[[[1, 0], [-1, 2]]], [[[2, -1], [0, 1]]]],
    stride: [2, 1], padding: [1, 2], padding_mode: mode, target: 2,
  }));
  // On a kink each engine takes a side; TF.js is written to take PyTorch's (l1's |d| at 0 has slope 0).
  const problems = [...paddedModes, ...Object.values(KINKS), randomProblem(8000), ...Array.from({ length: 120 }, (_, i) => randomProblem(9000 + i))];
  it(`agrees with convgrad to float32's tolerance on ${problems.length} problems with kinks among them, or says what it does not support`, async () => {
    let compared = 0;
    for (const problem of problems) {
      const solution = solutionOf(problem);
      const outcome = await tfjsResult(solution.problem);
      if ('unsupported' in outcome) continue;
      compared++;
      const ours = resultDocument(solution);
      for (const quantity of CHECKED) {
        const [mine, theirs] = [valueAt(ours, quantity), valueAt(outcome.result, quantity)];
        if (mine === undefined || theirs === undefined) continue;
        const { differences } = compareTensors(quantity, tensorOf(mine), tensorOf(theirs), DTYPE_TOLERANCES.float32);
        expect(differences, `${quantity} of ${JSON.stringify(problem)}`).toEqual([]);
      }
    }
    expect(compared).toBeGreaterThanOrEqual(60);
  }, 240_000);
});

describe('convgrad check', () => {
  const problems = [seed, KINKS['relu at 0'], KINKS['max pool tie'], OPTIMIZERS['adam weight decay, amsgrad'], ...Array.from({ length: 6 }, (_, i) => randomProblem(8000 + i))];
  it.each(problems.map((p, i) => [i, p]))('every engine that runs agrees on problem %i', async (_, problem) => {
    const report = await checkSolution(solutionOf(problem), '0.0.0');
    const failing = report.rows.filter((r) => r.verdict === 'differs');
    expect(failing, JSON.stringify(failing)).toEqual([]);
    expect(report.agree).toBe(true);
    const fd = report.rows.filter((r) => r.engine === 'finite differences');
    expect(fd.some((r) => r.verdict === 'agrees')).toBe(true);
    if (TORCH.available) expect(report.rows.filter((r) => r.engine.startsWith('PyTorch')).every((r) => r.verdict === 'agrees')).toBe(true);
    // TF.js either computes a quantity and agrees, or says it cannot: never a silent pass.
    for (const r of report.rows.filter((row) => row.engine.startsWith('TensorFlow'))) expect(['agrees', 'not supported']).toContain(r.verdict);
  }, 120_000);

  it('prints a table and exits 0 on the seed; --json gives the same report', async () => {
    const run = await runCli(['check']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^quantity +engine +max \|Δ\| +max rel Δ +verdict$/m);
    expect(run.stdout).toMatch(/^grad\.kernel +TensorFlow\.js \(CPU, float32\) +0 +0 +agrees$/m);
    expect(run.stdout).toContain('Every engine that ran agrees with convgrad.');
    const json = await runCli(['check', '--json']);
    expect(JSON.parse(json.stdout).agree).toBe(true);
  }, 120_000);

  it('reports what TF.js cannot do as not supported', async () => {
    const grouped = { input: [[[1, 2], [3, 4]], [[0, 1], [1, 0]]], kernel: [[[[1]]], [[[2]]]], groups: 2, target: 1 };
    const report = await checkSolution(solutionOf(grouped), '0.0.0');
    expect(report.rows.filter((r) => r.engine.startsWith('TensorFlow')).every((r) => r.verdict === 'not supported')).toBe(true);
    expect(report.engines.find((e) => e.name.startsWith('TensorFlow'))?.note).toBe('not supported by this engine: groups > 1: tf.conv2d has no groups');
  }, 120_000);
});

describe('convgrad compare', () => {
  async function resultFile(problem: object) {
    const cwd = tempDir();
    writeFileSync(join(cwd, 'problem.json'), JSON.stringify(problem));
    const derived = await runCli(['derive', 'problem.json', '--json'], { cwd });
    return { cwd, result: JSON.parse(derived.stdout) };
  }

  it('agrees with convgrad\'s own result, and catches one entry changed', async () => {
    const { cwd, result } = await resultFile({ ...seed, bias: [1], steps: 2, optimizer: { type: 'sgd', lr: 0.001, momentum: 0.9 } });
    writeFileSync(join(cwd, 'same.json'), JSON.stringify(result));
    const same = await runCli(['compare', 'problem.json', '--with', 'same.json'], { cwd });
    expect(same.status).toBe(0);
    expect(same.stdout).toMatch(/^convgrad compare: problem\.json against same\.json, float64: \|Δ\| ≤ 1e-12 \+ 1e-9·\|convgrad\| for every entry$/m);
    expect(same.stdout).toMatch(/^same\.json agrees with convgrad on all \d+ quantities\.$/m);
    result.grad.kernel[1][0] += 1e-6;
    writeFileSync(join(cwd, 'wrong.json'), JSON.stringify(result));
    const wrong = await runCli(['compare', 'problem.json', '--with', 'wrong.json'], { cwd });
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toContain('grad.kernel[1][0]: convgrad 288, wrong.json 288.000001 (|Δ| 1.0e-6)');
    expect(wrong.stdout).toContain('1 entry differs');
  });

  it('puts a gradient on the other side of a kink down to the kink only where the other engine moved off it', async () => {
    // 0.1 + 0.2 − 0.3 = 0 exactly, on relu's kink; float64 makes it 5.6e-17, and relu'(σ) 1 instead of 0.
    const { cwd, result } = await resultFile({ input: [[0.1, 0.2], [0.3, 0.4]], kernel: [[1, 1]], bias: -0.3, activation: 'relu', target: 1 });
    result.grad.kernel = [[-0.48, -0.72]];
    result.forward.conv[0][0] = 5.551115123125783e-17;
    writeFileSync(join(cwd, 'moved.json'), JSON.stringify(result));
    const moved = await runCli(['compare', 'problem.json', '--with', 'moved.json'], { cwd });
    expect(moved.status).toBe(0);
    expect(moved.stdout).toContain("At a kink: convgrad's exact values sit on σ[0][0] = 0 (relu), which moved.json's forward values moved off");
    expect(moved.stdout).toContain('  grad.kernel[0][0]: convgrad -0.36, moved.json -0.48');
    result.forward.conv[0][0] = 0;
    writeFileSync(join(cwd, 'on.json'), JSON.stringify(result));
    const on = await runCli(['compare', 'problem.json', '--with', 'on.json'], { cwd });
    expect(on.status).toBe(1);
    expect(on.stdout).toContain('2 entries differ');
  });

  it('takes float32 tolerances with --dtype float32', async () => {
    const { cwd, result } = await resultFile(seed);
    result.updated.kernel[0][0] = Math.fround(result.updated.kernel[0][0]);
    writeFileSync(join(cwd, 'f32.json'), JSON.stringify(result));
    expect((await runCli(['compare', 'problem.json', '--with', 'f32.json'], { cwd })).status).toBe(1);
    expect((await runCli(['compare', 'problem.json', '--with', 'f32.json', '--dtype', 'float32'], { cwd })).status).toBe(0);
  });

  it('names what the other document lacks, and refuses a file that is not a result', async () => {
    const { cwd, result } = await resultFile(seed);
    delete result.grad.input;
    writeFileSync(join(cwd, 'partial.json'), JSON.stringify(result));
    const partial = await runCli(['compare', 'problem.json', '--with', 'partial.json'], { cwd });
    expect(partial.stdout).toContain('grad.input: missing');
    expect(partial.status).toBe(1);
    writeFileSync(join(cwd, 'bad.json'), '[1, 2');
    const bad = await runCli(['compare', 'problem.json', '--with', 'bad.json'], { cwd });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^convgrad: --with: cannot read bad.json/);
  });
});

describe('convgrad vectors', () => {
  it('writes the normalized problem, every tensor as JSON and as .npy files NumPy loads', async () => {
    const cwd = tempDir();
    const problem = { ...KINKS['max pool tie'], bias: [1], activation: 'relu', steps: 2 };
    writeFileSync(join(cwd, 'tie.json'), JSON.stringify(problem));
    const run = await runCli(['vectors', 'tie.json', '--out', 'v'], { cwd });
    expect(run.status).toBe(0);
    const dir = join(cwd, 'v', 'tie');
    const vectors = JSON.parse(readFileSync(join(dir, 'vectors.json'), 'utf8'));
    expect(vectors.tensors.grad_kernel.exact).toEqual([[[[expect.any(String)]]]]);
    expect(vectors.tensors.conv.shape).toEqual([1, 1, 3, 3]);
    // The normalized problem is a problem file that gives the same result.
    const again = await runCli(['derive', join(dir, 'problem.json'), '--json'], { cwd });
    const original = await runCli(['derive', 'tie.json', '--json'], { cwd });
    expect(again.stdout).toBe(original.stdout);
    if (!TORCH.available) return;
    const check = spawnSync(PYTHON, ['-c', `
import json, numpy as np
d = json.load(open(${JSON.stringify(join(dir, 'vectors.json'))}))
for name, t in d["tensors"].items():
    a = np.load(${JSON.stringify(dir)} + "/" + name + ".npy")
    assert a.dtype == np.float64 and list(a.shape) == t["shape"], name
    assert np.array_equal(a, np.array(t["values"], dtype=np.float64).reshape(t["shape"])), name
print(len(d["tensors"]))
`], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(Number(check.stdout.trim())).toBeGreaterThan(20);
  });
});
