import type { DomainEvent } from '../events/domain-events';
import { logger } from '../observability';
import { nowMs } from '../time/clock';
import { tryDelivery } from './attempt';
import { nextTryAt, queueDelaySeconds } from './backoff';
import {
  claimTry,
  createDeliveryIfAbsent,
  markTryQueued,
  readDelivery,
  recordTry,
  type StoredDelivery,
  type TryOutcome,
} from './delivery-store';
import { queueRetry } from './retry-queue';
import type { RetryMessage, Webhook } from './schema';
import { webhooksSubscribedTo, webhookWithSecret } from './store';

/**
 * Delivery of events to webhooks, at least once (PRODUCT.md §11). A message — the event itself for the first
 * try, a retry message for the next ones — names one try of one delivery; the try is claimed with a conditional
 * write, so duplicates and concurrent messages never make it twice, and a dispatcher that crashed mid-try is
 * taken over once its lease runs out. Whatever a receiver does is recorded as the try's outcome; only our own
 * failures (DynamoDB, SQS) throw, so the queue redelivers the message.
 */
export interface DeliveryRef {
  webhookId: string;
  deliveryId: string;
  attempt: number;
}

export type DispatchOutcome = DeliveryRef &
  (
    | { outcome: 'delivered' | 'retrying' | 'dead' }
    | { outcome: 'requeued'; delaySeconds: number }
    | { outcome: 'dropped'; reason: string }
  );

function dropped(ref: DeliveryRef, reason: string): DispatchOutcome {
  logger.info('webhook message dropped', { ...ref, reason });
  return { ...ref, outcome: 'dropped', reason };
}

/** The first try of the event's delivery to every active webhook subscribed to its type. */
export async function dispatchEvent(event: DomainEvent): Promise<DispatchOutcome[]> {
  const webhooks = await webhooksSubscribedTo(event.type);
  const settled = await Promise.allSettled(
    webhooks.map(async (webhook) => {
      const delivery = await createDeliveryIfAbsent(webhook.webhookId, event, new Date(nowMs()).toISOString());
      return advance(webhook, delivery, 1);
    }),
  );
  // One webhook's store failure must not stop the others; the redelivered message finds theirs done.
  const failure = settled.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<DispatchOutcome>).value);
}

/** A retry message: try `attempt` of the delivery, when it is due and still wanted. */
export async function continueDelivery(message: Omit<RetryMessage, 'kind'>): Promise<DispatchOutcome> {
  const ref = { webhookId: message.webhookId, deliveryId: message.deliveryId, attempt: message.attempt };
  const webhook = await webhookWithSecret(ref.webhookId);
  if (!webhook) return dropped(ref, 'the webhook was deleted');
  const delivery = await readDelivery(ref.webhookId, ref.deliveryId);
  if (!delivery) return dropped(ref, 'no such delivery');
  return advance(webhook, delivery, ref.attempt);
}

/** What the message for try `attempt` does, given the delivery as it was read. */
async function advance(webhook: Webhook, delivery: StoredDelivery, attempt: number): Promise<DispatchOutcome> {
  const ref = { webhookId: webhook.webhookId, deliveryId: delivery.deliveryId, attempt };
  const now = nowMs();
  if (delivery.status === 'DELIVERED' || delivery.status === 'DEAD')
    return dropped(ref, `the delivery is ${delivery.status}`);
  if (delivery.attempts > attempt) return dropped(ref, 'a later try was made');
  if (delivery.attempts === attempt) {
    // This try was made: its successor's message may have been lost (we failed between recording and queueing).
    if (delivery.status === 'RETRYING') return ensureNextQueued(ref, delivery, now);
    const leaseRunOut = delivery.status === 'ATTEMPTING' && (delivery.leaseUntil ?? '') < new Date(now).toISOString();
    return leaseRunOut ? attemptTry(webhook, ref, now) : dropped(ref, 'the try is under way');
  }
  if (delivery.attempts < attempt - 1) return dropped(ref, 'an earlier try was not made');
  const dueMs = delivery.nextAttemptAt ? Date.parse(delivery.nextAttemptAt) : now;
  if (dueMs > now) {
    const delaySeconds = queueDelaySeconds(dueMs, now);
    await queueRetry(ref, delaySeconds);
    return { ...ref, outcome: 'requeued', delaySeconds };
  }
  return attemptTry(webhook, ref, now);
}

/** Re-sends the next try's message unless the delivery says it was sent. */
async function ensureNextQueued(ref: DeliveryRef, delivery: StoredDelivery, now: number): Promise<DispatchOutcome> {
  const next = ref.attempt + 1;
  if (delivery.queuedTry === next) return dropped(ref, 'the next try is already queued');
  const dueMs = delivery.nextAttemptAt ? Date.parse(delivery.nextAttemptAt) : now;
  const delaySeconds = queueDelaySeconds(dueMs, now);
  await queueRetry({ ...ref, attempt: next }, delaySeconds);
  await markTryQueued(ref.webhookId, ref.deliveryId, next);
  return { ...ref, attempt: next, outcome: 'requeued', delaySeconds };
}

function outcomeOf(delivered: boolean, attempt: number, endMs: number, firstAttemptAt: string | undefined) {
  if (delivered) return { next: 'delivered' } as const;
  const nextMs = nextTryAt(attempt, endMs, firstAttemptAt ? Date.parse(firstAttemptAt) : endMs);
  return nextMs === undefined
    ? ({ next: 'dead' } as const)
    : ({ next: 'retry', nextAttemptAt: new Date(nextMs).toISOString() } as const);
}

/** Claims the try, makes it, records it, and queues the next one when it failed within the 24 h window. */
async function attemptTry(webhook: Webhook, ref: DeliveryRef, now: number): Promise<DispatchOutcome> {
  const claimed = await claimTry(ref.webhookId, ref.deliveryId, ref.attempt, now);
  if (!claimed) return dropped(ref, 'another message has this try');
  const result = await tryDelivery(
    webhook.url,
    webhook.secret,
    claimed.eventId,
    claimed.payload,
    new Date(now).toISOString(),
  );
  const endMs = nowMs();
  const next = outcomeOf(result.delivered, ref.attempt, endMs, claimed.firstAttemptAt);
  const outcome = { ...next, record: result.record } as TryOutcome;
  const recorded = await recordTry(claimed, outcome);
  if (!recorded) return dropped(ref, 'the try was taken over after its lease ran out');
  if (outcome.next === 'retry') {
    const nextTry = ref.attempt + 1;
    await queueRetry({ ...ref, attempt: nextTry }, queueDelaySeconds(Date.parse(outcome.nextAttemptAt), endMs));
    await markTryQueued(ref.webhookId, ref.deliveryId, nextTry);
    return { ...ref, outcome: 'retrying' };
  }
  return { ...ref, outcome: outcome.next === 'delivered' ? 'delivered' : 'dead' };
}
