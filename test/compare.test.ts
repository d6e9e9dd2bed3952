// `convgrad compare` as an engine writer's CI runs it: strict about what the other document holds,
// exact about the tolerance it applies, and a kink excuses only the entries it can reach.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTensors, readNumber } from '../src/engines/compare.js';
import { readForeignJson } from '../src/engines/foreign-json.js';
import { documentReach, kinkSites, movedOffKink } from '../src/engines/kinks.js';
import { DTYPE_TOLERANCES } from '../src/engines/tolerance.js';
import { SEED_PROBLEM_SOURCE } from '../src/problem/seed.js';
import { pytorchResult } from '../src/engines/pytorch.js';
import { runCli, tempDir } from './helpers/run-cli.js';
import { torch } from './helpers/tools.js';
import { resultOf, solutionOf } from './helpers/solve.js';

const seed = JSON.parse(SEED_PROBLEM_SOURCE);
const FLOAT64 = DTYPE_TOLERANCES.float64;
const TORCH = torch();

/** Writes the problem and another engine's document (an object, or JSON text as written) and runs compare on them. */
async function compare(problem: object, theirs: object | string, ...options: string[]) {
  const cwd = tempDir();
  writeFileSync(join(cwd, 'problem.json'), JSON.stringify(problem));
  writeFileSync(join(cwd, 'mine.json'), typeof theirs === 'string' ? theirs : JSON.stringify(theirs));
  return runCli(['compare', 'problem.json', '--with', 'mine.json', ...options], { cwd });
}

/** convgrad's own document without its exact part: what a correct engine writes. */
function correct(problem: object) {
  const { exact: _, ...doubles } = resultOf(problem);
  return JSON.parse(JSON.stringify(doubles));
}

describe('compare is strict about what the other document holds', () => {
  it('fails an empty document, naming everything it lacks', async () => {
    const run = await compare(seed, {});
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("forward: missing (convgrad's has conv, output, prediction, loss)");
    expect(run.stdout).toContain('trajectory: missing (convgrad takes 1 step)');
    expect(run.stdout).toContain('mine.json does not agree with convgrad');
    expect(run.stdout).not.toMatch(/agrees with convgrad on all/);
  });

  it('fails a misspelt field, naming it and the quantity it leaves missing', async () => {
    const doc = correct(seed);
    doc.grad.kernal = doc.grad.kernel;
    delete doc.grad.kernel;
    const run = await compare(seed, doc);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('grad.kernal: unknown field (did you mean "kernel"?)');
    expect(run.stdout).toContain('grad.kernel: missing');
  });

  it('fails a wrong shape, a ragged array, an entry that is no number, a bias the problem lacks, a step too many', async () => {
    const doc = correct(seed);
    doc.forward.conv = [[1, 2, 3, 4]];
    doc.grad.input[1] = [1, 2];
    doc.updated.kernel[0][1] = 'a';
    doc.grad.bias = 1;
    doc.trajectory.push({ ...doc.trajectory[0], step: 2 });
    doc.trajectory[0].step = 3;
    const run = await compare(seed, doc);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("forward.conv: shape [1][4], convgrad's is [2][2]");
    expect(run.stdout).toContain("grad.input[1]: expected an array of 3, got an array of 2 (convgrad's grad.input is [3][3])");
    expect(run.stdout).toContain('updated.kernel[0][1]: expected a number, got "a"');
    expect(run.stdout).toContain('grad.bias: unknown: the problem has no bias');
    expect(run.stdout).toContain('trajectory[1]: unknown: convgrad takes 1 step');
    expect(run.stdout).toContain('trajectory[0].step: expected 1, got 3');
    // A document that is no object at all is compared too, and fails.
    expect((await compare(seed, '[1, 2]')).stdout).toContain('mine.json: expected a result document');
  });

  it('refuses a file that is not JSON with its line and column, counted past the bare NaN before it', async () => {
    const run = await compare(seed, '{"forward": {"loss": NaN, "conv": [1,, 2]}}');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('convgrad: --with: cannot read mine.json (not valid JSON: line 1, column 38: unexpected ",")\n');
  });
});

