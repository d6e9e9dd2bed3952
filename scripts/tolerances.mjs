// npm run tolerances: which rtol (with atol = rtol/10) an engine in each precision needs on the corpus
// of `convgrad cases`, measured with PyTorch on this machine's CPU. float32 is PyTorch in float32;
// TF32, float16 and bfloat16 are emulated in float32 the way their hardware rounds: every convolution
// (forward, and both of its backward ones) reads its operands rounded to the format's significand
// (TF32 and float16: 11 bits, bfloat16: 8), and float16 and bfloat16 also store the convolution's
// result and the gradient flowing into it rounded; the rest (activations, losses, the optimizer's
// master weights) stays float32, as in mixed-precision training. Prints a table for the README's
// "Checking other engines"; no test asserts it.
import { spawnSync } from 'node:child_process';
import { generateCase } from '../dist/engines/cases.js';
import { resultDocument } from '../dist/result/result-document.js';
import { torchScript } from '../dist/engines/torch-script.js';
import { documentQuantities } from '../dist/engines/result-reader.js';

const count = Number(process.argv[2] ?? 1000);
const seed = Number(process.argv[3] ?? 1);
const PYTHON = '/usr/bin/python3';

// Runs every script with --json in one Python process, torch patched to the precision asked for.
const RUNNER = `
import contextlib, io, json, sys
import torch
dtype = sys.argv[1]
set_default_dtype = torch.set_default_dtype
torch.set_default_dtype = lambda d: set_default_dtype(torch.float64 if dtype == "float64" else torch.float32)
BITS = {"tf32": 13, "float16": 13, "bfloat16": 16}  # float32 significand bits dropped
def rounded(x, drop):
    bits = x.detach().to(torch.float32).contiguous().view(torch.int32)
    half, lsb = 1 << (drop - 1), (bits >> drop) & 1
    r = ((bits + (half - 1) + lsb) & ~((1 << drop) - 1)).view(torch.float32)
    return r.to(x.dtype)
class Operand(torch.autograd.Function):
    """Forward: the operand rounded. Backward: the gradient as it comes (the convolution's backward rounds its own)."""
    @staticmethod
    def forward(ctx, x): return rounded(x, BITS[dtype])
    @staticmethod
    def backward(ctx, g): return g
class Result(torch.autograd.Function):
    """Forward: the result stored rounded. Backward: the gradient flowing into the convolution stored rounded."""
    @staticmethod
    def forward(ctx, x): return rounded(x, BITS[dtype])
    @staticmethod
    def backward(ctx, g): return rounded(g, BITS[dtype])
if dtype in BITS:
    conv2d = torch.nn.functional.conv2d
    def patched(input, weight, bias=None, *rest):
        out = conv2d(Operand.apply(input), Operand.apply(weight), bias, *rest)
        return out if dtype == "tf32" else Result.apply(out)
    torch.nn.functional.conv2d = patched
results = []
for script in json.load(sys.stdin):
    out = io.StringIO()
    sys.argv = ["script.py", "--json"]
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(script, "script.py", "exec"), {"__name__": "__main__"})
    except SystemExit:
        pass
    results.append(out.getvalue())
print(json.dumps(results))
`;

const flat = (v) => (Array.isArray(v) ? v.flatMap(flat) : [v]);
const GRID = [1e-9, 2e-9, 5e-9, 1e-8, 2e-8, 5e-8, 1e-7, 2e-7, 5e-7, 1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2, 5e-2, 1e-1, 2e-1, 5e-1, 1];

const solutions = Array.from({ length: count }, (_, k) => generateCase(seed, k, false));
const scripts = JSON.stringify(solutions.map((s) => torchScript(s, 'tolerances')));
const rows = [];
for (const dtype of ['float64', 'float32', 'tf32', 'float16', 'bfloat16']) {
  const run = spawnSync(PYTHON, ['-c', RUNNER, dtype], { input: scripts, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(run.stderr);
  const outputs = JSON.parse(run.stdout);
  // For each case, the smallest rtol of the grid under which every entry passes |Δ| ≤ rtol/10 + rtol·|convgrad|.
  const needed = outputs.map((text, i) => {
    const theirs = JSON.parse(text.replace(/\bNaN\b/g, 'null').replace(/-?Infinity/g, 'null'));
    const pairs = documentQuantities(resultDocument(solutions[i])).flatMap(([path, mine]) => {
      const [group, key] = path.split('.');
      const step = /^trajectory\[(\d+)\]\.(\w+)$/.exec(path);
      const other = step ? theirs.trajectory[Number(step[1])][step[2]] : theirs[group][key];
      return flat(mine).map((o, k) => [o, flat(other)[k]]);
    });
    return GRID.find((r) => pairs.every(([o, t]) => t !== null && Math.abs(t - o) <= r / 10 + r * Math.abs(o))) ?? Infinity;
  });
  const sorted = [...needed].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  rows.push([dtype, at(0.5), at(0.99), sorted[sorted.length - 1]]);
}
const f = (x) => (Number.isFinite(x) ? x.toExponential(0).replace('e+', 'e') : '> 1');
console.log(`rtol needed (atol = rtol/10) on ${count} cases of convgrad cases --seed ${seed}, PyTorch ${spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).stdout.trim()} CPU\n`);
console.log('| dtype | median case | 99% of cases | every case |');
console.log('| --- | --- | --- | --- |');
for (const [dtype, median, p99, worst] of rows) console.log(`| ${dtype} | ${f(median)} | ${f(p99)} | ${f(worst)} |`);
