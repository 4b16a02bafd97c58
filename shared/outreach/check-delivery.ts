import type { ChannelResult } from '../domain/outcome';
import { EmailBouncedError, LeadComplainedError } from '../errors';
import { releaseCooldown } from '../rate-limit/limiter';
import { getLead } from '../store/leads';
import { getAttempt, getMessage } from '../store/outreach';

/**
 * After an accepted email, the sequence checks its message once more. A bounce or a complaint is raised as
 * the typed error the state machine catches (fall back / stop), so the happy path goes straight from this
 * check to the end: one state fewer on every lead.
 */
export async function checkDelivery(input: { leadId: string; sent: ChannelResult }): Promise<ChannelResult> {
  const { sent } = input;
  const [message, lead] = await Promise.all([
    sent.messageId ? getMessage(input.leadId, sent.messageId) : undefined,
    getLead(input.leadId),
  ]);
  if (message?.complainedAt || lead?.stopReason === 'complaint') {
    throw new LeadComplainedError(`lead ${input.leadId} complained about message ${sent.messageId}`);
  }
  if (message?.status === 'BOUNCED') {
    // The email never reached the lead: it is no touch, and the next channel may go at once.
    const attempt = await getAttempt(input.leadId, message.attemptKey);
    if (attempt?.reservation) await releaseCooldown(attempt.reservation);
    throw new EmailBouncedError(`message ${sent.messageId} bounced (${message.bounceType ?? 'Permanent'})`);
  }
  return { ...sent, outcome: 'SENT', channelUsed: sent.channel, confirmed: true };
}
