import { Webhook as Verifier } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalDynamo } from '#local/dynamodb';
import type { DomainEvent } from '#shared/events/domain-events';
import { OffsetClock, runWithClock } from '#shared/time/clock';
import { claimTry, LEASE_MS } from '#shared/webhooks/delivery-store';
import { continueDelivery, dispatchEvent } from '#shared/webhooks/dispatch';
import { retryDelivery } from '#shared/webhooks/replay';
import type { RetryMessage } from '#shared/webhooks/schema';
import { createWebhook, deleteWebhook, getDelivery, listDeliveries, listWebhooks } from '#shared/webhooks/store';
import { useLocalDynamo } from '#test/support/local-dynamo';
import { type Receiver, type SqsPeer, startReceiver, startSqsPeer } from './peers';

/** Delivery against a real store (dynalite), a real loopback receiver and an SQS peer that records messages. */
let dynamo: LocalDynamo;
let sqs: SqsPeer;
let receiver: Receiver;
let eventCount = 0;

beforeAll(async () => {
  dynamo = await useLocalDynamo();
  sqs = await startSqsPeer();
  receiver = await startReceiver();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    CASCADE_WEBHOOK_QUEUE_URL: sqs.queueUrl,
    CASCADE_ALLOW_PRIVATE_NETWORK: '1',
  });
});

afterAll(async () => {
  await receiver?.close();
  await sqs?.close();
  await dynamo?.close();
});

beforeEach(async () => {
  // Each test registers its own webhooks; none of an earlier test takes part.
  for (const hook of await listWebhooks()) await deleteWebhook(hook.webhookId);
  receiver.received.length = 0;
  receiver.answer = 200;
  receiver.delayMs = 0;
  sqs.sent.length = 0;
});

function newEvent(type: DomainEvent['type'] = 'message.sent'): DomainEvent {
  eventCount++;
  return {
    id: `evt_${Date.now()}_${eventCount}`,
    type,
    createdAt: new Date().toISOString(),
    campaignId: 'camp-1',
    leadId: `lead-${eventCount}`,
    data: { messageId: `msg_${eventCount}`, channel: 'EMAIL' },
  };
}

const later = <T>(ms: number, work: () => Promise<T>) => runWithClock(new OffsetClock(ms), work);
const HOUR = 3_600_000;
const lastRetry = () => sqs.sent.at(-1)?.body as RetryMessage;

