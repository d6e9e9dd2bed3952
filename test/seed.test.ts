// The seed problem of the contract, number by number, exactly.
import { describe, expect, it } from 'vitest';
import { SEED_PROBLEM_SOURCE } from '../src/problem/seed.js';
import { resultOf } from './helpers/solve.js';

describe('the seed problem', () => {
  const result = resultOf(SEED_PROBLEM_SOURCE);

  it('forward: σ, S = 232, L = 4', () => {
    expect(result.exact.forward.conv).toEqual([['36', '47'], ['69', '80']]);
    expect(result.exact.forward.prediction).toBe('232');
    expect(result.exact.forward.loss).toBe('4');
  });

  it('gradients: ∂L/∂K = [[48, 64], [96, 112]], ∂L/∂X = [[12, 20, 8], [16, 44, 28], [4, 24, 20]]', () => {
    expect(result.exact.grad.kernel).toEqual([['48', '64'], ['96', '112']]);
    expect(result.exact.grad.input).toEqual([['12', '20', '8'], ['16', '44', '28'], ['4', '24', '20']]);
    expect(result.grad).not.toHaveProperty('bias');
  });

  it('SGD with lr 0.01: K′ = [[63/25, 34/25], [1/25, 97/25]], printed as 2.52 and not 2.5199999809', () => {
    expect(result.exact.updated.kernel).toEqual([['63/25', '34/25'], ['1/25', '97/25']]);
    expect(result.updated.kernel).toEqual([[2.52, 1.36], [0.04, 3.88]]);
    expect(JSON.stringify(result.updated.kernel)).toBe('[[2.52,1.36],[0.04,3.88]]');
  });

  it('the trajectory has one step with the loss before it and the kernel after it', () => {
    expect(result.trajectory).toEqual([{ step: 1, loss: 4, kernel: [[2.52, 1.36], [0.04, 3.88]] }]);
  });
});
