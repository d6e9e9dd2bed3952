// Section 3: the chain rule from L back through every stage in reverse, to δ = ∂L/∂σ and then to
// every kernel entry, the bias and every input entry: each found entry by entry (by differentiating
// the written-out expressions) and again by the compact rule, literally as printed, and shown equal.
import type { DerivationContext } from '../context.js';
import type { Section, Step } from '../step.js';
import { joined } from '../blocks.js';
import { stageSteps, type BackwardAsk } from '../stage-steps.js';
import { lossSlopeStep } from '../../ops/loss/steps.js';
import { headInput } from '../../ops/head/steps.js';

export function backwardSection(ctx: DerivationContext, ask: BackwardAsk = { input: true }): Section {
  const stages = ctx.step.forward.model.stages;
  // From L to the map the head reads (δ itself when that is σ), read as one step.
  const head = stageSteps(stages[stages.length - 1].op).backward(ctx, ask);
  const start = head.length === 0 ? lossSlopeStep(ctx) : joined('chain.loss-prediction', { key: headInput(ctx) === 'sigma' ? 'step.chain.to-delta' : 'step.chain.to-map' }, [lossSlopeStep(ctx), ...head]);
  const steps: Step[] = [start, ...stages.slice(0, -1).reverse().flatMap((stage) => stageSteps(stage.op).backward(ctx, ask))];
  return { id: 'backward', title: { key: 'section.backward' }, steps };
}