describe('webhook delivery', () => {
  it('delivers a signed event on the first try, only to the webhooks subscribed to its type', async () => {
    // Prepare
    const hook = await createWebhook({ url: receiver.url, events: ['message.sent'] });
    const other = await createWebhook({ url: receiver.url, events: ['task.created'] });
    const deleted = await createWebhook({ url: receiver.url, events: ['*'] });
    await deleteWebhook(deleted.webhookId);
    const event = newEvent();

    // Act
    const outcomes = await dispatchEvent(event);

    // Assess
    expect(outcomes.map((each) => [each.webhookId, each.outcome])).toEqual([[hook.webhookId, 'delivered']]);
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    expect(JSON.parse(request?.body ?? '')).toEqual(event);
    expect(request?.headers['content-type']).toBe('application/json');
    const verified = new Verifier(hook.secret).verify(request?.body ?? '', request?.headers as Record<string, string>);
    expect(verified).toEqual(event);
    expect(request?.headers['webhook-id']).toBe(event.id);
    const [delivery] = (await listDeliveries(hook.webhookId, { limit: 10 })).items;
    expect(delivery).toMatchObject({ eventId: event.id, status: 'DELIVERED', attempts: 1, lastStatusCode: 200 });
    expect(delivery?.attemptLog).toHaveLength(1);
    expect(delivery).not.toHaveProperty('payload');
    expect((await listDeliveries(other.webhookId, { limit: 10 })).items).toEqual([]);
    expect(sqs.sent).toEqual([]);
  });

  it('schedules a retry after a failed try and delivers once the receiver recovers', async () => {
    // Prepare
    const hook = await createWebhook({ url: receiver.url, events: ['*'] });
    receiver.answer = 503;
    const event = newEvent();

    // Act: the first try fails.
    const [first] = await dispatchEvent(event);

    // Assess: RETRYING, due in 5 s, its message queued with that delay.
    expect(first?.outcome).toBe('retrying');
    const deliveryId = first?.deliveryId ?? '';
    const retrying = await getDelivery(hook.webhookId, deliveryId);
    expect(retrying).toMatchObject({ status: 'RETRYING', attempts: 1, lastStatusCode: 503 });
    const dueIn = Date.parse(retrying?.nextAttemptAt ?? '') - Date.now();
    expect(dueIn).toBeGreaterThan(3_000);
    expect(dueIn).toBeLessThanOrEqual(5_000);
    expect(sqs.sent).toEqual([
      { body: { kind: 'webhook.retry', webhookId: hook.webhookId, deliveryId, attempt: 2 }, delaySeconds: 5 },
    ]);

    // Act: the retry message, once due, after the receiver recovered.
    receiver.answer = 204;
    const second = await later(6_000, () => continueDelivery(lastRetry()));

    // Assess
    expect(second.outcome).toBe('delivered');
    const delivered = await getDelivery(hook.webhookId, deliveryId);
    expect(delivered).toMatchObject({ status: 'DELIVERED', attempts: 2, lastStatusCode: 204 });
    expect(delivered?.attemptLog.map((attempt) => attempt.statusCode)).toEqual([503, 204]);
    expect(delivered).not.toHaveProperty('lastError');
    // Both tries carried the same id and body.
    expect(receiver.received.map((each) => each.headers['webhook-id'])).toEqual([event.id, event.id]);
    expect(receiver.received[1]?.body).toBe(receiver.received[0]?.body);
  });

  it('re-queues a retry message that arrives before its try is due, for the time left', async () => {
    // Prepare
    await createWebhook({ url: receiver.url, events: ['*'] });
    receiver.answer = 500;
    await dispatchEvent(newEvent());
    const message = lastRetry();
    sqs.sent.length = 0;

    // Act
    const outcome = await continueDelivery(message);

    // Assess: nothing was tried, the same message is back on the queue.
    expect(outcome).toMatchObject({ outcome: 'requeued' });
    expect(receiver.received).toHaveLength(1);
    expect(sqs.sent).toHaveLength(1);
    expect(sqs.sent[0]?.body).toEqual(message);
    expect(sqs.sent[0]?.delaySeconds).toBeGreaterThan(0);
    expect(sqs.sent[0]?.delaySeconds).toBeLessThanOrEqual(5);
  });

  it('makes one delivery of an event published twice', async () => {
    // Prepare
    const hook = await createWebhook({ url: receiver.url, events: ['message.sent'] });
    const event = newEvent();

    // Act
    await dispatchEvent(event);
    const again = await dispatchEvent({ ...event });

    // Assess
    expect(again[0]?.outcome).toBe('dropped');
    expect((await listDeliveries(hook.webhookId, { limit: 10 })).items).toHaveLength(1);
    expect(receiver.received).toHaveLength(1);
  });

  it('records a receiver that hangs up as a failed try, without throwing', async () => {
    // Prepare
    const hook = await createWebhook({ url: receiver.url, events: ['*'] });
    receiver.answer = 'hang-up';

    // Act
    const [outcome] = await dispatchEvent(newEvent());

    // Assess
    expect(outcome?.outcome).toBe('retrying');
    const delivery = await getDelivery(hook.webhookId, outcome?.deliveryId ?? '');
    expect(delivery?.lastError).toMatch(/failed/);
    expect(delivery?.lastStatusCode).toBeUndefined();
  });

  it('dead-letters a delivery whose tries keep failing 24 h after the first, and replays it on demand', async () => {
    // Prepare
    const hook = await createWebhook({ url: receiver.url, events: ['*'] });
    receiver.answer = 500;
    const [first] = await dispatchEvent(newEvent());
    const deliveryId = first?.deliveryId ?? '';
    const retry = lastRetry();
    sqs.sent.length = 0;

    // Act: the second try, made 25 h later, fails too.
    const second = await later(25 * HOUR, () => continueDelivery(retry));

    // Assess
    expect(second.outcome).toBe('dead');
    const dead = await getDelivery(hook.webhookId, deliveryId);
    expect(dead).toMatchObject({ status: 'DEAD', attempts: 2 });
    expect(dead?.deadAt).toBeDefined();
    expect(sqs.sent).toEqual([]);
    expect((await listDeliveries(hook.webhookId, { status: 'DEAD', limit: 10 })).items).toHaveLength(1);

    // Act: the operator replays it; the receiver is back.
    receiver.answer = 200;
    const reopened = await retryDelivery(hook.webhookId, deliveryId);
    const replayed = await continueDelivery(lastRetry());

    // Assess
    expect(reopened).toMatchObject({ status: 'RETRYING', attempts: 2 });
    expect(reopened.firstAttemptAt).toBeUndefined();
    expect(sqs.sent).toEqual([{ body: { ...retry, attempt: 3 }, delaySeconds: 0 }]);
    expect(replayed.outcome).toBe('delivered');
    const delivered = await getDelivery(hook.webhookId, deliveryId);
    expect(delivered).toMatchObject({ status: 'DELIVERED', attempts: 3 });
    expect(delivered?.attemptLog.map((attempt) => attempt.statusCode)).toEqual([500, 500, 200]);
  });

  it('lets only one of two concurrent messages for the same try make it', async () => {
    // Prepare
    const hook = await createWebhook({ url: receiver.url, events: ['*'] });
    receiver.answer = 500;
    await dispatchEvent(newEvent());
    const retry = lastRetry();
    receiver.answer = 200;
    receiver.delayMs = 200;

    // Act
    const outcomes = await later(6_000, () => Promise.all([continueDelivery(retry), continueDelivery(retry)]));

    // Assess
    expect(outcomes.map((each) => each.outcome).sort()).toEqual(['delivered', 'dropped']);
    expect(receiver.received).toHaveLength(2);
    expect(await getDelivery(hook.webhookId, retry.deliveryId)).toMatchObject({ status: 'DELIVERED', attempts: 2 });
  });

  it('drops a retry message whose webhook was deleted', async () => {
    // Prepare
    const hook = await createWebhook({ url: receiver.url, events: ['*'] });
    receiver.answer = 500;
    await dispatchEvent(newEvent());
    const retry = lastRetry();
    await deleteWebhook(hook.webhookId);

    // Act
    const outcome = await later(6_000, () => continueDelivery(retry));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'dropped', reason: 'the webhook was deleted' });
    expect(receiver.received).toHaveLength(1);
  });

  it('takes over a try whose dispatcher crashed, once its lease ran out', async () => {
    // Prepare: a dispatcher claimed the second try and died before recording it.
    await createWebhook({ url: receiver.url, events: ['*'] });
    receiver.answer = 500;
    await dispatchEvent(newEvent());
    const retry = lastRetry();
    const crashedAt = Date.now() + 6_000;
    expect(await claimTry(retry.webhookId, retry.deliveryId, retry.attempt, crashedAt)).toBeDefined();
    receiver.answer = 200;

    // Act: the redelivered message, within the lease and after it.
    const early = await later(6_000 + LEASE_MS / 2, () => continueDelivery(retry));
    const late = await later(6_000 + LEASE_MS + 1_000, () => continueDelivery(retry));

    // Assess
    expect(early).toMatchObject({ outcome: 'dropped', reason: 'the try is under way' });
    expect(late.outcome).toBe('delivered');
    expect(receiver.received).toHaveLength(2);
    expect(await getDelivery(retry.webhookId, retry.deliveryId)).toMatchObject({ status: 'DELIVERED', attempts: 2 });
  });
});
