// npm run bench: convgrad against a general CAS (mathjs, SymPy) and numeric engines (TF.js, PyTorch)
// on the job "expand every σ_ij, S, L = (S − T)², ∂L/∂k_mn for every kernel entry, substitute the
// numbers", side by side in one run. Medians of several runs; peak memory of each process; the ratio
// of each engine's time to convgrad's exact one; and how convgrad's time grows with the multiply-adds.
// A benchmark prints a table; no test asserts a time. --all also runs the slow CAS sizes (minutes).
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { GROWTH, isMultiChannel, multiplyAdds, problemJson, SIZES } from './bench-problems.mjs';

const all = process.argv.includes('--all');
const PYTHON = '/usr/bin/python3';
const has = (module) => spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;

function worker(engine, size, runs) {
  const out = execFileSync(process.execPath, ['scripts/bench-worker.mjs', engine, size, String(runs)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').pop());
}

const SYMPY = `
import json, sys, time, resource, sympy
p = json.loads(sys.stdin.read())
X, K = p["input"], p["kernel"]
h, w, kh, kw = len(X), len(X[0]), len(K), len(K[0])
start = time.perf_counter()
x = sympy.symbols(f"x0:{h * w}")
k = sympy.symbols(f"k0:{kh * kw}")
S = sympy.Add(*[k[m * kw + n] * x[(i + m) * w + (j + n)] for i in range(h - kh + 1) for j in range(w - kw + 1) for m in range(kh) for n in range(kw)])
L = (S - p["target"]) ** 2
values = {**{x[a]: X[a // w][a % w] for a in range(h * w)}, **{k[a]: K[a // kw][a % kw] for a in range(kh * kw)}}
for kk in k:
    sympy.diff(L, kk).xreplace(values)  # one pass over the tree; .subs would make one pass per symbol
print(json.dumps({"ms": (time.perf_counter() - start) * 1000, "rssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;

const TORCH = `
import json, sys, time, resource, torch, torch.nn.functional as F
p = json.loads(sys.stdin.read())
def t(v): return torch.tensor(v, dtype=torch.float64)
multi = isinstance(p["input"][0][0], list)
X = t(p["input"]).reshape(1, *(t(p["input"]).shape if multi else (1, *t(p["input"]).shape)))
K0 = t(p["kernel"])
K = K0 if multi else K0.reshape(1, 1, *K0.shape)
b = t(p["bias"]) if "bias" in p else None
times = []
for _ in range(7):
    k = K.clone().requires_grad_(True)
    start = time.perf_counter()
    L = (F.conv2d(X, k, b).sum() - p["target"]) ** 2
    L.backward()
    times.append((time.perf_counter() - start) * 1000)
times.sort()
print(json.dumps({"ms": times[3], "rssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;

function python(code, size, timeout) {
  const run = spawnSync(PYTHON, ['-c', code], { input: JSON.stringify(problemJson(size)), encoding: 'utf8', timeout });
  if (run.status !== 0) return run.error?.code === 'ETIMEDOUT' ? { skipped: `over ${timeout / 1000} s` } : { skipped: 'failed' };
  return JSON.parse(run.stdout.trim());
}

const multiChannel = isMultiChannel;
const engines = [
  { name: 'convgrad exact', run: (s) => worker('exact', s, 5) },
  { name: 'convgrad float64', run: (s) => worker('float', s, 5) },
  { name: 'convgrad symbolic', run: (s) => (multiChannel(s) ? { skipped: 'one channel only' } : worker('symbolic', s, 3)) },
  { name: 'convgrad render (tex+html+md)', run: (s) => (s === '3x128x128k5x8' || s === '128x128k5' ? worker('render', s, 1) : worker('render', s, 3)) },
  { name: 'mathjs derivative', run: (s) => (multiChannel(s) ? { skipped: 'one channel only' } : all || multiplyAdds(s) <= 25_000 ? worker('mathjs', s, 1) : { skipped: 'minutes (--all)' }) },
  { name: 'SymPy', run: (s) => (!has('sympy') ? { skipped: 'not installed' } : multiChannel(s) ? { skipped: 'one channel only' } : all || multiplyAdds(s) <= 25_000 ? python(SYMPY, s, 300_000) : { skipped: 'minutes (--all)' }) },
  { name: 'TF.js CPU float32', run: (s) => worker('tfjs', s, 5) },
  { name: 'PyTorch float64 autograd', run: (s) => (has('torch') ? python(TORCH, s, 120_000) : { skipped: 'not installed' }) },
];

const results = SIZES.map((size) => ({ size, macs: multiplyAdds(size), cells: engines.map((e) => e.run(size)) }));
const format = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`);
const header = ['problem', 'multiply-adds', ...engines.map((e) => e.name)];
const rows = results.map(({ size, macs, cells }) => {
  const base = cells[0].ms;
  return [size, macs.toLocaleString('en'), ...cells.map((c, i) => (c.skipped ? `— (${c.skipped})` : `${format(c.ms)}, ${c.rssMB.toFixed(0)} MB${i === 0 ? '' : `, ${(c.ms / base).toFixed(c.ms / base < 10 ? 2 : 0)}×`}`))];
});
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => ' --- |').join('')}`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);

// cost ~ macs^p: the slope of log(time) against log(multiply-adds), least squares over problems
// large enough that the work, not the fixed cost, sets the time
const growth = GROWTH.map((size) => ({ size, macs: multiplyAdds(size), ms: worker('exact', size, 3).ms }));
console.log(`\n| problem | multiply-adds | convgrad exact | per multiply-add |\n| --- | --- | --- | --- |`);
for (const g of growth) console.log(`| ${g.size} | ${g.macs.toLocaleString('en')} | ${format(g.ms)} | ${((g.ms * 1e6) / g.macs).toFixed(0)} ns |`);
const points = growth.map((g) => [Math.log(g.macs), Math.log(g.ms)]);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const [mx, my] = [mean(points.map((p) => p[0])), mean(points.map((p) => p[1]))];
const slope = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
console.log(`\nconvgrad exact grows as (multiply-adds)^${slope.toFixed(2)} from ${growth[0].size} to ${growth.at(-1).size}.`);
console.log(`Times are medians (peak memory of the process); ratios are to convgrad exact. ${os.cpus().length} × ${os.cpus()[0].model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.`);
