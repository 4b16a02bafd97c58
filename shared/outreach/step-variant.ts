import { type SequenceStep, stepIdOf } from '../domain/schemas';
import { getSequenceVersion } from '../store/sequence-versions';
import { assignVariant, personKeyOf } from '../variants/assign';
import type { StepVariant } from '../variants/schema';
import type { StepRun } from './step-run';

/**
 * The A/B variant this try renders (PRODUCT.md §9), or none: the step has no variants, or an operator's own
 * message replaces the content. The variant comes from the sequence version the lead started with (the Task
 * input carries no message bodies: the state machine's payload stays small), and the choice is a function of
 * (person, campaign, step) alone, so a retry, a resumed run or a second lead of the same person gets the same one.
 */
export async function chosenVariant(run: StepRun): Promise<StepVariant | undefined> {
  if (run.input.override) return undefined;
  const step = await sequenceStepOf(run);
  if (!step?.variants) return undefined;
  const stepId = run.input.cursor.step.id;
  const id = assignVariant(step.variants, {
    person: personKeyOf(run.lead),
    campaignId: run.campaign.campaignId,
    stepId,
  });
  return step.variants.find((variant) => variant.id === id);
}

/** The stored step this try runs: found by id in the lead's sequence version (the campaign's current one, else read). */
async function sequenceStepOf({ lead, campaign, input }: StepRun): Promise<SequenceStep | undefined> {
  const version = lead.sequenceVersion ?? campaign.sequence.version;
  const sequence = await getSequenceVersion(campaign.campaignId, version, campaign.sequence);
  const steps = sequence?.steps ?? [];
  return steps.find((step, index) => stepIdOf(step, index) === input.cursor.step.id);
}
