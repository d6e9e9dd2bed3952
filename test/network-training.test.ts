// The training section of a network's derivation: the first steps worked as the single layer's are (each
// step's gradients after the passes run again, the optimizer's rule on one entry with the state of the
// step before, every parameter after it), the rest in a loss table; every number is the solution's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveNetwork, parseAnyProblemText, renderMarkdown, solveNetwork } from '../src/index.js';
import { scalarTex } from '../src/expr/to-tex.js';

const example = JSON.parse(readFileSync(new URL('../examples/two-conv-relu.json', import.meta.url), 'utf8'));

function markdown(problem: object, detail: 'auto' | 'full' = 'auto') {
  const parsed = parseAnyProblemText(JSON.stringify(problem));
  if (!parsed.ok || !parsed.network) throw new Error('not a network');
  const solution = solveNetwork(parsed.network);
  const training = deriveNetwork(solution, detail).sections.find((s) => s.id === 'training')!;
  return { solution, training, text: renderMarkdown(deriveNetwork(solution, detail), { language: 'en', version: 'test' }) };
}

describe('a network\'s training section', () => {
  it('works each of three momentum steps: the gradients again, buf from the step before, the parameters after', () => {
    const { solution, training, text } = markdown({ ...example, optimizer: { type: 'sgd', lr: 0.001, momentum: 0.9 }, steps: 3 });
    expect(training.steps.map((s) => s.rule)).toEqual(['optim.rule', 'optim.step', 'optim.step', 'optim.step']);
    expect(text).toContain('### Step $2$');
    expect(text).toContain('The forward and backward passes run again with the parameters after step $1$');
    // Step 2's loss and buf₂ = 0.9 · buf₁ + g₂ of the first entry, with step 1's buffer in it.
    const [, second] = solution.steps;
    expect(text).toContain(`the loss is $L = ${scalarTex(second.loss)}$`);
    const g1 = solution.steps[0].gradients[0].kernel.data[0];
    expect(text).toContain(`\\mathrm{buf}_{2} & = \\mu \\, \\mathrm{buf}_{1} + (1 - \\tau) \\frac{\\partial L}{\\partial k^{(1)}_{111}} = 0.9 \\cdot ${scalarTex(g1)}`);
    expect(text).toContain('The parameters after step $3$:');
    // Every step worked: no table repeats them.
    expect(text).not.toContain('The loss before each of');
  });

  it('works the first three of five steps and puts the rest in the loss table (auto); full works all five', () => {
    const problem = { ...example, optimizer: { type: 'adam', lr: 0.01 }, steps: 5 };
    const auto = markdown(problem);
    expect(auto.training.steps.map((s) => s.rule)).toEqual(['optim.rule', 'optim.step', 'optim.step', 'optim.step', 'optim.trajectory']);
    expect(auto.text).toContain('Steps $4$ to $5$ follow the same rule');
    expect(auto.text).toContain('The loss before each of the $5$ steps');
    const full = markdown(problem, 'full');
    expect(full.training.steps.filter((s) => s.rule === 'optim.step')).toHaveLength(5);
    expect(full.text).toContain('### Step $5$');
  });

  it('keeps one plain SGD step as it was: one update, no table', () => {
    const { training } = markdown(example);
    expect(training.steps.map((s) => s.rule)).toEqual(['optim.rule', 'optim.step']);
    expect(training.steps[1].title).toEqual({ key: 'step.optim.sgd-update' });
  });
});

describe('a deep network\'s derivation', () => {
  it('is refused before any work when its layers would take over 10 s to work one by one (auto); summary is not', async () => {
    const { networkDerivationRefusal } = await import('../src/model/network-workload.js');
    const conv = (c: number) => ({ type: 'conv2d', kernel: Array.from({ length: 4 }, (_, o) => Array.from({ length: c }, (_, k) => [[o === k ? 1 : 0, 0, 0], [0, 1, 0], [0, 0, 0]])), padding: 1 });
    const layers = [conv(1), ...Array.from({ length: 63 }, (_, i) => (i % 2 === 0 ? { type: 'relu' } : conv(4)))];
    const deep = parseAnyProblemText(JSON.stringify({ input: [Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => (i + j) % 3))], layers, head: 'sum', target: 1 }));
    if (!deep.ok || !deep.network) throw new Error('not a network');
    // Measured: 64 such layers take 12 s and write 52 MB of HTML.
    expect(networkDerivationRefusal(deep.network, 'auto', true)).toMatch(/^input 1×1×8×8, 64 layers, .*: a derivation would take about 1\d s, over the 10 s limit; use --detail summary \(the formula sheet\), --json or --format json$/);
    expect(networkDerivationRefusal(deep.network, 'summary', true)).toBeUndefined();
    for (const name of ['two-conv-relu', 'conv-pool-linear-cross-entropy', 'conv-batch-norm', 'transposed-conv']) {
      const parsed = parseAnyProblemText(readFileSync(new URL(`../examples/${name}.json`, import.meta.url), 'utf8'));
      if (!parsed.ok || !parsed.network) throw new Error(name);
      expect(networkDerivationRefusal(parsed.network, 'full', true), name).toBeUndefined();
    }
  });
});
