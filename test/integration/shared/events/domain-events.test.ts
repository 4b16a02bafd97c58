import { readFileSync } from 'node:fs';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalEventBridge } from '#local/eventbridge/bus';
import { startEventBridgePeer } from '#local/eventbridge/peer';
import type { EventEnvelope } from '#local/eventbridge/rules';
import { documentClient } from '#shared/aws/clients';
import { type DomainEvent, eventIdFor, recordDomainEvent } from '#shared/events/domain-events';
import { republishOutbox } from '#shared/events/outbox';
import { OUTBOX_PK } from '#shared/events/publish';
import { eraseLeadOutreach } from '#shared/store/erasure';
import { createLead } from '#shared/store/leads';
import { putMessage } from '#shared/store/outreach';
import { tableName } from '#shared/store/tables';
import { handleSesEvent } from '#shared/tracking/ses-events';
import { testLead } from '#test/support/fixtures';
import { useLocalDynamo } from '#test/support/local-dynamo';

/**
 * PRODUCT.md §11 events: a fact is stored once under its stable id and every recording puts the stored event on
 * the Cascade bus (a local EventBridge through its peer, a rule on the custom bus capturing what arrives); what the
 * bus does not take waits in the outbox until the sweep puts it.
 */
const BUS = 'CascadeEvents';
let captured: EventEnvelope[] = [];
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const dynamo = await useLocalDynamo();
  closers.push(() => dynamo.close());
  const bus = new LocalEventBridge({
    accountId: '123456789012',
    region: 'us-east-1',
    rules: [
      {
        name: 'Capture',
        eventBusName: BUS,
        state: 'ENABLED',
        eventPattern: { source: ['cascade'] },
        targets: [{ id: 'capture', arn: 'arn:aws:lambda:us-east-1:123456789012:function:capture' }],
      },
    ],
    retryDelayMs: 1,
    invoke: async (_arn, payload) => {
      captured.push(payload as EventEnvelope);
    },
  });
  const peer = await startEventBridgePeer(bus);
  closers.push(peer.close);
  // Before the first PutEvents: the client is made once, reading its endpoint then.
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = peer.endpoint;
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

beforeEach(() => {
  captured = [];
  process.env.CASCADE_EVENT_BUS_NAME = BUS;
});

/** The bus delivers after PutEvents answers: wait until `count` events were captured. */
async function capturedEvents(count: number): Promise<DomainEvent[]> {
  for (let waited = 0; captured.length < count && waited < 5_000; waited += 10)
    await new Promise((resolve) => setTimeout(resolve, 10));
  return captured.map((envelope) => envelope.detail as DomainEvent);
}

