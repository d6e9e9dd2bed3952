// The network rows of `npm run bench`: a small CNN (3×64×64 → conv 8×3×5×5 → relu → max-pool 2 →
// conv 16×8×3×3 → flatten → linear 10 → cross-entropy) and a smaller one, solved by convgrad
// (exact and float64), derived (tex+html+md), and computed by TF.js (CPU, float32, the engine of
// `convgrad check`: forward, every gradient, the SGD step) and PyTorch (float64, nn.Sequential) forward and backward. Medians of several runs; a table, no assertion.
import { spawnSync } from 'node:child_process';
import { parseAnyProblemText, solveNetwork, deriveNetwork, renderTex, renderHtml, renderMarkdown } from '../dist/index.js';
import { tfjsNetworkResult } from '../dist/engines/tfjs-network.js';

const PYTHON = '/usr/bin/python3';

function grid(rows, cols, seed) {
  let s = seed;
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => ((s = (s * 16807) % 2147483647), (s % 5) - 2)));
}
const tensor4 = (a, b, h, w, seed) => Array.from({ length: a }, (_, i) => Array.from({ length: b }, (_, j) => grid(h, w, seed + i * b + j)));

/** 3×size×size through two convolutions to 10 classes. */
export function networkProblem(size) {
  const after = Math.floor((size - 4) / 2) - 2;
  const features = 16 * after * after;
  let s = 7;
  const weight = Array.from({ length: 10 }, () => Array.from({ length: features }, () => ((s = (s * 16807) % 2147483647), ((s % 7) - 3) / 8)));
  return {
    input: tensor4(1, 3, size, size, 11)[0],
    layers: [
      { type: 'conv2d', kernel: tensor4(8, 3, 5, 5, 100), bias: Array.from({ length: 8 }, (_, i) => i - 4) },
      { type: 'relu' },
      { type: 'max_pool', size: 2 },
      { type: 'conv2d', kernel: tensor4(16, 8, 3, 3, 300), bias: Array.from({ length: 16 }, (_, i) => (i % 3) - 1) },
      { type: 'flatten' },
      { type: 'linear', weight, bias: Array.from({ length: 10 }, () => 0) },
    ],
    head: 'none',
    loss: 'cross_entropy',
    target: [3],
    optimizer: { type: 'sgd', lr: 0.01 },
  };
}

function median(job, runs) {
  job();
  const times = [];
  for (let k = 0; k < runs; k++) {
    const start = performance.now();
    job();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

function network(problem) {
  const parsed = parseAnyProblemText(JSON.stringify(problem));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.network;
}

/** The same network in float64: every parameter and input entry as a double (exact arithmetic left at once). */
function asFloat(net) {
  const double = (t) => ({ ...t, data: t.data.map((x) => Number(x.valueOf())) });
  return { ...net, input: double(net.input), layers: net.layers.map((l) => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v && typeof v === 'object' && 'data' in v && 'shape' in v ? double(v) : v]))) };
}

/** TF.js as `convgrad check` runs it (src/engines/tfjs-network.ts): the network in TF's ops, tf.grads of the loss for the input and every parameter, read back. */
async function tfjs(net, runs) {
  await tfjsNetworkResult(net);
  const times = [];
  for (let k = 0; k < runs; k++) {
    const start = performance.now();
    const outcome = await tfjsNetworkResult(net);
    times.push(performance.now() - start);
    if ('unsupported' in outcome) throw new Error(outcome.unsupported);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const TORCH = `
import json, sys, time, torch, torch.nn as nn
p = json.loads(sys.stdin.read())
t = lambda v: torch.tensor(v, dtype=torch.float64)
c1, _, _, c2, _, lin = p["layers"]
m = nn.Sequential(nn.Conv2d(3, 8, 5, dtype=torch.float64), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3, dtype=torch.float64), nn.Flatten(), nn.Linear(len(lin["weight"][0]), 10, dtype=torch.float64))
with torch.no_grad():
    m[0].weight.copy_(t(c1["kernel"])); m[0].bias.copy_(t(c1["bias"])); m[3].weight.copy_(t(c2["kernel"])); m[3].bias.copy_(t(c2["bias"]))
    m[5].weight.copy_(t(lin["weight"])); m[5].bias.copy_(t(lin["bias"]))
x = t([p["input"]]).requires_grad_(True)
times = []
for _ in range(7):
    m.zero_grad(); x.grad = None
    start = time.perf_counter()
    torch.nn.functional.cross_entropy(m(x), torch.tensor(p["target"])).backward()
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(json.dumps({"ms": times[3]}))
`;

function torch(problem) {
  const run = spawnSync(PYTHON, ['-c', TORCH], { input: JSON.stringify(problem), encoding: 'utf8' });
  return run.status === 0 ? JSON.parse(run.stdout.trim()).ms : undefined;
}

const format = (ms) => (ms === undefined ? '—' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`);
const rows = [];
for (const size of [16, 64]) {
  const problem = networkProblem(size);
  const net = network(problem);
  const runs = size > 32 ? 3 : 7;
  const exact = median(() => solveNetwork(net), runs);
  const float = median(() => solveNetwork(asFloat(net)), runs);
  const render = median(() => {
    const d = deriveNetwork(solveNetwork(net));
    for (const r of [renderTex, renderHtml, renderMarkdown]) r(d, { language: 'en', version: 'bench' });
  }, size > 32 ? 1 : 3);
  rows.push([`3×${size}×${size} → conv 8 → relu → pool → conv 16 → linear 10`, format(exact), format(float), format(render), format(await tfjs(net, runs)), format(torch(problem))]);
}
console.log('\n| network | convgrad exact | convgrad float64 | convgrad render (tex+html+md) | TF.js CPU float32 | PyTorch float64 autograd |\n| --- | --- | --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);

// Growth: exact solve time against the network's multiply-adds (forward: conv 8×3×5×5, conv 16×8×3×3,
// linear 10; backward about twice that), over sizes; cost ~ macs^p with p the least-squares slope of
// log(time) against log(multiply-adds). Linear growth is p ≈ 1.
const GROWTH = [16, 24, 32, 48, 64, 96];
/** Forward multiply-adds of networkProblem(size): Σ over layers of outputs × (inputs each output reads). */
function multiplyAdds(size) {
  const conv1 = size - 4;
  const conv2 = Math.floor(conv1 / 2) - 2;
  return 8 * conv1 * conv1 * 3 * 25 + 16 * conv2 * conv2 * 8 * 9 + 10 * 16 * conv2 * conv2;
}
const growth = GROWTH.map((size) => {
  const net = network(networkProblem(size));
  return { size, macs: multiplyAdds(size), ms: median(() => solveNetwork(net), size > 48 ? 3 : 5) };
});
console.log('\n| network input | forward multiply-adds | convgrad exact (forward, backward, update) | per multiply-add |\n| --- | ---: | ---: | ---: |');
for (const g of growth) console.log(`| 3×${g.size}×${g.size} | ${g.macs.toLocaleString('en')} | ${format(g.ms)} | ${((g.ms * 1e6) / g.macs).toFixed(0)} ns |`);
const points = growth.map((g) => [Math.log(g.macs), Math.log(g.ms)]);
const [mx, my] = [points.reduce((s, [x]) => s + x, 0) / points.length, points.reduce((s, [, y]) => s + y, 0) / points.length];
const slope = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
console.log(`\nconvgrad exact on a network grows as (multiply-adds)^${slope.toFixed(2)} from 3×${GROWTH[0]}×${GROWTH[0]} to 3×${GROWTH.at(-1)}×${GROWTH.at(-1)}.`);
