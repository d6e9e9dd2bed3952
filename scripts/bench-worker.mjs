// One measurement in a process of its own, so that its peak memory is its own: node scripts/bench-worker.mjs ENGINE SIZE RUNS
// Prints {"ms": median milliseconds, "rssMB": peak resident memory}.
import { parseProblemText, solve, derive, renderTex, renderHtml, renderMarkdown } from '../dist/index.js';
import { derivationContext } from '../dist/derivation/context.js';
import { differentiate } from '../dist/expr/differentiate.js';
import { evaluate } from '../dist/expr/evaluate.js';
import { kernelSym } from '../dist/model/conv.js';
import { asDouble } from '../dist/numbers/scalar.js';
import { problemJson } from './bench-problems.mjs';

const [engine, size, runsText] = process.argv.slice(2);
const runs = Number(runsText ?? 5);
const problem = parseProblemText(JSON.stringify(problemJson(size))).problem;

const jobs = {
  // forward, backward and update in exact rationals
  exact: () => solve(problem),
  // the same in float64
  float: () => solve({ ...problem, input: { ...problem.input, data: problem.input.data.map(asDouble) }, kernel: { ...problem.kernel, data: problem.kernel.data.map(asDouble) } }),
  // the symbolic job: every σ written out into S, and ∂S/∂k_mn by differentiating it, substituted, for every kernel entry
  symbolic: () => {
    const ctx = derivationContext(solve(problem));
    const [co, cg, kh, kw] = problem.kernel.shape;
    for (let o = 0; o < co; o++) for (let c = 0; c < cg; c++) for (let m = 0; m < kh; m++) for (let q = 0; q < kw; q++) {
      const k = kernelSym(ctx.naming, o, c, m, q);
      evaluate(differentiate(ctx.predictionWith(k), k), ctx.value);
    }
  },
  // the derivation written in LaTeX, HTML and Markdown (--detail auto)
  render: () => {
    const d = derive(solve(problem));
    for (const r of [renderTex, renderHtml, renderMarkdown]) r(d, { language: 'en', version: 'bench' });
  },
  // mathjs's derivative of the written-out L = (S − T)² by every kernel entry, without simplification, evaluated
  mathjs: async () => {
    const { create, all } = await import('mathjs');
    const math = create(all);
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
  tfjs: async () => {
    const { tfjsResult } = await import('../dist/engines/tfjs.js');
    await tfjsResult(solve(problem));
  },
};

const times = [];
for (let r = 0; r < runs; r++) {
  const start = performance.now();
  await jobs[engine]();
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ ms: times[Math.floor(times.length / 2)], rssMB: process.resourceUsage().maxRSS / 1024 }));