async function outboxMarkers() {
  const { Items } = await documentClient().send(
    new QueryCommand({
      TableName: tableName('outreach'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': OUTBOX_PK },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

let serial = 0;
const fact = (leadId = `lead-${++serial}`) => ({
  type: 'task.created' as const,
  factKey: `task-${serial}`,
  campaignId: 'events',
  leadId,
  data: { taskId: `task-${serial}`, kind: 'call' },
});

describe('recordDomainEvent', () => {
  it('stores a fact recorded twice once, and publishes the stored event both times', async () => {
    // Prepare
    const same = fact();

    // Act
    const first = await recordDomainEvent(same);
    const second = await recordDomainEvent({ ...same, data: { ...same.data, kind: 'other' } });

    // Assess
    const published = await capturedEvents(2);
    expect(first.recorded).toBe(true);
    expect(second.recorded).toBe(false);
    expect(second.event).toEqual(first.event);
    expect(published).toEqual([first.event, first.event]);
    expect(captured.map((envelope) => [envelope.source, envelope['detail-type']])).toEqual([
      ['cascade', 'task.created'],
      ['cascade', 'task.created'],
    ]);
    const { Items } = await documentClient().send(
      new QueryCommand({
        TableName: tableName('outreach'),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
        ExpressionAttributeValues: { ':pk': `LEAD#${same.leadId}`, ':event': 'EVENT#' },
        ConsistentRead: true,
      }),
    );
    expect(Items?.map((item) => item.id)).toEqual([eventIdFor('task.created', same.factKey)]);
  });

  it('keeps an event the bus refuses in the outbox, and the sweep puts it and removes the marker', async () => {
    // Prepare: a bus that does not exist answers the entry with ResourceNotFoundException.
    process.env.CASCADE_EVENT_BUS_NAME = 'NoSuchBus';
    const { event } = await recordDomainEvent(fact());
    const markers = await outboxMarkers();
    process.env.CASCADE_EVENT_BUS_NAME = BUS;

    // Act
    const swept = await republishOutbox();

    // Assess
    expect(markers).toMatchObject([{ sk: `${event.createdAt}#${event.id}`, eventId: event.id }]);
    expect(swept).toEqual({ republished: 1 });
    expect(await capturedEvents(1)).toEqual([event]);
    expect(await outboxMarkers()).toEqual([]);
  });

  it('records the fact and leaves a marker when no bus is configured, without failing the caller', async () => {
    // Prepare
    delete process.env.CASCADE_EVENT_BUS_NAME;

    // Act
    const { event, recorded } = await recordDomainEvent(fact());

    // Assess
    expect(recorded).toBe(true);
    expect((await outboxMarkers()).map((marker) => marker.eventId)).toEqual([event.id]);
    process.env.CASCADE_EVENT_BUS_NAME = BUS;
    expect(await republishOutbox()).toEqual({ republished: 1 });
  });
});

describe('an SES event delivered twice', () => {
  it('gives one message.delivered event, published under the same id both times, with no address in it', async () => {
    // Prepare
    const leadId = 'lead-ses-delivered';
    const recipient = 'pat.person@events-test.example';
    await createLead(testLead({ leadId, campaignId: 'events', email: recipient, status: 'IN_SEQUENCE' }));
    await putMessage({
      messageId: 'msg-delivered',
      leadId,
      campaignId: 'events',
      channel: 'EMAIL',
      status: 'SENT',
      subject: 'A subject',
      body: 'Hello',
      executionName: 'events--lead-ses-delivered',
      attemptKey: 'events--lead-ses-delivered#1#1',
      senderId: 'sender-1',
      variantId: 'b',
      providerMessageId: 'ses-delivered-1',
      createdAt: '2026-11-20T10:15:29.000Z',
    });
    const envelope = JSON.parse(readFileSync('test/fixtures/ses-events/delivery.json', 'utf8'));
    envelope.detail.mail.messageId = 'ses-delivered-1';
    envelope.detail.mail.destination = [recipient];
    envelope.detail.mail.tags.lead = [leadId];
    envelope.detail.mail.tags.message = ['msg-delivered'];

    // Act
    await handleSesEvent(envelope);
    await handleSesEvent(envelope);

    // Assess
    const published = await capturedEvents(2);
    const id = eventIdFor('message.delivered', 'msg-delivered');
    expect(published.map((event) => [event.type, event.id])).toEqual([
      ['message.delivered', id],
      ['message.delivered', id],
    ]);
    expect(published[0]).toMatchObject({
      campaignId: 'events',
      leadId,
      data: { messageId: 'msg-delivered', channel: 'EMAIL', step: 1, senderId: 'sender-1', variantId: 'b' },
    });
    expect(published[1]).toEqual(published[0]);
    expect(JSON.stringify(published)).not.toMatch(/pat\.person|events-test\.example|A subject|Hello/);
    const stored = await documentClient().send(
      new GetCommand({ TableName: tableName('outreach'), Key: { pk: `LEAD#${leadId}`, sk: `EVENT#${id}` } }),
    );
    expect(stored.Item?.createdAt).toBe(published[0]?.createdAt);
  });
});

describe("a lead's erasure", () => {
  it('keeps its events to ids and codes, and a later recording of the same fact publishes the scrubbed body', async () => {
    // Prepare: an out-of-office event carries the return date read from the person's auto-reply.
    const leadId = 'lead-erased';
    const away = {
      type: 'lead.out_of_office' as const,
      factKey: `${leadId}\nmsg-1`,
      campaignId: 'events',
      leadId,
      data: { messageId: 'msg-1', resumeAt: '2026-02-02T09:00:00.000Z', returnDate: '2026-02-01' },
    };
    await recordDomainEvent(away);

    // Act
    await eraseLeadOutreach(leadId, '2026-01-15T00:00:00.000Z');
    const again = await recordDomainEvent(away);

    // Assess
    expect(again.event.data).toEqual({ messageId: 'msg-1', resumeAt: '2026-02-02T09:00:00.000Z' });
    const published = await capturedEvents(2);
    expect(published[1]).toEqual(again.event);
  });
});
