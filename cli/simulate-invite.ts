import { setting } from '#shared/config/settings';
import { HttpProblem } from '#shared/errors';
import { getLead } from '#shared/store/leads';
import { handleLinkedInWebhook } from '#shared/tracking/linkedin-events';
import { requireLead } from './simulate-lead';

/**
 * `cascade simulate invite-accepted`: the LinkedIn member accepts the invitation, as the provider reports it
 * (its `new_relation` webhook), delivered to the same handler as the real call (docs/product.md §7).
 */

/** A `new_relation` call of the LinkedIn provider's webhook (Unipile's shape): the member accepted our invitation. */
export function linkedinRelationEvent(providerId: string, publicIdentifier?: string, accountId?: string) {
  return {
    event: 'new_relation' as const,
    account_id: accountId || setting('CASCADE_LINKEDIN_ACCOUNT_ID') || 'local-account',
    user_provider_id: providerId,
    ...(publicIdentifier && { user_public_identifier: publicIdentifier }),
  };
}

/** Delivers the provider's call; answers the executions it resumed (the webhook's `resumed`). */
export type DeliverWebhook = (payload: unknown) => Promise<string[]>;
const webhookInProcess: DeliverWebhook = async (payload) => {
  const result = await handleLinkedInWebhook(payload);
  return result.answered.filter((wait) => wait.resumed).map((wait) => wait.executionName);
};

export interface InviteAcceptanceOptions {
  deliver?: DeliverWebhook;
  /**
   * The member accepts on the provider's side first (the embedded stack's LinkedIn sandbox), as in life: the
   * provider reports a relation it has. Returns the member's public identifier when it knows the member.
   */
  memberAccepts?: (providerId: string) => string | undefined;
}

export interface SimulatedAcceptance {
  via: 'linkedin-webhook';
  leadId: string;
  linkedinConnectionStatus?: string;
  /** The executions whose wait for this acceptance (`waitFor invite_accepted`) the webhook answered. */
  answeredWaits: string[];
}

/**
 * The lead's LinkedIn member accepts the invitation: the provider's `new_relation` webhook call for the member
 * (the lead's `linkedinProviderId`, which the LinkedIn channel set when it invited them), delivered as the
 * provider delivers it. The webhook marks the lead CONNECTED and resumes the runs waiting for the acceptance.
 */
export async function simulateInviteAccepted(
  leadId: string,
  options: InviteAcceptanceOptions = {},
): Promise<SimulatedAcceptance> {
  const lead = await requireLead(leadId);
  if (!lead.linkedinProviderId)
    throw new HttpProblem(
      409,
      'no_linkedin_profile',
      `lead ${lead.leadId} has no LinkedIn provider id yet (the LinkedIn channel sets it when it invites the member)`,
    );
  const publicIdentifier = options.memberAccepts?.(lead.linkedinProviderId);
  const resumed = await (options.deliver ?? webhookInProcess)(
    linkedinRelationEvent(lead.linkedinProviderId, publicIdentifier),
  );
  const after = await getLead(lead.leadId);
  if (after?.linkedinConnectionStatus !== 'CONNECTED')
    throw new HttpProblem(
      409,
      'not_matched',
      `the webhook did not find lead ${lead.leadId} by its LinkedIn member id (no LINKEDIN# index item)`,
    );
  return {
    via: 'linkedin-webhook',
    leadId: lead.leadId,
    linkedinConnectionStatus: after.linkedinConnectionStatus,
    // Only runs the acceptance resumed: a wait that had timed out already answers nothing.
    answeredWaits: resumed.filter((executionName) => executionName.includes(lead.leadId)),
  };
}
