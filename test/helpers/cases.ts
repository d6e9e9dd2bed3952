// Fixed problems every engine is tried on: the kinks, where a derivative is one-sided, and every optimizer.
import { SEED_PROBLEM_SOURCE } from '../../src/problem/seed.js';

/** Kinks, where the derivative is one-sided: convgrad must take PyTorch's side. */
export const KINKS: Record<string, object> = {
  'relu at 0': { input: [[1, -1], [2, 0]], kernel: [[1]], activation: 'relu', head: 'none', target: [[0, 0], [0, 1]], loss: 'mse' },
  'leaky_relu at 0': { input: [[1, -1], [2, 0]], kernel: [[1]], activation: 'leaky_relu', negative_slope: 0.2, head: 'none', target: [[0, 0], [0, 1]] },
  'max pool tie': { input: [[2, 2, 1], [2, 1, 2], [0, 2, 2]], kernel: [[1]], pool: { type: 'max', size: 2, stride: 1 }, head: 'sum', target: 3 },
  'l1 at |y − t| = 0': { input: [[1, 2], [3, 4]], kernel: [[1]], head: 'none', loss: 'l1', target: [[1, 0], [3, 5]] },
  'smooth_l1 at |y − t| = β': { input: [[1, 2], [3, 4]], kernel: [[1]], head: 'none', loss: 'smooth_l1', beta: 1, target: [[0, 3], [3, 4.5]] },
  'smooth_l1 with β = 0': { input: [[1, 2], [3, 4]], kernel: [[1]], head: 'none', loss: 'smooth_l1', beta: 0, target: [[1, 3], [3, 4.5]] },
  'huber at |y − t| = δ': { input: [[1, 2], [3, 4]], kernel: [[1]], head: 'none', loss: 'huber', delta: 2, target: [[3, 0], [3, 4.5]] },
  'bce at 0 and 1': { input: [[100, -100], [0, 1]], kernel: [[1]], activation: 'sigmoid', head: 'none', loss: 'bce', target: [[1, 0], [0.5, 1]] },
};

/** Every optimizer and option of the contract, five steps on the seed with a bias. */
const seedWith = (optimizer: object) => ({ ...JSON.parse(SEED_PROBLEM_SOURCE), bias: '0.5', steps: 5, optimizer });
export const OPTIMIZERS: Record<string, object> = {
  'sgd': seedWith({ type: 'sgd', lr: '0.001' }),
  'sgd momentum, dampening, weight decay': seedWith({ type: 'sgd', lr: '0.001', momentum: 0.9, dampening: 0.1, weight_decay: 0.01 }),
  'sgd nesterov': seedWith({ type: 'sgd', lr: '0.001', momentum: 0.9, nesterov: true }),
  'adam': seedWith({ type: 'adam', lr: 0.1 }),
  'adam weight decay, amsgrad': seedWith({ type: 'adam', lr: 0.1, betas: [0.8, 0.99], eps: 1e-6, weight_decay: 0.1, amsgrad: true }),
  'adamw': seedWith({ type: 'adamw', lr: 0.1 }),
  'adamw amsgrad': seedWith({ type: 'adamw', lr: 0.1, weight_decay: 0.2, amsgrad: true }),
  'rmsprop': seedWith({ type: 'rmsprop', lr: 0.01 }),
  'rmsprop centered, momentum, weight decay': seedWith({ type: 'rmsprop', lr: 0.01, alpha: 0.9, momentum: 0.5, centered: true, weight_decay: 0.1 }),
  'adagrad': seedWith({ type: 'adagrad', lr: 0.1 }),
  'adagrad lr_decay, initial accumulator, eps, weight decay': seedWith({ type: 'adagrad', lr: 0.1, lr_decay: 0.5, initial_accumulator_value: 0.25, eps: 1e-6, weight_decay: 0.1 }),
};

