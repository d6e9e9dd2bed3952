// The engine commands on networks of layers: check (finite differences, TF.js and PyTorch), vectors and their .npy files, compare --vectors, cases --networks; and the command
// line of derive --json and torch on the shipped examples.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAnyProblemText } from '../src/problem/parse-problem.js';
import { networkResultJson } from '../src/result/network-document.js';
import { solveNetwork, type NetworkSolution } from '../src/trajectory/train-network.js';
import { randomNetwork } from '../src/engines/random-network.js';
import { checkNetworkAgainst, networkRuns, networkValues, tfjsNetworkRun, type NetworkRun } from '../src/engines/network-check.js';
import { tfjsNetworkResult } from '../src/engines/tfjs-network.js';
import { networkFiniteDifferences } from '../src/engines/network-differences.js';
import { readNpy } from '../src/engines/npy.js';
import { torchNetworkScript } from '../src/engines/torch-network-script.js';
import { roundingFloors } from '../src/engines/network-floors.js';
import { runCli } from './helpers/run-cli.js';
import { PYTHON, torch } from './helpers/tools.js';

const TORCH = torch();
const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/networks/', import.meta.url));
const EXAMPLE_FILES = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).sort();

function solved(text: string): NetworkSolution {
  const parsed = parseAnyProblemText(text);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  if (!parsed.network) throw new Error('not a network');
  return solveNetwork(parsed.network);
}

const example = (name: string) => readFileSync(join(EXAMPLES, name), 'utf8');

type Nested = number | Nested[];
const flat = (v: Nested): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);

describe('finite differences of a network', () => {
  it('agree with convgrad on every example and on random networks', () => {
    for (const text of [...EXAMPLE_FILES.map(example), ...[3, 5, 8, 13].map((seed) => JSON.stringify(randomNetwork(seed)))]) {
      const solution = solved(text);
      const fd = networkFiniteDifferences(solution);
      const ours = networkValues(solution);
      for (const [path, theirs] of fd.grad) {
        const mine = ours.get(path)!;
        theirs.data.forEach((x, k) => expect(Math.abs(x - mine.data[k]), `${path}[${k}]`).toBeLessThanOrEqual(fd.tolerance.atol + fd.tolerance.rtol * Math.abs(mine.data[k])));
      }
      // An entry undecided is one on a kink of convgrad's values (several meet there), never elsewhere.
      if (fd.sites.length === 0) expect(fd.undecided).toEqual([]);
      expect(fd.undecided.length).toBeLessThanOrEqual(2);
    }
  });

  it('sample at most 64 entries of a tensor, all with allEntries', () => {
    const problem = { input: Array.from({ length: 10 }, (_, r) => Array.from({ length: 10 }, (_, c) => ((r * 7 + c * 3) % 5) - 2)), layers: [{ type: 'conv2d', kernel: [[[[1, -1], [2, 1]]]] }, { type: 'tanh' }], head: 'sum', target: 1 };
    const solution = solved(JSON.stringify(problem));
    expect(networkFiniteDifferences(solution).differenced.map((d) => [d.path, d.entries.length, d.of])).toEqual([['grad.layers[0].kernel', 4, 4], ['grad.input', 64, 100]]);
    expect(networkFiniteDifferences(solution, { allEntries: true }).differenced.map((d) => d.entries.length)).toEqual([4, 100]);
  });
});

