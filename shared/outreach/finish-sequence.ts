import type { LeadStatus } from '../domain/schemas';
import { recordDomainEvent } from '../events/domain-events';
import { leadRunFact, type SequenceEnd, sequenceCompletedFact } from '../events/facts';
import { getLead, LeadStatusConflictError, transitionLead } from '../store/leads';

/**
 * The ends of a run the state machine marks with Finish Sequence (Mark Lead Exhausted, Mark Lead Contacted). Each
 * records the run's end (`sequence.completed`) on every call: a retried invocation records it again under the same
 * id. `executionName` is the run's (the state machine passes it); without it the lead's current run is meant.
 */

/** Every step was tried: the lead is EXHAUSTED unless something newer (a reply, an unsubscribe) landed. */
export async function markSequenceExhausted(
  leadId: string,
  campaignId: string,
  executionName?: string,
): Promise<LeadStatus | undefined> {
  let status: LeadStatus | undefined = 'EXHAUSTED';
  try {
    await transitionLead({ leadId, campaignId }, ['IN_SEQUENCE', 'NEW'], 'EXHAUSTED');
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
    status = undefined;
  }
  const lead = await getLead(leadId);
  const run = { leadId, campaignId, executionName: executionName ?? lead?.executionName };
  // Moved now, or by this run's earlier invocation (a company's reply also leaves EXHAUSTED, with its own reason).
  if (status === 'EXHAUSTED' || (lead?.status === 'EXHAUSTED' && lead.stopReason !== 'company_replied'))
    await recordDomainEvent(leadRunFact('lead.exhausted', run, run.executionName, { reason: 'all_steps_attempted' }));
  await recordRunEnd(run, 'EXHAUSTED');
  return status ?? lead?.status;
}

/** A run that went on after a sent touch ended: the lead is CONTACTED unless something newer (a reply) landed. */
export async function markSequenceContacted(
  leadId: string,
  campaignId: string,
  executionName?: string,
): Promise<LeadStatus | undefined> {
  let status: LeadStatus | undefined = 'CONTACTED';
  try {
    await transitionLead({ leadId, campaignId }, ['IN_SEQUENCE', 'NEW'], 'CONTACTED');
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
    status = undefined;
  }
  const lead = status && executionName ? undefined : await getLead(leadId);
  await recordRunEnd({ leadId, campaignId, executionName: executionName ?? lead?.executionName }, 'CONTACTED');
  return status ?? lead?.status;
}

async function recordRunEnd(
  run: { leadId: string; campaignId: string; executionName?: string },
  end: SequenceEnd,
): Promise<void> {
  if (!run.executionName) return;
  await recordDomainEvent(sequenceCompletedFact({ ...run, executionName: run.executionName }, end));
}
