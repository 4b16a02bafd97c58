import type { ChannelResult } from '../domain/outcome';
import type { Lead, OutreachMessage } from '../domain/schemas';
import { EmailBouncedError, LeadComplainedError } from '../errors';
import { recordDomainEvent } from '../events/domain-events';
import { type SequenceEnd, sequenceCompletedFact } from '../events/facts';
import { releaseCooldown } from '../rate-limit/limiter';
import { getLead } from '../store/leads';
import { getAttempt, getMessage } from '../store/outreach';

/**
 * After an accepted email, the sequence checks its message once more. A bounce or a complaint is raised as
 * the typed error the state machine catches (fall back / stop), so the happy path goes straight from this
 * check to the end: one state fewer on every lead. The run ends after this check unless the mail bounced, so the
 * run's end (`sequence.completed`) is recorded here, on every invocation (a retry records the same event).
 */
export async function checkDelivery(input: { leadId: string; sent: ChannelResult }): Promise<ChannelResult> {
  const { sent } = input;
  const [message, lead] = await Promise.all([
    sent.messageId ? getMessage(input.leadId, sent.messageId) : undefined,
    getLead(input.leadId),
  ]);
  if (message?.complainedAt || lead?.stopReason === 'complaint') {
    await recordRunEnd(message, lead, 'STOPPED', { reason: 'complaint' });
    throw new LeadComplainedError(`lead ${input.leadId} complained about message ${sent.messageId}`);
  }
  if (message?.status === 'BOUNCED') {
    // The email never reached the lead: it is no touch, and the next channel may go at once.
    const attempt = await getAttempt(input.leadId, message.attemptKey);
    if (attempt?.reservation) await releaseCooldown(attempt.reservation);
    throw new EmailBouncedError(`message ${sent.messageId} bounced (${message.bounceType ?? 'Permanent'})`);
  }
  await recordRunEnd(message, lead, 'SUCCEEDED', { channelUsed: sent.channel });
  return { ...sent, outcome: 'SENT', channelUsed: sent.channel, confirmed: true };
}

/** The run that sent the mail ends (its message names it; else the lead's current run). */
async function recordRunEnd(
  message: OutreachMessage | undefined,
  lead: Lead | undefined,
  end: SequenceEnd,
  data: Record<string, unknown>,
): Promise<void> {
  const executionName = message?.executionName ?? lead?.executionName;
  const campaignId = message?.campaignId ?? lead?.campaignId;
  const leadId = message?.leadId ?? lead?.leadId;
  if (!executionName || !campaignId || !leadId) return;
  await recordDomainEvent(
    sequenceCompletedFact({ leadId, campaignId, executionName }, end, { ...data, messageId: message?.messageId }),
  );
}