describe('TF.js on networks of layers', () => {
  const tfjsReport = async (solution: NetworkSolution, values = networkValues(solution), run?: NetworkRun) => checkNetworkAgainst(solution, values, [run ?? (await tfjsNetworkRun(solution))]);
  const verdicts = (report: Awaited<ReturnType<typeof tfjsReport>>) => new Map(report.rows.map((r) => [r.quantity, r.verdict]));

  it('agrees on every example, every quantity (the updates of plain SGD too)', async () => {
    for (const name of EXAMPLE_FILES) {
      const solution = solved(example(name));
      const report = await tfjsReport(solution);
      expect(report.rows.length, name).toBeGreaterThan(4);
      expect(report.rows.filter((r) => r.verdict !== 'agrees'), name).toEqual([]);
    }
  });

  it('agrees on 200 random networks over every layer type and option; what it cannot do is not supported, with the reason', async () => {
    const tally = { agrees: 0, unsupported: 0, atKink: 0 };
    const seen = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      const solution = solved(JSON.stringify(randomNetwork(seed)));
      const run = await tfjsNetworkRun(solution);
      expect(run.report.failed, `seed ${seed}: ${run.report.note}`).toBeUndefined();
      const report = checkNetworkAgainst(solution, networkValues(solution), [run]);
      if (run.unsupported !== undefined) {
        tally.unsupported++;
        expect(run.unsupported, `seed ${seed}`).toMatch(/^(layers\[\d+\] is an activation expression|a loss expression), which TF\.js has no op for$/);
        expect(report.rows.every((r) => r.verdict === 'not supported')).toBe(true);
        continue;
      }
      const bad = report.rows.filter((r) => r.verdict === 'differs' || r.verdict === 'failed');
      expect(bad, `seed ${seed}: ${JSON.stringify(bad[0]?.differences?.[0])}`).toEqual([]);
      // A kink is excused only where TF.js's own values left one of convgrad's, and never on a forward value.
      const excused = report.rows.filter((r) => r.verdict === 'at a kink');
      if (excused.length > 0) {
        tally.atKink++;
        expect(run.kinks?.moved.length, `seed ${seed}`).toBeGreaterThan(0);
        expect(excused.some((r) => r.quantity.startsWith('forward.'))).toBe(false);
      } else tally.agrees++;
      const plain = solution.network.optimizer.type === 'sgd' && Object.entries(solution.network.optimizer).every(([k, v]) => !['momentum', 'weight_decay'].includes(k) || String(v) === '0');
      for (const row of report.rows) {
        if (row.quantity.startsWith('updated.')) expect(row.verdict === 'not supported', `seed ${seed} ${row.quantity}`).toBe(!plain);
        else expect(row.verdict, `seed ${seed} ${row.quantity}`).toMatch(/^(agrees|at a kink)$/);
      }
      for (const layer of solution.network.layers) {
        if (layer.type === 'conv2d') ['conv2d', `padding ${layer.paddingMode}`, ...(layer.groups > 1 ? ['conv2d groups'] : []), ...(layer.dilation.some((d) => d > 1) ? ['conv2d dilation'] : [])].forEach((f) => seen.add(f));
        else if (layer.type === 'conv_transpose2d') ['conv_transpose2d', ...(layer.groups > 1 ? ['conv_transpose2d groups'] : []), ...(layer.dilation.some((d) => d > 1) ? ['conv_transpose2d dilation'] : []), ...(layer.outputPadding.some((d) => d > 0) ? ['output_padding'] : [])].forEach((f) => seen.add(f));
        else seen.add(layer.type === 'activation' ? layer.written : layer.type === 'pool' ? `${layer.pool.type}_pool` : layer.type);
      }
      seen.add(`${solution.network.loss.type} ${solution.network.reduction}`);
      if (plain && solution.network.steps > 1) seen.add('plain SGD, several steps');
    }
    expect(tally.agrees + tally.atKink).toBeGreaterThanOrEqual(150);
    expect(tally.atKink).toBeLessThanOrEqual(3);
    const features = ['conv2d', 'conv2d groups', 'conv2d dilation', 'padding zeros', 'padding reflect', 'padding replicate', 'padding circular', 'conv_transpose2d', 'conv_transpose2d groups', 'conv_transpose2d dilation', 'output_padding', 'relu', 'leaky_relu', 'sigmoid', 'tanh', 'gelu', 'max_pool', 'avg_pool', 'batch_norm2d', 'flatten', 'linear', 'cross_entropy mean', 'cross_entropy sum', 'mse mean', 'l1 mean', 'smooth_l1 mean', 'huber mean', 'plain SGD, several steps'];
    expect(features.filter((f) => !seen.has(f))).toEqual([]);
  }, 120_000);

  it('takes bce after a sigmoid, and several steps of plain SGD', async () => {
    const problem = { input: [[[[1, -2, 0], [2, 1, -1], [0, 1, 3]]]], layers: [{ type: 'conv2d', kernel: [[[[1, '-1/2'], ['1/4', 1]]]], bias: ['1/8'] }, { type: 'sigmoid' }], head: 'none', loss: 'bce', target: [[[[1, 0], [0, '1/2']]]], optimizer: { type: 'sgd', lr: '0.5' }, steps: 3 };
    const report = await tfjsReport(solved(JSON.stringify(problem)));
    expect([...verdicts(report)]).toEqual(['forward.prediction', 'forward.loss', 'grad.layers[0].kernel', 'grad.layers[0].bias', 'grad.input', 'updated.layers[0].kernel', 'updated.layers[0].bias'].map((q) => [q, 'agrees']));
  });

  it('says not supported for an activation expression (the whole network) and for updates other than plain SGD (those quantities), with the reason', async () => {
    const base = JSON.parse(example('two-conv-relu.json')) as { layers: unknown[]; optimizer: unknown };
    const expression = { ...base, layers: [base.layers[0], { type: 'activation', expression: 'x^2/2' }, base.layers[2]] };
    expect(await tfjsNetworkResult(solved(JSON.stringify(expression)).network)).toEqual({ unsupported: 'layers[1] is an activation expression, which TF.js has no op for' });
    const run = await tfjsNetworkRun(solved(JSON.stringify({ ...base, optimizer: { type: 'adam', lr: 0.01 } })));
    expect(run.report.note).toContain("updated parameters: torch.optim.adam's rule is not TF's; only plain SGD (no momentum, no weight decay) is compared");
    const report = checkNetworkAgainst(solved(JSON.stringify({ ...base, optimizer: { type: 'adam', lr: 0.01 } })), networkValues(solved(JSON.stringify({ ...base, optimizer: { type: 'adam', lr: 0.01 } }))), [run]);
    const v = verdicts(report);
    expect(v.get('grad.layers[0].kernel')).toBe('agrees');
    expect(v.get('updated.layers[0].kernel')).toBe('not supported');
    expect(v.get('updated.layers[2].bias')).toBe('not supported');
  });

  it("differs where a gradient is planted wrong, on convgrad's side or on TF.js's", async () => {
    const solution = solved(example('conv-pool-linear-cross-entropy.json'));
    const run = await tfjsNetworkRun(solution);
    expect((await tfjsReport(solution, networkValues(solution), run)).agree).toBe(true);
    const plantedOurs = (path: string, k: number, by: number) => {
      const values = networkValues(solution);
      const t = values.get(path)!;
      values.set(path, { shape: t.shape, data: t.data.map((x, i) => (i === k ? x + by : x)) });
      return checkNetworkAgainst(solution, values, [run]);
    };
    const kernel = plantedOurs('grad.layers[0].kernel', 4, 1e-3);
    expect(kernel.agree).toBe(false);
    expect(verdicts(kernel).get('grad.layers[0].kernel')).toBe('differs');
    expect(verdicts(kernel).get('grad.layers[4].weight')).toBe('agrees');
    expect(verdicts(plantedOurs('grad.layers[4].bias', 2, -1e-3)).get('grad.layers[4].bias')).toBe('differs');
    expect(verdicts(plantedOurs('updated.layers[0].bias', 1, 1e-3)).get('updated.layers[0].bias')).toBe('differs');
    // TF.js's own gradient wrong by the same 1e-3 (as a wrong flatten order or a wrong kernel layout would make it).
    const theirs = new Map(run.values);
    const input = theirs.get('grad.input')!;
    theirs.set('grad.input', { shape: input.shape, data: input.data.map((x, i) => (i === 7 ? x + 1e-3 : x)) });
    const wrong = checkNetworkAgainst(solution, networkValues(solution), [{ ...run, values: theirs }]);
    expect(wrong.agree).toBe(false);
    const row = wrong.rows.find((r) => r.quantity === 'grad.input')!;
    expect(row.verdict).toBe('differs');
    expect(row.differences?.[0].index).toBe('[0][0][1][1]');
  });

  it("where TF.js's float32 values leave a kink convgrad's exact ones sit on, the gradients below it are 'at a kink', the rest still compared", async () => {
    // Seed 1149: conv2d → flatten → leaky_relu; a leaky relu's input is 0 exactly, and not in float32.
    const solution = solved(JSON.stringify(randomNetwork(1149)));
    const run = await tfjsNetworkRun(solution);
    expect(run.kinks?.moved.some((k) => k.endsWith('= 0 (leaky_relu)'))).toBe(true);
    expect(run.report.note).toMatch(/its float32 values left kinks convgrad's exact values sit on \(layers\[2\] input\[\d+\]\[\d+\] = 0 \(leaky_relu\)/);
    const report = checkNetworkAgainst(solution, networkValues(solution), [run]);
    expect(verdicts(report).get('grad.layers[0].kernel')).toBe('at a kink');
    expect(report.agree).toBe(true);
    // The forward values are not excused: a planted loss still differs.
    const values = networkValues(solution);
    values.set('forward.loss', { shape: [], data: [values.get('forward.loss')!.data[0] + 1e-2] });
    expect(verdicts(checkNetworkAgainst(solution, values, [run])).get('forward.loss')).toBe('differs');
  });
});