describe('compare reads numbers as engines write them', () => {
  it('takes exact strings and decimal strings as the numbers they are', async () => {
    const doc = correct(seed);
    doc.updated.kernel = [['63/25', '1.36'], ['1/25', '3.88']];
    doc.forward.loss = '4';
    const run = await compare(seed, doc);
    expect(run.stdout).toContain('updated.kernel: agrees (4 entries)');
    expect(run.status).toBe(0);
  });

  it("reads Python's bare NaN and Infinity and reports each at its index", async () => {
    const doc = correct(seed);
    const text = JSON.stringify(doc).replace('[16,44,28]', '[16,NaN,28]').replace('[4,24,20]', '[-Infinity,24,"nan"]');
    expect((readForeignJson(text) as { grad: { input: unknown } }).grad.input).toEqual([[12, 20, 8], [16, NaN, 28], [-Infinity, 24, 'nan']]);
    expect(readNumber('nan')).toBeNaN();
    expect(readNumber('-inf')).toBe(-Infinity);
    const run = await compare(seed, text);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('grad.input: 3 of 9 entries differ; largest |Δ| ∞ at grad.input[1][1]');
    expect(run.stdout).toContain('  grad.input[1][1]: convgrad 44, mine.json NaN\n');
    expect(run.stdout).toContain('  grad.input[2][0]: convgrad 4, mine.json -Infinity (|Δ| ∞)');
    expect(run.stdout).toContain('  grad.input[2][2]: convgrad 20, mine.json NaN\n');
  });
});

describe('compare sums up each quantity and applies the tolerance it prints', () => {
  it('says how many entries differ, the largest absolute and relative difference and where', async () => {
    const doc = correct(seed);
    doc.grad.input[0][1] += 0.5; // 20 → 20.5: |Δ| 0.5, rel 0.025
    doc.grad.input[2][0] += 0.2; // 4 → 4.2: |Δ| 0.2, rel 0.05
    const run = await compare(seed, doc);
    expect(run.stdout).toContain('grad.input: 2 of 9 entries differ; largest |Δ| 5.0e-1 at grad.input[0][1], largest rel Δ 5.0e-2 at grad.input[2][0]');
    expect(run.stdout).toContain('mine.json does not agree with convgrad: 2 entries differ in grad.input.');
  });

  it('applies |Δ| ≤ atol + rtol·|convgrad| to every entry, with no scaling by the largest', async () => {
    // The old float32 rule scaled atol by the largest entry (1229 here): 0.02 where convgrad has 0 passed.
    const problem = { input: [[0, 2], [1229, 1]], kernel: [[1]], target: 1000 };
    const doc = correct(problem);
    doc.forward.conv[0][0] = 0.02;
    const run = await compare(problem, doc, '--dtype', 'float32');
    expect(run.stdout.split('\n')[0]).toBe('convgrad compare: problem.json against mine.json, float32: |Δ| ≤ 2e-5 + 2e-4·|convgrad| for every entry');
    expect(run.stdout).toContain('  forward.conv[0][0]: convgrad 0, mine.json 0.02 (|Δ| 2.0e-2)');
    expect(run.status).toBe(1);
    // Within the rule, and just outside it, entry by entry: 1229 takes 2e-5 + 2e-4·1229 = 0.24582.
    doc.forward.conv[0][0] = 0;
    doc.forward.conv[1][0] = 1229.2458;
    expect((await compare(problem, doc, '--dtype', 'float32')).status).toBe(0);
    doc.forward.conv[1][0] = 1229.2459;
    expect((await compare(problem, doc, '--dtype', 'float32')).status).toBe(1);
    // --rtol and --atol replace the dtype's numbers, and the header prints them.
    const loose = await compare(problem, doc, '--rtol', '0.001', '--atol', '0');
    expect(loose.stdout.split('\n')[0]).toBe('convgrad compare: problem.json against mine.json, float64: |Δ| ≤ 0 + 0.001·|convgrad| for every entry');
    expect(loose.status).toBe(0);
  });

  it('names the pattern the differences follow', async () => {
    const problem = { ...seed, input: [[1, 2, 3, 0], [4, 5, 6, -1], [7, 8, 9, 2]], kernel: [[3, 2, 0], [1, 5, -1]], head: 'none', target: [[1, 2], [3, 4]], reduction: 'mean' };
    const doc = correct(problem);
    const turned = doc.grad.input.map((row: number[]) => [...row].reverse()).reverse();
    const run = await compare(problem, { ...doc, grad: { ...doc.grad, input: turned, kernel: doc.grad.kernel.map((row: number[]) => row.map((x) => x * 4)) } });
    expect(run.stdout).toContain("  hint: every entry is convgrad's turned by 180° in its [H][W] plane");
    expect(run.stdout).toContain("  hint: every entry is 4 × convgrad's: a constant factor (a mean divided by the wrong count");
  });
});

