import * as z from 'zod';
import { taggedMessage } from '../channels/email/ses-tags';
import type { Lead, LeadStatus, OutreachMessage, OutreachStatus } from '../domain/schemas';
import { recordDomainEvent } from '../events/domain-events';
import { complainedFact, messageFact, unsubscribedFact } from '../events/facts';
import { countOutcome, logger } from '../observability';
import { continueAfterLateBounce, type LateBounceResult } from '../outreach/late-bounce';
import { settleParkedBySend } from '../outreach/release';
import { bumpSenderHealth, pauseIfUnhealthy } from '../senders/sender-health';
import { getLead, LeadStatusConflictError, transitionLead } from '../store/leads';
import { findMessageByProviderId, setMessageFieldOnce, setMessageProviderFields } from '../store/message-lookup';
import { advanceMessage, advanceMessageFrom, getMessage } from '../store/outreach';
import { personContactKeys, suppressPerson } from '../store/suppression-checks';
import { addOptOut, addSuppressionIfAbsent, normalizeEmail } from '../store/suppressions';
import { bumpCounters, finalStateCounters } from './metrics-aggregates';
import { bumpVariantCounters } from './variant-metrics';

/** An SES event in the EventBridge envelope (source aws.ses), as AWS documents it. */
const timestamp = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(256);
const stamped = z.object({ timestamp: timestamp.optional() }).passthrough();

export const SesEventEnvelope = z.object({
  'detail-type': z.string().max(128),
  source: z.literal('aws.ses'),
  time: timestamp,
  detail: z.object({
    eventType: z.string().max(64),
    mail: z.object({
      messageId: id,
      timestamp: timestamp.optional(),
      destination: z.array(z.string().max(320)).max(50).default([]),
      tags: z.record(z.string().max(256), z.array(z.string().max(256)).max(10)).default({}),
    }),
    bounce: z
      .object({
        bounceType: z.string().max(64),
        bounceSubType: z.string().max(64).optional(),
        timestamp: timestamp.optional(),
      })
      .optional(),
    complaint: stamped.optional(),
    delivery: stamped.optional(),
    open: stamped.optional(),
    click: stamped.optional(),
    deliveryDelay: stamped.optional(),
  }),
});
export type SesEventEnvelope = z.infer<typeof SesEventEnvelope>;

export interface SesEventResult {
  eventType: string;
  /** What the event changed; `ignored` when it matched nothing or changed nothing (duplicate, late). */
  effect: 'status' | 'field' | 'suppressed' | 'ignored';
  messageId?: string;
  status?: OutreachStatus;
  /** A permanent bounce of the mail that ended the lead's sequence: what became of the sequence. */
  sequence?: Exclude<LateBounceResult, { action: 'none' }>;
}

/** Lead statuses a complaint or an SES unsubscribe may still move to UNSUBSCRIBED. */
const OPEN_LEAD_STATUSES: readonly LeadStatus[] = ['NEW', 'IN_SEQUENCE', 'CONTACTED', 'EXHAUSTED', 'PAUSED', 'BOUNCED'];

async function findMessage(envelope: SesEventEnvelope): Promise<OutreachMessage | undefined> {
  const { tags, messageId: sesMessageId } = envelope.detail.mail;
  // The exact ids, even when SES's tag alphabet made the plain tags lossy (see ses-tags.ts).
  const { leadId, messageId } = taggedMessage(tags);
  if (leadId && messageId) {
    const tagged = await getMessage(leadId, messageId);
    if (tagged) return tagged;
  }
  return findMessageByProviderId(sesMessageId);
}

type OptOutReason = 'complaint' | 'unsubscribed';

/** Whether this call moved the lead to UNSUBSCRIBED for `reason` (false when it had moved already). */
async function stopLead(lead: Lead | undefined, reason: OptOutReason): Promise<boolean> {
  if (!lead) return false;
  try {
    await transitionLead(lead, OPEN_LEAD_STATUSES, 'UNSUBSCRIBED', { stopReason: reason });
    return true;
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
    return false;
  }
}

/** Statuses at which SES accepted a message: a copy of its Send event finds one of them. */
const ACCEPTED: readonly OutreachStatus[] = ['SENT', 'DELIVERED', 'BOUNCED', 'REPLIED'];

/**
 * A complaint or an SES unsubscribe speaks for the person (docs/product.md §1): the opt-out is recorded on every
 * contact key of the lead (address and LinkedIn profile), and on the address the mail went to should the lead's
 * record name another one by now. An erased lead (no recipient) keeps the hash its erasure recorded.
 */
async function optOutPerson(lead: Lead | undefined, recipient: string | undefined, reason: OptOutReason) {
  if (!recipient) return;
  if (lead) await suppressPerson(lead, reason, 'ses');
  const key = `EMAIL#${normalizeEmail(recipient)}`;
  if (!lead || !personContactKeys(lead).includes(key)) await addOptOut(key, reason, 'ses');
}

