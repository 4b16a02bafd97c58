import type { LeadStatus } from '../domain/schemas';
import { getLead, LeadStatusConflictError, transitionLead } from '../store/leads';

/** Every step was tried: the lead is EXHAUSTED unless something newer (a reply, an unsubscribe) landed. */
export async function markSequenceExhausted(leadId: string, campaignId: string): Promise<LeadStatus | undefined> {
  try {
    await transitionLead({ leadId, campaignId }, ['IN_SEQUENCE', 'NEW'], 'EXHAUSTED');
    return 'EXHAUSTED';
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
    return (await getLead(leadId))?.status;
  }
}

/** A run that went on after a sent touch ended: the lead is CONTACTED unless something newer (a reply) landed. */
export async function markSequenceContacted(leadId: string, campaignId: string): Promise<LeadStatus | undefined> {
  try {
    await transitionLead({ leadId, campaignId }, ['IN_SEQUENCE', 'NEW'], 'CONTACTED');
    return 'CONTACTED';
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
    return (await getLead(leadId))?.status;
  }
}
