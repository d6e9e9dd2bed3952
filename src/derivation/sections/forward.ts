// Section 2: the forward pass, stage by stage: every output entry of the convolution written out as
// a sum of products, then each stage after it, the head read with the loss.
import type { DerivationContext } from '../context.js';
import type { Section, Step } from '../step.js';
import { joined } from '../blocks.js';
import { stageSteps } from '../stage-steps.js';
import { lossStep } from '../../ops/loss/steps.js';

export function forwardSection(ctx: DerivationContext): Section {
  const stages = ctx.step.forward.model.stages;
  const head = stages[stages.length - 1];
  const steps: Step[] = stages.slice(0, -1).flatMap((stage) => stageSteps(stage.op).forward(ctx));
  steps.push(joined('head.reduce', { key: 'step.head.loss' }, [...stageSteps(head.op).forward(ctx), lossStep(ctx)]));
  return { id: 'forward', title: { key: 'section.forward' }, steps };
}