/** One SES event matched to its stored message. */
interface MatchedEvent {
  eventType: string;
  detail: SesEventEnvelope['detail'];
  message: OutreachMessage;
  /** The address, unless the lead was erased: its suppression is then the hash erasure already keeps. */
  recipient?: string;
  /** The event's own time when it carries one, else the envelope's. */
  at(stamp?: string): string;
}

/**
 * Applies one SES event to its message. Status only moves forward (conditional writes), first-seen
 * timestamps are set once, so duplicates and out-of-order events are harmless. Permanent bounces and
 * complaints suppress the address; a complaint also stops the lead.
 */
export async function handleSesEvent(raw: unknown): Promise<SesEventResult> {
  const envelope = SesEventEnvelope.parse(raw);
  const { detail } = envelope;
  const eventType = detail.eventType;
  const message = await findMessage(envelope);
  if (!message) {
    logger.warn('SES event for an unknown message', { eventType, sesMessageId: detail.mail.messageId });
    return { eventType, effect: 'ignored' };
  }
  const handler = HANDLERS.get(eventType);
  if (!handler) {
    logger.warn('unhandled SES event type', { eventType });
    return { eventType, effect: 'ignored', messageId: message.messageId };
  }
  const erased = (message as { erasedAt?: string }).erasedAt !== undefined;
  const recipient = erased ? undefined : detail.mail.destination[0];
  return handler({ eventType, detail, message, recipient, at: (stamp) => stamp ?? envelope.time });
}

const HANDLERS = new Map<string, (event: MatchedEvent) => Promise<SesEventResult>>([
  ['Send', onSend],
  ['Delivery', onDelivery],
  ['Bounce', onBounce],
  ['Complaint', onComplaint],
  ['Reject', onFailure],
  ['Rendering Failure', onFailure],
  ['RenderingFailure', onFailure],
  ['Open', (event) => fieldOnce(event, 'openedAt', event.detail.open?.timestamp as string | undefined)],
  ['Click', (event) => fieldOnce(event, 'clickedAt', event.detail.click?.timestamp as string | undefined)],
  [
    'DeliveryDelay',
    (event) => fieldOnce(event, 'delayedAt', event.detail.deliveryDelay?.timestamp as string | undefined),
  ],
  ['Subscription', onSubscription],
]);

/** SES accepted it: this settles an `ambiguous_send` whose lead was parked (the lead is then a sent touch). */
async function onSend(event: MatchedEvent): Promise<SesEventResult> {
  const { detail, message } = event;
  const { leadId, messageId } = message;
  await setMessageProviderFields(leadId, messageId, detail.mail.messageId, event.at(detail.mail.timestamp));
  const changed = await advanceMessage(leadId, messageId, 'SENT', {});
  await settleParkedBySend(leadId, messageId, 'ses:Send');
  // Also on a copy: the first may have died before its event (one event per message either way).
  if (changed || ACCEPTED.includes(message.status)) await recordDomainEvent(messageFact('message.sent', message));
  return moved(event, 'SENT', changed);
}

async function onDelivery(event: MatchedEvent): Promise<SesEventResult> {
  const { leadId, messageId } = event.message;
  const deliveredAt = event.at(event.detail.delivery?.timestamp);
  const from = await advanceMessageFrom(leadId, messageId, 'DELIVERED', { deliveredAt });
  // Delivered means sent: the Send event may have been lost with a killed process.
  await settleParkedBySend(leadId, messageId, 'ses:Delivery');
  const changed = await counted(event.message, 'delivered', from);
  // Also on a copy of the event that finds the message delivered (the first may have died before its event).
  if (changed || event.message.deliveredAt !== undefined) {
    const at = event.message.deliveredAt ?? deliveredAt;
    await recordDomainEvent(messageFact('message.delivered', event.message, { deliveredAt: at }));
  }
  return moved(event, 'DELIVERED', changed);
}

/**
 * A transient bounce is only a delay; a permanent one ends the message and suppresses the address (an opt-out
 * already there stands: it says more). If the mail was the touch that ended the lead's sequence, the sequence
 * continues at its next non-EMAIL step (late-bounce.ts).
 */
async function onBounce(event: MatchedEvent): Promise<SesEventResult> {
  const { bounce } = event.detail;
  if (bounce?.bounceType !== 'Permanent') return fieldOnce(event, 'delayedAt', bounce?.timestamp);
  const { leadId, messageId } = event.message;
  const fields = { bouncedAt: event.at(bounce.timestamp), bounceType: bounce.bounceType };
  const from = await advanceMessageFrom(leadId, messageId, 'BOUNCED', fields);
  const changed = await counted(event.message, 'bounced', from);
  if (event.recipient) await addSuppressionIfAbsent(`EMAIL#${normalizeEmail(event.recipient)}`, 'bounce', 'ses');
  // A bounce proves SES accepted the mail: a parked ambiguous try is settled as sent (then bounced).
  await settleParkedBySend(leadId, messageId, 'ses:Bounce');
  // Also on a copy of the event when an earlier one bounced the message: that one may have failed after it.
  const bounced = changed || event.message.status === 'BOUNCED';
  if (bounced) {
    const { bounceType, bounceSubType } = bounce;
    const bouncedAt = event.message.bouncedAt ?? fields.bouncedAt;
    await recordDomainEvent(messageFact('message.bounced', event.message, { bounceType, bounceSubType, bouncedAt }));
  }
  // A copy of the event: the first may have died between the sender's count and its pause.
  if (!changed && bounced && event.message.senderId)
    await pauseIfUnhealthy(event.message.senderId, event.message.campaignId);
  const sequence = bounced ? await continueAfterLateBounce(event.message) : undefined;
  return {
    ...moved(event, 'BOUNCED', changed),
    ...(sequence && sequence.action !== 'none' && { effect: 'status' as const, sequence }),
  };
}

