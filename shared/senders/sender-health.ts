import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { recordDomainEvent } from '../events/domain-events';
import { logger, raiseOperatorAlert } from '../observability';
import { documentClient } from '../store/client';
import { resolveAccountLimits } from '../store/config';
import { setSenderState } from '../store/senders';
import { tableName } from '../store/tables';
import { nowMs } from '../time/clock';

/**
 * A sender's reputation (PRODUCT.md §10): sends, bounces and complaints per UTC day (`pk SENDERHEALTH#<id>`,
 * `sk <day>`, in the outreach table beside the channel metrics), bumped by the writer whose status change won, so
 * a redelivered event never counts twice. Over the last 7 days, with at least `minSends` sends, a bounce rate
 * above `maxBounceRate` or a complaint rate above `maxComplaintRate` pauses the sender: its untouched leads go to
 * the pool's other senders, its threads wait for it (sender-pool.ts), an operator is alerted and `sender.paused`
 * is recorded once.
 */
export type HealthCounter = 'sent' | 'bounced' | 'complained';

export const HEALTH_WINDOW_DAYS = 7;
export const SENDER_HEALTH_DEFAULTS = { maxBounceRate: 0.05, maxComplaintRate: 0.003, minSends: 20 } as const;
export type HealthThresholds = { maxBounceRate: number; maxComplaintRate: number; minSends: number };

const DAY_MS = 86_400_000;
const healthKey = (senderId: string) => `SENDERHEALTH#${senderId}`;

export async function bumpSenderHealth(senderId: string, day: string, counter: HealthCounter): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('outreach'),
      Key: { pk: healthKey(senderId), sk: day },
      UpdateExpression: 'ADD #counter :one',
      ExpressionAttributeNames: { '#counter': counter },
      ExpressionAttributeValues: { ':one': 1 },
    }),
  );
}

export interface SenderRates {
  sent: number;
  bounced: number;
  complained: number;
  bounceRate: number;
  complaintRate: number;
}

/**
 * The sender's last 7 days (today included), summed, less what it had when an operator last resumed it (the
 * `BASELINE` item): a resumed sender starts afresh instead of being paused again by the bounces that paused it.
 */
export async function senderRates(senderId: string, atMs = nowMs()): Promise<SenderRates> {
  const from = new Date(atMs - (HEALTH_WINDOW_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: tableName('outreach'),
      KeyConditionExpression: 'pk = :pk AND sk >= :from',
      ExpressionAttributeValues: { ':pk': healthKey(senderId), ':from': from },
      ConsistentRead: true,
    }),
  );
  const days = Items.filter((item) => item.sk !== BASELINE);
  const baseline = Items.find((item) => item.sk === BASELINE);
  const sum = (counter: HealthCounter) =>
    Math.max(0, days.reduce((total, item) => total + Number(item[counter] ?? 0), 0) - Number(baseline?.[counter] ?? 0));
  const sent = sum('sent');
  const bounced = sum('bounced');
  const complained = sum('complained');
  return {
    sent,
    bounced,
    complained,
    bounceRate: sent === 0 ? 0 : bounced / sent,
    complaintRate: sent === 0 ? 0 : complained / sent,
  };
}

/** Sorts after every `YYYY-MM-DD`, so the day range query reads it too. */
const BASELINE = 'BASELINE';

/** An operator resumes a paused sender: it starts afresh (its current 7-day counts become the baseline). */
export async function resumeSender(senderId: string): Promise<void> {
  // The baseline grows by what counts now (the counts less the old baseline): afterwards the net is zero.
  const { sent, bounced, complained } = await senderRates(senderId);
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('outreach'),
      Key: { pk: healthKey(senderId), sk: BASELINE },
      UpdateExpression: 'ADD sent :sent, bounced :bounced, complained :complained',
      ExpressionAttributeValues: { ':sent': sent, ':bounced': bounced, ':complained': complained },
    }),
  );
  logger.info('sender resumed: health counted afresh', { senderId, sent, bounced, complained });
  await setSenderState(senderId, 'ACTIVE');
}

/** Why these rates pause a sender, or undefined when they do not (too few sends to judge, or within bounds). */
export function pauseReasonFor(rates: SenderRates, limits: HealthThresholds): string | undefined {
  if (rates.sent < limits.minSends) return undefined;
  const percent = (rate: number) => `${(rate * 100).toFixed(1)} %`;
  if (rates.bounceRate > limits.maxBounceRate)
    return `bounce rate ${percent(rates.bounceRate)} over 7 days (limit ${percent(limits.maxBounceRate)})`;
  if (rates.complaintRate > limits.maxComplaintRate)
    return `complaint rate ${percent(rates.complaintRate)} over 7 days (limit ${percent(limits.maxComplaintRate)})`;
  return undefined;
}

/** After a bounce or complaint of one of its mails: pauses the sender when its rates crossed a threshold. */
export async function pauseIfUnhealthy(senderId: string, campaignId: string): Promise<boolean> {
  const account = await resolveAccountLimits();
  const limits: HealthThresholds = {
    maxBounceRate: account.senderMaxBounceRate ?? SENDER_HEALTH_DEFAULTS.maxBounceRate,
    maxComplaintRate: account.senderMaxComplaintRate ?? SENDER_HEALTH_DEFAULTS.maxComplaintRate,
    minSends: account.senderHealthMinSends ?? SENDER_HEALTH_DEFAULTS.minSends,
  };
  const rates = await senderRates(senderId);
  const reason = pauseReasonFor(rates, limits);
  if (!reason) return false;
  const { changed, record } = await setSenderState(senderId, 'PAUSED', reason);
  if (!changed) {
    // Paused by its health already: the call that paused it may have died before its event (one event per pause).
    if (record.state === 'PAUSED' && record.pausedAt && isHealthReason(record.pausedReason))
      await recordSenderPaused(senderId, campaignId, record.pausedAt, record.pausedReason, rates);
    return false;
  }
  raiseOperatorAlert('sender_paused', { senderId, campaignId, reason, ...rates });
  await recordSenderPaused(senderId, campaignId, record.pausedAt, reason, rates);
  logger.warn('sender paused by its health', { senderId, reason });
  return true;
}

/** The reasons pauseReasonFor gives (an operator's own pause says something else). */
const isHealthReason = (reason: string | undefined) => /^(bounce|complaint) rate /.test(reason ?? '');

/** `sender.paused`: one per pause (the sender and the instant it was paused). */
async function recordSenderPaused(
  senderId: string,
  campaignId: string,
  pausedAt: string | undefined,
  reason: string | undefined,
  rates: SenderRates,
): Promise<void> {
  await recordDomainEvent({
    type: 'sender.paused',
    factKey: `${senderId}\n${pausedAt ?? reason}`,
    campaignId,
    data: { senderId, reason, pausedAt, ...rates },
  });
}