describe('hints', () => {
  const t = (shape: number[], data: number[]) => ({ shape, data });
  const ours = t([1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 10]);
  const hint = (data: number[]) => compareTensors('q', ours, t([1, 3, 3], data), FLOAT64).hint;
  it('see a sign, a factor, a transpose, a 180° turn and an offset by one, and nothing in noise', () => {
    expect(hint(ours.data.map((x) => -x))).toBe("every entry is convgrad's with the sign flipped");
    expect(hint(ours.data.map((x) => x / 9))).toMatch(/^every entry is 1\/9 × convgrad's/);
    expect(hint([1, 4, 7, 2, 5, 8, 3, 6, 10])).toMatch(/^every entry is convgrad's transposed/);
    expect(hint([10, 8, 7, 6, 5, 4, 3, 2, 1])).toMatch(/^every entry is convgrad's turned by 180°/);
    // Each row one down: [i][j] is convgrad's [i−1][j] (the first row has nothing above it).
    expect(hint([0, 0, 0, 1, 2, 3, 4, 5, 6])).toBe("every entry [i][j] is convgrad's [i−1][j] where that exists: an offset by one (a stride, padding or loop bound off by one?)");
    expect(hint([2, 3, 0, 5, 6, 0, 8, 10, 0])).toBe("every entry [i][j] is convgrad's [i][j+1] where that exists: an offset by one (a stride, padding or loop bound off by one?)");
    expect(hint([1, 2, 3, 4, 5, 6, 7, 8, 11])).toBeUndefined();
  });
});

describe('a kink excuses only the entries it reaches', () => {
  // Two output channels; channel 0's σ[0][0] = 0.1 + 0.2 − 0.3 is 0 exactly, on relu's kink, and 5.6e-17
  // in float64, so an engine's relu'(σ) is 1 there where convgrad's is 0. Channel 1 cannot reach it.
  const problem = {
    input: [[0.1, 0.2, 0.5], [0.3, 0.4, 0.7]],
    kernel: [[[[1, 1]]], [[[1, -1]]]],
    bias: [-0.3, 0.5],
    activation: 'relu',
    head: 'none',
    target: [[[1, 2], [0, 1]], [[2, 1], [1, 3]]],
  };
  /** What a float64 engine computes: PyTorch's own document, with σ[0][0][0] just off the kink and relu'(σ) 1 there. */
  function movedOff() {
    const outcome = pytorchResult(solutionOf(problem), '0.0.0');
    if (!('result' in outcome)) throw new Error('unavailable' in outcome ? outcome.unavailable : outcome.failed);
    return JSON.parse(JSON.stringify(outcome.result));
  }

  it('reaches its channel\'s kernel and bias entries and the input entries under its window, no more', () => {
    const [site] = kinkSites(solutionOf(problem));
    expect(site.text).toBe('σ[0][0][0] = 0 (relu)');
    expect(documentReach(site.cone, 'grad.kernel')).toEqual([0, 1]);
    expect(documentReach(site.cone, 'grad.bias')).toEqual([0]);
    expect(documentReach(site.cone, 'grad.input')).toEqual([0, 1]);
    expect(documentReach(site.cone, 'updated.kernel')).toEqual([0, 1]);
    expect(documentReach(site.cone, 'trajectory[0].loss')).toEqual([]);
    expect(documentReach(site.cone, 'forward.conv')).toEqual([]);
    // With head sum every δ of the next step reads S, which the kink's channel changes.
    const summed = kinkSites(solutionOf({ ...problem, head: 'sum', target: 1, steps: 2 }))[0];
    expect(documentReach(summed.cone, 'trajectory[0].kernel')).toEqual([0, 1]);
    expect(documentReach(summed.cone, 'trajectory[1].kernel')).toBe('all');
    expect(documentReach(summed.cone, 'trajectory[1].loss')).toBe('all');
  });

  it.skipIf(!TORCH.available)(`still excuses a true side-of-kink difference: PyTorch's (${TORCH.label})`, async () => {
    const doc = movedOff();
    expect(doc.forward.conv[0][0][0]).toBeGreaterThan(0); // 0.1 + 0.2 − 0.3 in float64
    const run = await compare(problem, doc);
    expect(run.stdout).toContain("At a kink: convgrad's exact values sit on σ[0][0][0] = 0 (relu), which mine.json's forward values moved off");
    expect(run.stdout).toContain('grad.kernel: agrees but for 2 entries on the other side of a kink');
    expect(run.status).toBe(0);
  });

  it.skipIf(!TORCH.available)('reports the entries the kink cannot reach as differing', async () => {
    const doc = movedOff();
    doc.grad.kernel[1][0][0][0] += 1;
    doc.grad.bias[1] += 0.5;
    const run = await compare(problem, doc);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^ {2}grad\.kernel\[1\]\[0\]\[0\]\[0\]: convgrad -0\.405, mine\.json 0\.595/m);
    expect(run.stdout).toMatch(/^ {2}grad\.bias\[1\]: convgrad -1\.45, mine\.json -0\.95/m);
    expect(run.stdout).toContain('mine.json does not agree with convgrad: 2 entries differ in grad.kernel, grad.bias.');
  });

  it.skipIf(!TORCH.available)('excuses nothing where the engine\'s own forward values sit on the kink', async () => {
    const doc = movedOff();
    doc.forward.conv[0][0][0] = 0;
    const run = await compare(problem, doc);
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('At a kink');
  });
});

describe('a kink excuses what follows from the gradients only where the engine took its other side', () => {
  // Found by an attacker: σ[0][0] nudged off its kink while the gradients stay convgrad's, then the
  // second step's parameters and loss replaced by anything: all of it used to be excused.
  const problem = { input: [[1, 2, 3], [4, 5, 6], [7, 8, 9]], kernel: [[1, -1], [1, -1]], bias: 2, activation: 'relu', head: 'sum', target: 10, steps: 2 };
  it('fails a planted step-2 update behind a kink the engine "left" without taking its other side', async () => {
    const theirs = resultOf(problem) as unknown as { forward: { conv: number[][] }; trajectory: { loss: number; kernel: number[][]; bias: number }[]; updated: { kernel: number[][]; bias: number }; exact?: unknown };
    delete theirs.exact;
    expect(kinkSites(solutionOf(problem)).map((s) => s.text)).toContain('σ[0][0] = 0 (relu)');
    theirs.forward.conv[0][0] = 1e-300;
    theirs.trajectory[1] = { ...theirs.trajectory[1], loss: 12345, kernel: [[999, 999], [999, 999]], bias: -777 };
    theirs.updated = { kernel: [[999, 999], [999, 999]], bias: -777 };
    const run = await compare(problem, theirs);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^updated\.kernel: 4 of 4 entries differ/m);
  });
});

describe('many kinks are judged together, so the work grows with the tensors, not with the kinks', () => {
  // Found by an attacker: zeros with padding 700 under relu put 1.96 M σ on the kink, each a site of its
  // own in the PyTorch script (700 MB of data) and in compare's lookups. Past MAX_SITES they are one site.
  const zeros = { input: Array.from({ length: 12 }, () => Array(12).fill(0)), kernel: [[1]], padding: 2, activation: 'relu', head: 'none', target: Array.from({ length: 16 }, () => Array(16).fill(1)) };

  it('one site for 256 entries of σ = 0, reaching what they reach together', () => {
    const sites = kinkSites(solutionOf(zeros));
    expect(sites.map((s) => s.text)).toEqual(['256 entries of σ = 0 (relu)']);
    expect(sites[0].kinks).toBe(256);
    expect(sites[0].entries).toHaveLength(256);
    expect(documentReach(sites[0].cone, 'grad.input')).toHaveLength(144);
    expect(documentReach(sites[0].cone, 'grad.kernel')).toEqual([0]);
  });

  it('is left when one of its entries is, and a merged tie when one of its ties is broken', () => {
    const [site] = kinkSites(solutionOf(zeros));
    const conv = { shape: [16, 16], data: new Array(256).fill(0) };
    expect(movedOffKink(site, conv)).toBe(false);
    conv.data[200] = 1e-17;
    expect(movedOffKink(site, conv)).toBe(true);
    const ties = { ...site, on: undefined, entries: [[0, 0], [0, 1], [1, 0], [1, 1]], tieSizes: [2, 2] };
    expect(movedOffKink(ties, { shape: [2, 2], data: [5, 5, 7, 7] })).toBe(false);
    expect(movedOffKink(ties, { shape: [2, 2], data: [5, 5, 7, 7.5] })).toBe(true);
  });

  it.skipIf(!TORCH.available)(`PyTorch's own document agrees, and the generated script says so (${TORCH.label})`, async () => {
    const outcome = pytorchResult(solutionOf(zeros), '0.0.0');
    if (!('result' in outcome)) throw new Error('unavailable' in outcome ? outcome.unavailable : outcome.failed);
    const run = await compare(zeros, JSON.parse(JSON.stringify(outcome.result)));
    expect(run.stdout).toContain('mine.json agrees with convgrad');
    expect(run.status).toBe(0);
  }, 120_000);

  it('says at most 20 faults one by one, then how many more', async () => {
    const theirs = correct(seed);
    theirs.trajectory = Array.from({ length: 101 }, (_, k) => ({ ...theirs.trajectory[0], step: k + 1 }));
    const run = await compare(seed, theirs);
    expect(run.status).toBe(1);
    expect(run.stdout.split('\n').filter((line) => line.includes('convgrad takes 1 step'))).toHaveLength(20);
    expect(run.stdout).toContain('… and 80 more fields missing, misshapen, unknown or no number');
  });
});