async function onComplaint(event: MatchedEvent): Promise<SesEventResult> {
  const { leadId, messageId, channel } = event.message;
  const complainedAt = event.at(event.detail.complaint?.timestamp as string | undefined);
  const first = await setMessageFieldOnce(leadId, messageId, 'complainedAt', complainedAt);
  if (first) await countAgainstSender(event.message, 'complained');
  else if (event.message.senderId) await pauseIfUnhealthy(event.message.senderId, event.message.campaignId);
  const lead = await getLead(leadId);
  await optOutPerson(lead, event.recipient, 'complaint');
  await stopLead(lead, 'complaint');
  // One complaint per message; a copy of the event finds complainedAt set and records the same event.
  if (first || event.message.complainedAt !== undefined)
    await recordDomainEvent(complainedFact(event.message, event.message.complainedAt ?? complainedAt));
  countOutcome(channel, 'COMPLAINT');
  return { eventType: event.eventType, effect: 'suppressed', messageId };
}

async function onFailure(event: MatchedEvent): Promise<SesEventResult> {
  const { leadId, messageId } = event.message;
  const from = await advanceMessageFrom(leadId, messageId, 'FAILED', { reason: 'provider_error' });
  const changed = await counted(event.message, 'failed', from);
  if (changed || event.message.status === 'FAILED')
    await recordDomainEvent(
      messageFact('message.failed', event.message, { reason: event.message.reason ?? 'provider_error' }),
    );
  return moved(event, 'FAILED', changed);
}

async function onSubscription(event: MatchedEvent): Promise<SesEventResult> {
  const { leadId, messageId } = event.message;
  const lead = await getLead(leadId);
  await optOutPerson(lead, event.recipient, 'unsubscribed');
  const stopped = await stopLead(lead, 'unsubscribed');
  // Also when a copy finds the lead unsubscribed already (not by a complaint, nor by an erasure).
  if (lead && (stopped || isUnsubscribed(lead))) await recordDomainEvent(unsubscribedFact(lead, 'ses_subscription'));
  return { eventType: event.eventType, effect: 'suppressed', messageId };
}

const isUnsubscribed = (lead: Lead) =>
  lead.status === 'UNSUBSCRIBED' &&
  lead.stopReason !== 'complaint' &&
  (lead as { erasedAt?: string }).erasedAt === undefined;

/**
 * Counts a status change in the day's metrics, only when this event made it (never a duplicate): `from` is the
 * status this event's own write moved the message from, so racing events count a message once, in its final
 * state (DELIVERED → BOUNCED moves the count; a Delivery after BOUNCED moves nothing).
 */
async function counted(
  message: OutreachMessage,
  counter: 'delivered' | 'bounced' | 'failed',
  from: OutreachStatus | undefined,
): Promise<boolean> {
  if (from === undefined) return false;
  const counters = finalStateCounters(from, counter);
  await bumpCounters(message.campaignId, message.channel, message.createdAt.slice(0, 10), counters);
  await bumpVariantCounters(message, counters);
  countOutcome(message.channel, counter.toUpperCase());
  if (counter === 'bounced') await countAgainstSender(message, 'bounced');
  return true;
}

/** A pool sender's bounce or complaint: its 7-day rates may now pause it (senders/sender-health.ts). */
async function countAgainstSender(message: OutreachMessage, counter: 'bounced' | 'complained'): Promise<void> {
  if (!message.senderId) return;
  await bumpSenderHealth(message.senderId, message.createdAt.slice(0, 10), counter);
  await pauseIfUnhealthy(message.senderId, message.campaignId);
}

function moved({ eventType, message }: MatchedEvent, status: OutreachStatus, changed: boolean): SesEventResult {
  return {
    eventType,
    effect: changed ? 'status' : 'ignored',
    messageId: message.messageId,
    ...(changed && { status }),
  };
}

async function fieldOnce({ eventType, message, at }: MatchedEvent, field: string, stamp?: string) {
  const changed = await setMessageFieldOnce(message.leadId, message.messageId, field, at(stamp));
  return { eventType, effect: changed ? 'field' : 'ignored', messageId: message.messageId } satisfies SesEventResult;
}
