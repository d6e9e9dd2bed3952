// One measurement in a process of its own, so that its peak memory is its own: node scripts/bench-worker.mjs ENGINE SIZE RUNS
// Prints {"ms": median milliseconds, "rssMB": peak resident memory, "runs": how many}.
import { parseProblemText, solve, derive, renderTex, renderHtml, renderMarkdown } from '../dist/index.js';
import { derivationContext } from '../dist/derivation/context.js';
import { differentiate } from '../dist/expr/differentiate.js';
import { evaluate } from '../dist/expr/evaluate.js';
import { kernelSym } from '../dist/model/conv.js';
import { asDouble } from '../dist/numbers/scalar.js';
import { problemJson } from './bench-problems.mjs';

const [engine, size, runsText] = process.argv.slice(2);
const runs = Number(runsText ?? 5);
const read = (name) => parseProblemText(JSON.stringify(problemJson(name))).problem;
// Libraries are loaded before the clock starts: the job is the computation, not the start-up.
const math = engine === 'mathjs' ? (await import('mathjs')).create((await import('mathjs')).all) : undefined;
const { tfjsResult } = engine === 'tfjs' ? await import('../dist/engines/tfjs.js') : {};

const jobs = {
  // forward, backward and update in exact rationals
  exact: (problem) => solve(problem),
  // the same in float64
  float: (problem) => solve({ ...problem, input: { ...problem.input, data: problem.input.data.map(asDouble) }, kernel: { ...problem.kernel, data: problem.kernel.data.map(asDouble) } }),
  // the symbolic job: every σ written out into S, and ∂S/∂k_mn by differentiating it, substituted, for every kernel entry
  symbolic: (problem) => {
    const ctx = derivationContext(solve(problem));
    const [co, cg, kh, kw] = problem.kernel.shape;
    for (let o = 0; o < co; o++) for (let c = 0; c < cg; c++) for (let m = 0; m < kh; m++) for (let q = 0; q < kw; q++) {
      const k = kernelSym(ctx.naming, o, c, m, q);
      evaluate(differentiate(ctx.predictionWith(k), k), ctx.value);
    }
  },
  // the derivation written in LaTeX, HTML and Markdown (--detail auto)
  render: (problem) => {
    const d = derive(solve(problem));
    for (const r of [renderTex, renderHtml, renderMarkdown]) r(d, { language: 'en', version: 'bench' });
  },
  // mathjs's derivative of the written-out L = (S − T)² by every kernel entry, without simplification, evaluated
  mathjs: (problem) => {
    const ctx = derivationContext(solve(problem));
    const [, , kh, kw] = problem.kernel.shape;
    const names = [];
    const scope = {};
    const terms = [];
    for (const flat of Array.from({ length: problem.input.data.length }, (_, i) => i)) scope[`x${flat}`] = asDouble(problem.input.data[flat]);
    problem.kernel.data.forEach((v, i) => (scope[`k${i}`] = asDouble(v)));
    const g = ctx.geometry;
    for (let i = 0; i < g.output.rows; i++) for (let j = 0; j < g.output.cols; j++) for (let m = 0; m < kh; m++) for (let q = 0; q < kw; q++) {
      terms.push(new math.OperatorNode('*', 'multiply', [new math.SymbolNode(`k${m * kw + q}`), new math.SymbolNode(`x${(i + m) * g.input.cols + (j + q)}`)]));
    }
    // An n-ary sum, built directly: parsing a long sum from text overflows the stack.
    const S = new math.OperatorNode('+', 'add', terms);
    const L = new math.OperatorNode('^', 'pow', [new math.ParenthesisNode(new math.OperatorNode('-', 'subtract', [S, new math.ConstantNode(asDouble(problem.target.data[0]))])), new math.ConstantNode(2)]);
    for (let n = 0; n < kh * kw; n++) names.push(`k${n}`);
    for (const name of names) math.derivative(L, name, { simplify: false }).evaluate(scope);
  },
  // TensorFlow.js, CPU backend, float32: the same loss and its gradients
  tfjs: async (problem) => {
    await tfjsResult(problem);
  },
};

// One untimed run on the seed first, so that every engine is measured with its code compiled.
await jobs[engine](read('3x3k2'));
const problem = read(size);
// At least RUNS runs, and more while they take under a second in all (up to 100): the median of a
// quick job is then its steady state, not the compiler's first pass.
const times = [];
while (times.length < runs || (times.reduce((a, b) => a + b, 0) < 1000 && times.length < 100)) {
  const start = performance.now();
  await jobs[engine](problem);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ ms: times[Math.floor(times.length / 2)], rssMB: process.resourceUsage().maxRSS / 1024, runs: times.length }));
