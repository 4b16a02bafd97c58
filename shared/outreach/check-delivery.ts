import type { ChannelResult } from '../domain/outcome';
import { getLead } from '../store/leads';
import { getMessage } from '../store/outreach';

/**
 * After an accepted email, the sequence checks its message once more: a bounce falls back to the next
 * channel, a complaint stops the lead, anything else confirms the send.
 */
export async function checkDelivery(input: { leadId: string; sent: ChannelResult }): Promise<ChannelResult> {
  const { sent } = input;
  const [message, lead] = await Promise.all([
    sent.messageId ? getMessage(input.leadId, sent.messageId) : undefined,
    getLead(input.leadId),
  ]);
  const confirmed = { channel: sent.channel, messageId: sent.messageId, confirmed: true } as const;
  if (message?.complainedAt || lead?.stopReason === 'complaint') {
    return { ...confirmed, outcome: 'STOP', reason: 'complaint' };
  }
  if (message?.status === 'BOUNCED') {
    return { ...confirmed, outcome: 'FALLBACK', reason: 'bounce', detail: message.bounceType };
  }
  return {
    ...confirmed,
    outcome: 'SENT',
    channelUsed: sent.channel,
    ...(sent.providerMessageId && { providerMessageId: sent.providerMessageId }),
  };
}
