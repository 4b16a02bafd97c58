import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '#cli/serve';
import { documentClient } from '#shared/aws/clients';
import { tableName } from '#shared/store/tables';
import { callJson } from '../../support/http-call';
import { waitFor } from '../../support/wait';

/**
 * Issue 16's acceptance: a demo batch through `cascade serve`, every event delivered to a receiver that fails the
 * first two tries of every third event. Retries run on the dispatcher's real backoff (5 s, then 30 s), so this
 * takes about a minute.
 */
const TOKEN = 'webhook-delivery-token';
const CAMPAIGN = 'hooks-demo';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A receiver that answers 503 to the first two tries of every third event (in order of first arrival). */
function startFlakyReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const order: string[] = [];
  const tries = new Map<string, number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const id = String(request.headers['webhook-id']);
      if (!tries.has(id)) order.push(id);
      const tried = (tries.get(id) ?? 0) + 1;
      tries.set(id, tried);
      const flaky = order.indexOf(id) % 3 === 2;
      const answered = flaky && tried <= 2 ? 503 : 204;
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
      response.writeHead(answered).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/hooks`, received });
    }),
  );
}

/** Every event the stack recorded (the facts of PRODUCT.md §11), by id. */
async function recordedEventIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: tableName('outreach'),
        FilterExpression: '#kind = :event',
        ExpressionAttributeNames: { '#kind': 'kind' },
        ExpressionAttributeValues: { ':event': 'event' },
        ExclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) ids.add(String(item.id));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return ids;
}

let server: ApiServer;
let receiver: Awaited<ReturnType<typeof startFlakyReceiver>>;
const call = (method: string, pathname: string, body?: unknown) =>
  callJson(server.url, method, pathname, { body, token: TOKEN });

beforeAll(async () => {
  receiver = await startFlakyReceiver();
  server = await startApiServer({ port: 0, token: TOKEN, allowPrivateNetwork: true });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => receiver?.server.close(resolve));
});

describe('webhooks: a demo batch through serve, delivered to a receiver that fails now and then', () => {
  it('delivers every event, signed, with one id per fact, and logs the failed tries', async () => {
    // Prepare
    const hook = await call('POST', '/v1/webhooks', { url: receiver.url, events: ['*'] });
    expect(hook.status).toBe(201);
    const { secret } = hook.body;
    const webhookId = hook.body.webhook.webhookId;
    const created = await call('POST', '/v1/campaigns', {
      campaignId: CAMPAIGN,
      name: 'Webhooks demo',
      sender: { name: 'Ada Lovelace', email: 'ada@cascade-demo.example', company: 'Cascade Demo Co' },
    });
    expect(created.status).toBe(201);
    const imported = await fetch(`${server.url}/v1/campaigns/${CAMPAIGN}/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'text/csv' },
      body: readFileSync('examples/leads.csv', 'utf8'),
    });
    expect(imported.status).toBeLessThan(300);

    // Act
    const batch = await call('POST', `/v1/campaigns/${CAMPAIGN}/batches`, {});
    expect(batch.body.started).toBeGreaterThan(10);
    await waitFor(
      async () => (server.stack.stepFunctions.list().every((run) => run.status !== 'RUNNING') ? true : undefined),
      180_000,
      200,
    );
    const delivered = (id: string) =>
      receiver.received.some((each) => each.headers['webhook-id'] === id && each.answered < 300);
    let recorded = new Set<string>();
    await waitFor(
      async () => {
        recorded = await recordedEventIds();
        return recorded.size > 0 && [...recorded].every(delivered) ? true : undefined;
      },
      120_000,
      500,
    );

    // Assess: every recorded event arrived, and only those.
    const receivedIds = new Set(receiver.received.map((each) => String(each.headers['webhook-id'])));
    expect(receivedIds).toEqual(recorded);
    // Each try is signed with the secret (Standard Webhooks), and a retry resends the same body under the same id.
    const verifier = new Webhook(secret);
    const bodies = new Map<string, string>();
    for (const each of receiver.received) {
      const headers = {
        'webhook-id': String(each.headers['webhook-id']),
        'webhook-timestamp': String(each.headers['webhook-timestamp']),
        'webhook-signature': String(each.headers['webhook-signature']),
      };
      expect(() => verifier.verify(each.body, headers)).not.toThrow();
      const id = headers['webhook-id'];
      expect(JSON.parse(each.body).id).toBe(id);
      if (bodies.has(id)) expect(each.body).toBe(bodies.get(id));
      bodies.set(id, each.body);
    }
    // One id per fact: no two events report the same thing (a message's, a task's or a lead's fact of one type).
    const facts = new Map<string, string>();
    for (const [id, body] of bodies) {
      const event = JSON.parse(body);
      const fact = [
        event.type,
        event.leadId,
        event.data.messageId,
        event.data.taskId,
        event.data.senderId,
        event.data.executionName,
      ].join('|');
      expect(facts.get(fact) ?? id, fact).toBe(id);
      facts.set(fact, id);
    }
    const types = new Set([...bodies.values()].map((body) => JSON.parse(body).type));
    expect([...types]).toEqual(expect.arrayContaining(['message.sent', 'sequence.completed']));
    // The delivery log shows the two failed tries of every third event, then the success.
    const flakyIds = [...receivedIds].filter((id) =>
      receiver.received.some((each) => each.headers['webhook-id'] === id && each.answered === 503),
    );
    expect(flakyIds.length).toBeGreaterThanOrEqual(Math.floor(receivedIds.size / 3));
    const log = await deliveriesOf(webhookId);
    for (const id of flakyIds) {
      const delivery = log.find((each) => each.eventId === id);
      expect(delivery, id).toMatchObject({ status: 'DELIVERED', attempts: 3 });
      expect(delivery?.attemptLog.map((attempt: { statusCode?: number }) => attempt.statusCode)).toEqual([
        503, 503, 204,
      ]);
    }
  }, 400_000);
});

/** Every delivery of the webhook, following the cursor. */
async function deliveriesOf(webhookId: string) {
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field in the assertions.
  const all: any[] = [];
  let cursor: string | undefined;
  do {
    const query = `limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await call('GET', `/v1/webhooks/${webhookId}/deliveries?${query}`);
    expect(page.status).toBe(200);
    all.push(...page.body.items);
    cursor = page.body.cursor;
  } while (cursor);
  return all;
}
