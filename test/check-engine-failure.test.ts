// An engine that fails does not take the report down with it: check goes on without it and says why,
// and fails: an engine that did not compute confirms nothing. TF.js throwing, and a PyTorch script
// that dies, are both failures, never agreement.
import { describe, expect, it, vi } from 'vitest';
import { checkSolution } from '../src/engines/check.js';
import { SEED_PROBLEM_SOURCE } from '../src/problem/seed.js';
import { solutionOf } from './helpers/solve.js';
import { torch } from './helpers/tools.js';

vi.mock('../src/engines/tfjs.js', () => ({
  tfjsResult: async () => {
    throw new Error('gradient function not found for Frobnicate');
  },
}));

vi.mock('../src/engines/torch-script.js', () => ({
  torchScript: () => 'import sys\nsys.exit("the script broke")\n',
}));

describe('convgrad check, when an engine fails', () => {
  it('reports the engine as failed, with the error, the others as usual, and does not agree', async () => {
    const report = await checkSolution(solutionOf(JSON.parse(SEED_PROBLEM_SOURCE)), '0.0.0');
    const tf = report.engines.find((e) => e.name.startsWith('TensorFlow'))!;
    expect(tf.ran).toBe(false);
    expect(tf.note).toBe("failed: gradient function not found for Frobnicate (a bug in convgrad's use of this engine; please report it with the problem file)");
    expect(report.rows.filter((r) => r.engine.startsWith('TensorFlow')).every((r) => r.verdict === 'failed')).toBe(true);
    expect(report.rows.find((r) => r.engine === 'finite differences' && r.quantity === 'grad.kernel')?.verdict).toBe('agrees');
    expect(report.agree).toBe(false);
  }, 120_000);

  it.skipIf(!torch().available)('reports a PyTorch script that dies as PyTorch failing, not as agreement', async () => {
    const report = await checkSolution(solutionOf(JSON.parse(SEED_PROBLEM_SOURCE)), '0.0.0');
    const pytorch = report.engines.find((e) => e.name.startsWith('PyTorch'))!;
    expect(pytorch.failed).toBe(true);
    expect(pytorch.note).toBe('failed: the PyTorch script failed: the script broke');
    expect(report.rows.filter((r) => r.engine.startsWith('PyTorch')).every((r) => r.verdict === 'failed')).toBe(true);
    expect(report.agree).toBe(false);
  }, 120_000);
});