describe.skipIf(!TORCH.available)(`convgrad check on networks, ${TORCH.label}`, () => {
  it('agrees on every example, TF.js on every quantity', async () => {
    for (const name of EXAMPLE_FILES) {
      const run = await runCli(['check', join(EXAMPLES, name)]);
      expect(run.stdout, name).toContain('Every engine that ran agrees with convgrad.');
      expect(run.status, `${name}\n${run.stdout}${run.stderr}`).toBe(0);
      expect(run.stdout).toMatch(/grad\.layers\[0\]\.kernel\s+finite differences\s+\S+\s+\S+\s+agrees/);
      expect(run.stdout).toMatch(/grad\.layers\[0\]\.kernel\s+PyTorch \(float64\)\s+\S+\s+\S+\s+agrees/);
      // The examples take one plain SGD step: TF.js computes every quantity, the updates too.
      for (const quantity of ['forward.prediction', 'forward.loss', 'grad.layers\\[0\\]\\.kernel', 'grad.input', 'updated.layers\\[0\\]\\.kernel']) {
        expect(run.stdout, `${name} ${quantity}`).toMatch(new RegExp(`\\n${quantity}\\s+TensorFlow\\.js \\(CPU, float32\\)\\s+\\S+\\s+\\S+\\s+agrees`));
      }
      expect(run.stdout).not.toMatch(/TensorFlow\.js.*not supported/);
      // The notes say their rules with numbers: no template placeholder left unfilled.
      expect(run.stdout).not.toMatch(/\$\{|\{\{/);
      expect(run.stdout).toContain('a prediction that sums the last layer\'s n entries y (head sum), 2e-6·n·max |y|');
    }
  }, 120_000);

  it('agrees on random networks, every row of every layer there', async () => {
    for (const seed of [1, 2, 4, 6]) {
      const run = await runCli(['check', '-', '--json'], { stdin: JSON.stringify(randomNetwork(seed)) });
      const report = JSON.parse(run.stdout) as { agree: boolean; rows: { quantity: string; engine: string; verdict: string }[] };
      expect(report.rows.filter((r) => r.verdict === 'differs' || r.verdict === 'failed'), `seed ${seed}`).toEqual([]);
      expect(run.status).toBe(0);
      const solution = solved(JSON.stringify(randomNetwork(seed)));
      const layers = solution.network.layers.map((_, i) => [i, Object.keys(solution.first.parameters[i])] as const).filter(([, names]) => names.length > 0);
      const expected = ['forward.prediction', 'forward.loss', ...layers.flatMap(([i, names]) => names.map((n) => `grad.layers[${i}].${n}`)), 'grad.input', ...layers.flatMap(([i, names]) => names.map((n) => `updated.layers[${i}].${n}`))];
      expect([...new Set(report.rows.map((r) => r.quantity))]).toEqual(expected);
      expect(report.rows.filter((r) => r.engine === 'PyTorch (float64)').every((r) => r.verdict === 'agrees')).toBe(true);
    }
  }, 120_000);

  it('differs where convgrad is planted a wrong value: finite differences and PyTorch both say so, and the report does not agree (exit 1)', async () => {
    const solution = solved(example('two-conv-relu.json'));
    const runs = await networkRuns(solution, '0.0.0');
    expect(checkNetworkAgainst(solution, networkValues(solution), runs).agree).toBe(true);
    const planted = (path: string, k: number, by: number) => {
      const values = networkValues(solution);
      const t = values.get(path)!;
      values.set(path, { shape: t.shape, data: t.data.map((x, i) => (i === k ? x + by : x)) });
      return checkNetworkAgainst(solution, values, runs);
    };
    const verdict = (report: ReturnType<typeof planted>, quantity: string, engine: string) => report.rows.find((r) => r.quantity === quantity && r.engine.startsWith(engine))?.verdict;
    const kernel = planted('grad.layers[2].kernel', 1, 0.5);
    expect(kernel.agree).toBe(false);
    expect(verdict(kernel, 'grad.layers[2].kernel', 'finite differences')).toBe('differs');
    expect(verdict(kernel, 'grad.layers[2].kernel', 'PyTorch')).toBe('differs');
    expect(verdict(kernel, 'grad.layers[2].kernel', 'TensorFlow.js')).toBe('differs');
    expect(verdict(kernel, 'grad.layers[0].kernel', 'PyTorch')).toBe('agrees');
    const input = planted('grad.input', 5, -1e-3);
    expect(verdict(input, 'grad.input', 'finite differences')).toBe('differs');
    expect(verdict(input, 'grad.input', 'PyTorch')).toBe('differs');
    // An update finite differences cannot see: PyTorch alone catches it.
    const update = planted('updated.layers[0].bias', 0, 1e-6);
    expect(verdict(update, 'updated.layers[0].bias', 'finite differences')).toBe('not applicable');
    expect(verdict(update, 'updated.layers[0].bias', 'PyTorch')).toBe('differs');
    // Below float32's reach: TF.js cannot tell 1e-6 from its rounding.
    expect(verdict(update, 'updated.layers[0].bias', 'TensorFlow.js')).toBe('agrees');
    expect(update.agree).toBe(false);
  }, 60_000);

  it('refuses --all-entries on a network whose differences would take too long, before any work', async () => {
    const size = 300;
    const problem = { input: Array.from({ length: size }, () => Array.from({ length: size }, () => 1)), layers: [{ type: 'conv2d', kernel: [[[[1, 2], [3, 4]]]] }, { type: 'relu' }], head: 'sum', target: 0 };
    const run = await runCli(['check', '-', '--all-entries'], { stdin: JSON.stringify(problem) });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^convgrad: <stdin>: check --all-entries: input 1×1×300×300, 2 layers, .* entries differenced \(--all-entries\), four forward passes each, take about \d+ s, over the 30 s limit; without --all-entries a sample of each tensor is differenced\n$/);
  });
});

describe('convgrad vectors on a network', () => {
  it('writes every layer by name, and the .npy files read back equal the JSON doubles', async () => {
    const run = await runCli(['vectors', join(EXAMPLES, 'conv-batch-norm.json'), join(EXAMPLES, 'conv-pool-linear-cross-entropy.json')]);
    expect(run.status, run.stderr).toBe(0);
    for (const name of ['conv-batch-norm', 'conv-pool-linear-cross-entropy']) {
      const dir = join(run.cwd, 'vectors', name);
      const doc = JSON.parse(readFileSync(join(dir, 'vectors.json'), 'utf8')) as { layout: string; tensors: Record<string, { shape: number[]; values: Nested; exact?: Nested }> };
      expect(doc.layout).toMatch(/^layer i \(from 0, as layers\[i\]\) is layer\{i\}_\*/);
      const names = Object.keys(doc.tensors);
      expect(readdirSync(dir).filter((f) => f.endsWith('.npy')).sort()).toEqual(names.map((n) => `${n}.npy`).sort());
      for (const [tensor, { shape, values }] of Object.entries(doc.tensors)) {
        const read = readNpy(readFileSync(join(dir, `${tensor}.npy`)));
        if ('error' in read) throw new Error(read.error);
        expect(read.shape, tensor).toEqual(shape);
        expect(read.data, tensor).toEqual(flat(values));
      }
      // The problem written beside them is a valid problem file of the same network.
      const solution = solved(example(`${name}.json`));
      expect(networkResultJson(solved(readFileSync(join(dir, 'problem.json'), 'utf8')))).toBe(networkResultJson(solution));
      // Layer i's output, its gradient and its parameters' gradients are those of the result document.
      const result = JSON.parse(networkResultJson(solution)) as { forward: { layers: Nested[] }; grad: { outputs: Nested[]; layers: Record<string, Nested>[]; input: Nested } };
      solution.network.layers.forEach((_, i) => {
        expect(doc.tensors[`layer${i}_output`].values).toEqual(result.forward.layers[i]);
        expect(doc.tensors[`layer${i}_grad_output`].values).toEqual(result.grad.outputs[i]);
        for (const [p, g] of Object.entries(result.grad.layers[i])) expect(doc.tensors[`layer${i}_grad_${p}`].values).toEqual(g);
      });
      expect(doc.tensors.grad_input.values).toEqual(result.grad.input);
    }
    const bn = JSON.parse(readFileSync(join(run.cwd, 'vectors', 'conv-batch-norm', 'vectors.json'), 'utf8')) as { tensors: Record<string, unknown> };
    expect(Object.keys(bn.tensors)).toEqual(expect.arrayContaining(['layer0_kernel', 'layer0_padded_input', 'layer0_grad_padded_input', 'layer1_mean', 'layer1_variance', 'layer1_inv_std', 'layer1_xhat', 'layer1_mean_delta', 'layer1_mean_delta_xhat', 'layer1_grad_weight', 'step1_layer1_weight', 'updated_layer1_bias', 'trajectory_loss']));
  });

  it('refuses a network whose vectors.json would be too large, before any work, and writes nothing', async () => {
    const size = 1000;
    const problem = { input: Array.from({ length: size }, () => Array.from({ length: size }, () => 1)), layers: [{ type: 'conv2d', kernel: [[[[1]]]] }, { type: 'relu' }], head: 'sum', target: 0 };
    const run = await runCli(['vectors', '-'], { stdin: JSON.stringify(problem) });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^convgrad: <stdin>: layers: input 1×1×1000×1000, 2 layers, 1\.0 M multiply-adds: vectors\.json would take about \d+\.\d M?B, over the 256\.0 MB limit; convgrad derive --json gives the result document\n$/);
    expect(readdirSync(run.cwd)).toEqual([]);
  });

  it('keeps the flat vectors as they were', async () => {
    const run = await runCli(['vectors', '--out', 'v', '-'], { stdin: readFileSync(fileURLToPath(new URL('./fixtures/padding-relu.json', import.meta.url)), 'utf8') });
    expect(run.status).toBe(0);
    expect(readdirSync(join(run.cwd, 'v', 'problem'))).toContain('delta.npy');
    expect(readdirSync(join(run.cwd, 'v', 'problem')).some((f) => f.startsWith('layer'))).toBe(false);
  });

  it('compare --vectors finds the first layer stage that differs', async () => {
    const file = join(EXAMPLES, 'two-conv-relu.json');
    const written = await runCli(['vectors', file, '--out', 'mine']);
    const dir = join(written.cwd, 'mine', 'two-conv-relu');
    const same = await runCli(['compare', file, '--vectors', dir]);
    expect(same.status, same.stdout).toBe(0);
    expect(same.stdout).toMatch(/Every one of the \d+ stages given agrees with convgrad\.\n$/);
    // A planted bug in layer 2's kernel gradient, as another engine would write it.
    const npy = readNpy(readFileSync(join(dir, 'layer2_grad_kernel.npy')));
    if ('error' in npy) throw new Error(npy.error);
    const wrong = join(written.cwd, 'wrong');
    mkdirSync(wrong);
    for (const f of ['layer0_output.npy', 'layer1_output.npy', 'layer2_output.npy', 'layer2_grad_output.npy', 'layer2_grad_kernel.npy', 'layer0_grad_kernel.npy']) writeFileSync(join(wrong, f), readFileSync(join(dir, f)));
    const bytes = readFileSync(join(dir, 'layer2_grad_kernel.npy'));
    const doctored = Buffer.from(bytes);
    doctored.writeDoubleLE(doctored.readDoubleLE(bytes.length - 8) + 1, bytes.length - 8);
    writeFileSync(join(wrong, 'layer2_grad_kernel.npy'), doctored);
    const differs = await runCli(['compare', file, '--vectors', wrong]);
    expect(differs.status).toBe(1);
    expect(differs.stdout).toContain('The first stage that differs is layer2_grad_kernel (layer 2 (conv2d): ∂L/∂(its kernel))');
  });
});

describe('convgrad cases --networks', () => {
  it('writes the same bytes for the same seed, each case a network that parses, with its result document', async () => {
    const first = await runCli(['cases', '--networks', '--count', '4', '--seed', '7']);
    const second = await runCli(['cases', '--networks', '--count', '4', '--seed', '7']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe('wrote 4 cases into cases/: case-0001 … case-0004, each with problem.json, vectors.json, its .npy files and result.json\n');
    const files = (cwd: string) =>
      readdirSync(join(cwd, 'cases')).flatMap((c) => readdirSync(join(cwd, 'cases', c)).map((f) => [`${c}/${f}`, readFileSync(join(cwd, 'cases', c, f)).toString('base64')]));
    expect(files(first.cwd)).toEqual(files(second.cwd));
    const types = new Set<string>();
    for (const c of readdirSync(join(first.cwd, 'cases'))) {
      const text = readFileSync(join(first.cwd, 'cases', c, 'problem.json'), 'utf8');
      const solution = solved(text);
      solution.network.layers.forEach((l) => types.add(l.type));
      expect(readFileSync(join(first.cwd, 'cases', c, 'result.json'), 'utf8')).toBe(networkResultJson(solution));
    }
    expect(types.size).toBeGreaterThan(1);
    const other = await runCli(['cases', '--networks', '--count', '1', '--seed', '8']);
    expect(readFileSync(join(other.cwd, 'cases', 'case-0001', 'problem.json'), 'utf8')).not.toBe(readFileSync(join(first.cwd, 'cases', 'case-0001', 'problem.json'), 'utf8'));
  });

  it('refuses --kinks with --networks', async () => {
    const run = await runCli(['cases', '--networks', '--kinks', '--count', '1']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('convgrad: cases: --kinks plants kinks in single layers; it does not go with --networks\n');
  });
});

describe('derive --json and torch on the examples', () => {
  it.each(EXAMPLE_FILES)('derive --json %s is its golden result document, byte for byte', async (name) => {
    const run = await runCli(['derive', join(EXAMPLES, name), '--json']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(readFileSync(join(FIXTURES, name.replace(/\.json$/, '.result.json')), 'utf8'));
  });

  it.skipIf(!TORCH.available)('torch of every example, piped to python3, prints agreement', async () => {
    for (const name of EXAMPLE_FILES) {
      const script = await runCli(['torch', join(EXAMPLES, name)]);
      expect(script.status).toBe(0);
      const run = spawnSync(PYTHON, ['-'], { input: script.stdout, encoding: 'utf8', timeout: 120_000 });
      expect(run.stdout + run.stderr, name).toContain('PyTorch agrees with convgrad on every quantity.');
      expect(run.status, name).toBe(0);
    }
  }, 120_000);

  it.skipIf(!TORCH.available)('torch on a bias right before a batch norm (gradient exactly 0, PyTorch ≈ 1e-12) agrees: its atol is the quantity\'s rounding floor, sent as data', () => {
    // Random network 168: conv_transpose2d → batch_norm2d; PyTorch rounds the bias's gradient to 1.7e-12,
    // over float64's atol of 1e-12, which the script without floors called a difference.
    const solution = solved(JSON.stringify(randomNetwork(168)));
    expect(networkValues(solution).get('grad.layers[0].bias')!.data.every((x) => x === 0)).toBe(true);
    const run = spawnSync(PYTHON, ['-'], { input: torchNetworkScript(solution, '0.0.0'), encoding: 'utf8', timeout: 120_000 });
    expect(run.stdout + run.stderr).toContain('PyTorch agrees with convgrad on every quantity.');
    expect(run.status).toBe(0);
    // The floor stays far below a real mistake: 1e-9 on that gradient would still differ.
    const floor = roundingFloors(solution)('grad.layers[0].bias')!(0);
    expect(floor).toBeGreaterThan(1.7e-12);
    expect(floor).toBeLessThan(1e-9);
  }, 120_000);

  it('the torch script carries the problem as data: a hostile title stays a string', () => {
    const problem = JSON.parse(example('two-conv-relu.json')) as Record<string, unknown>;
    problem.title = '"""\nimport os; os.system("echo pwned")\n"""';
    const script = torchNetworkScript(solved(JSON.stringify(problem)), '0.0.0');
    expect(script).not.toContain('\nimport os;');
  });
});
