// Each op's steps in the derivation, found by the op's name: the sections walk the model's stages
// and ask each for its steps, forward in order and backward in reverse.
import type { DerivationContext } from './context.js';
import type { Step } from './step.js';
import { activationSteps } from '../ops/activation/steps.js';
import { conv2dSteps } from '../ops/conv2d/steps.js';
import { headSteps } from '../ops/head/steps.js';
import { poolSteps } from '../ops/pool/steps.js';

/** What the backward section is asked to derive (an exercise may leave out ∂L/∂X). */
export interface BackwardAsk {
  readonly input: boolean;
}

export interface StageSteps {
  forward(ctx: DerivationContext): Step[];
  backward(ctx: DerivationContext, ask: BackwardAsk): Step[];
}

const STEPS: Readonly<Record<string, StageSteps>> = { conv2d: conv2dSteps, activation: activationSteps, pool: poolSteps, head: headSteps };

export function stageSteps(op: string): StageSteps {
  const steps = STEPS[op];
  if (!steps) throw new Error(`internal error: no derivation steps for the op "${op}"`);
  return steps;
}
