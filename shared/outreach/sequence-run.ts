import type { Campaign, ChannelType, Lead, RetryPolicy, SequenceConfig } from '../domain/schemas';
import { resolveChannelConfig } from '../store/config';
import { nowMs } from '../time/clock';

/** Each channel's retry policy from its config (campaign, else account-wide, else the built-in default). */
export type RetryPolicies = Partial<Record<ChannelType, RetryPolicy>>;

const DAY_MS = 86_400_000;

/**
 * The retry policies a sequence's steps fall back on when they set no `maxRetries`/`retryBackoffHours` of their
 * own: one config read per channel the sequence uses, so a batch reads them once, not once per lead.
 */
export async function retryPoliciesFor(campaignId: string, sequence: SequenceConfig): Promise<RetryPolicies> {
  const channels = [...new Set(sequence.steps.map((step) => step.channel))];
  const configs = await Promise.all(channels.map((channel) => resolveChannelConfig(campaignId, channel)));
  return Object.fromEntries(configs.map((config) => [config.channel, config.retryPolicy]));
}

/**
 * The lead fields every start of a sequence execution writes: when it must end. One run of a lead's sequence
 * lasts at most `sequenceTimeoutDays`; the step checks stop it at its next step after that (`sequence_timeout`).
 */
export function sequenceRunFields(campaign: Pick<Campaign, 'sequence'>): Pick<Lead, 'sequenceDeadline'> {
  const deadline = nowMs() + campaign.sequence.sequenceTimeoutDays * DAY_MS;
  return { sequenceDeadline: new Date(deadline).toISOString() };
}
