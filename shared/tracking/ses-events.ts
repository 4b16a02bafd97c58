import * as z from 'zod';
import { taggedMessage } from '../channels/email/ses-tags';
import type { LeadStatus, OutreachMessage, OutreachStatus } from '../domain/schemas';
import { countOutcome, logger } from '../observability';
import { getLead, LeadStatusConflictError, transitionLead } from '../store/leads';
import { findMessageByProviderId, setMessageFieldOnce, setMessageProviderFields } from '../store/message-lookup';
import { advanceMessage, getAttempt, getMessage } from '../store/outreach';
import { addSuppression, normalizeEmail } from '../store/suppressions';
import { bumpCounters } from './metrics-aggregates';

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

async function stopLead(leadId: string, campaignId: string, reason: 'complaint' | 'unsubscribed'): Promise<void> {
  const lead = await getLead(leadId);
  if (!lead) return;
  try {
    await transitionLead({ leadId, campaignId }, OPEN_LEAD_STATUSES, 'UNSUBSCRIBED', { stopReason: reason });
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
  }
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
  const at = (stamp?: string) => stamp ?? envelope.time;
  const counted = async (counter: 'delivered' | 'bounced' | 'failed', changed: boolean) => {
    if (changed) {
      await bumpCounters(message.campaignId, message.channel, message.createdAt.slice(0, 10), { [counter]: 1 });
      countOutcome(message.channel, counter.toUpperCase());
    }
    return changed;
  };
  const moved = (status: OutreachStatus, changed: boolean): SesEventResult => ({
    eventType,
    effect: changed ? 'status' : 'ignored',
    messageId: message.messageId,
    ...(changed && { status }),
  });
  const { leadId, messageId } = message;
  // An erased lead's address is never written back: its suppression is the hash erasure already keeps.
  const recipient = (message as { erasedAt?: string }).erasedAt ? undefined : detail.mail.destination[0];

  switch (eventType) {
    case 'Send': {
      // SES accepted it: this settles an `ambiguous_send` (the attempt keeps its record, the message is known sent).
      await setMessageProviderFields(leadId, messageId, detail.mail.messageId, at(detail.mail.timestamp));
      const changed = await advanceMessage(leadId, messageId, 'SENT', {});
      const attempt = await getAttempt(leadId, message.attemptKey);
      if (attempt?.reason === 'ambiguous_send')
        logger.info('ambiguous send settled: SES sent it', { leadId, messageId });
      return moved('SENT', changed);
    }
    case 'Delivery':
      return moved(
        'DELIVERED',
        await counted(
          'delivered',
          await advanceMessage(leadId, messageId, 'DELIVERED', { deliveredAt: at(detail.delivery?.timestamp) }),
        ),
      );
    case 'Bounce': {
      if (detail.bounce?.bounceType !== 'Permanent') {
        const changed = await setMessageFieldOnce(leadId, messageId, 'delayedAt', at(detail.bounce?.timestamp));
        return { eventType, effect: changed ? 'field' : 'ignored', messageId };
      }
      const changed = await counted(
        'bounced',
        await advanceMessage(leadId, messageId, 'BOUNCED', {
          bouncedAt: at(detail.bounce.timestamp),
          bounceType: detail.bounce.bounceType,
        }),
      );
      if (recipient) await addSuppression(`EMAIL#${normalizeEmail(recipient)}`, 'bounce', 'ses');
      return moved('BOUNCED', changed);
    }
    case 'Complaint': {
      await setMessageFieldOnce(
        leadId,
        messageId,
        'complainedAt',
        at(detail.complaint?.timestamp as string | undefined),
      );
      if (recipient) await addSuppression(`EMAIL#${normalizeEmail(recipient)}`, 'complaint', 'ses');
      await stopLead(leadId, message.campaignId, 'complaint');
      countOutcome(message.channel, 'COMPLAINT');
      return { eventType, effect: 'suppressed', messageId };
    }
    case 'Reject':
    case 'Rendering Failure':
    case 'RenderingFailure':
      return moved(
        'FAILED',
        await counted('failed', await advanceMessage(leadId, messageId, 'FAILED', { reason: 'provider_error' })),
      );
    case 'Open':
      return fieldOnce(eventType, leadId, messageId, 'openedAt', at(detail.open?.timestamp as string | undefined));
    case 'Click':
      return fieldOnce(eventType, leadId, messageId, 'clickedAt', at(detail.click?.timestamp as string | undefined));
    case 'DeliveryDelay':
      return fieldOnce(
        eventType,
        leadId,
        messageId,
        'delayedAt',
        at(detail.deliveryDelay?.timestamp as string | undefined),
      );
    case 'Subscription': {
      if (recipient) await addSuppression(`EMAIL#${normalizeEmail(recipient)}`, 'unsubscribed', 'ses');
      await stopLead(leadId, message.campaignId, 'unsubscribed');
      return { eventType, effect: 'suppressed', messageId };
    }
    default:
      logger.warn('unhandled SES event type', { eventType });
      return { eventType, effect: 'ignored', messageId };
  }
}

async function fieldOnce(
  eventType: string,
  leadId: string,
  messageId: string,
  field: string,
  value: string,
): Promise<SesEventResult> {
  const changed = await setMessageFieldOnce(leadId, messageId, field, value);
  return { eventType, effect: changed ? 'field' : 'ignored', messageId };
}
