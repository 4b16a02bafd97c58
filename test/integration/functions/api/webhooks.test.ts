import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '#shared/events/domain-events';
import { createDeliveryIfAbsent } from '#shared/webhooks/delivery-store';
import { expectError, expectInvalid, useApiStack } from '#test/integration/functions/api/gateway';

/**
 * Webhooks through the operator API on the embedded stack (PRODUCT.md §7, §11): the secret shown once, listing
 * without it, deletion, the outbound guard's refusals naming their rule, and the delivery log's reads.
 */

const local = useApiStack();
const { call } = local;

/** A public https receiver: registering it resolves nothing (DNS is checked at each delivery). */
const RECEIVER = 'https://hooks.acme-crm.test/cascade';

async function createHook(fields: Record<string, unknown> = {}) {
  const reply = await call({ method: 'POST', path: '/v1/webhooks', json: { url: RECEIVER, events: ['*'], ...fields } });
  expect(reply.status).toBe(201);
  return reply;
}

function eventAt(createdAt: string, index: number): DomainEvent {
  return {
    id: `evt_api_test_${index}`,
    type: 'message.sent',
    createdAt,
    campaignId: 'c-hooks',
    leadId: `lead_${index}`,
    data: { step: 1, channel: 'EMAIL' },
  };
}

describe('POST /v1/webhooks', () => {
  it('answers the webhook and its whsec_ secret once; the listing never shows the secret', async () => {
    // Act
    const created = await call({
      method: 'POST',
      path: '/v1/webhooks',
      json: { url: RECEIVER, events: ['message.sent', 'lead.stopped'], description: 'CRM' },
    });
    const listed = await call({ method: 'GET', path: '/v1/webhooks' });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(created.body.webhook).toEqual({
      webhookId: expect.stringMatching(/^wh_[0-9a-f]{24}$/),
      url: RECEIVER,
      events: ['message.sent', 'lead.stopped'],
      description: 'CRM',
      state: 'ACTIVE',
      createdAt: expect.any(String),
    });
    expect(created.headers.location).toBe(`/v1/webhooks/${created.body.webhook.webhookId}`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toContainEqual(created.body.webhook);
    expect(listed.rawBody).not.toContain('whsec_');
    expect(listed.rawBody).not.toContain('"secret"');
  });

  it.each([
    ['http://127.0.0.1:9000/hooks', 'private_network'],
    ['https://localhost/hooks', 'private_network'],
    ['https://[::1]/hooks', 'private_network'],
    ['https://10.1.2.3/hooks', 'private_network'],
    ['https://192.168.0.10/hooks', 'private_network'],
    ['https://169.254.10.20/hooks', 'private_network'],
    ['http://169.254.169.254/latest/meta-data/', 'private_network'],
    ['http://hooks.acme-crm.test/cascade', 'https_required'],
    ['ftp://hooks.acme-crm.test/cascade', 'https_required'],
    ['https://user:pass@hooks.acme-crm.test/cascade', 'credentials_in_url'],
    ['not a url', 'invalid_url'],
  ])('refuses %s with a 400 naming the url field and the rule %s', async (url, rule) => {
    // Act
    const refused = await call({ method: 'POST', path: '/v1/webhooks', json: { url, events: ['*'] } });
    const listed = await call({ method: 'GET', path: '/v1/webhooks' });

    // Assess
    expectError(refused, 400, 'invalid_webhook_url');
    expect(refused.body.error.details).toEqual([{ field: 'url', rule, message: expect.any(String) }]);
    expect(listed.body.items.map((hook: { url: string }) => hook.url)).not.toContain(url);
  });

  it('names the field of an unknown event type, a missing one, a duplicate and an unknown key', async () => {
    // Act
    const unknown = await call({
      method: 'POST',
      path: '/v1/webhooks',
      json: { url: RECEIVER, events: ['message.sent', 'message.teleported'] },
    });
    const none = await call({ method: 'POST', path: '/v1/webhooks', json: { url: RECEIVER, events: [] } });
    const twice = await call({
      method: 'POST',
      path: '/v1/webhooks',
      json: { url: RECEIVER, events: ['lead.stopped', 'lead.stopped'] },
    });
    const extra = await call({
      method: 'POST',
      path: '/v1/webhooks',
      json: { url: RECEIVER, events: ['*'], secret: 'x' },
    });

    // Assess
    expectInvalid(unknown, 'events.1');
    expectInvalid(none, 'events');
    expectInvalid(twice, 'events');
    expectInvalid(extra, 'secret');
  });
});

describe('DELETE /v1/webhooks/{id}', () => {
  it('deletes a webhook: 204, gone from the listing, a 404 the second time and for an unknown id', async () => {
    // Prepare
    const { webhookId } = (await createHook()).body.webhook;

    // Act
    const deleted = await call({ method: 'DELETE', path: `/v1/webhooks/${webhookId}` });
    const again = await call({ method: 'DELETE', path: `/v1/webhooks/${webhookId}` });
    const unknown = await call({ method: 'DELETE', path: '/v1/webhooks/wh_000000000000000000000000' });
    const listed = await call({ method: 'GET', path: '/v1/webhooks' });

    // Assess
    expect(deleted.status).toBe(204);
    expect(deleted.rawBody).toBeUndefined();
    expectError(again, 404, 'not_found');
    expectError(unknown, 404, 'not_found');
    expect(listed.body.items.map((hook: { webhookId: string }) => hook.webhookId)).not.toContain(webhookId);
  });

  it('leaves the public LinkedIn provider webhook where it was', async () => {
    // Act
    const provider = await call({ method: 'POST', path: '/v1/webhooks/linkedin', json: {}, token: null });

    // Assess: its own shared-secret check answers, not the webhook routes.
    expectError(provider, 401, 'unauthorized');
  });
});

describe('GET /v1/webhooks/{id}/deliveries', () => {
  it('lists deliveries newest first, by status, a page at a time', async () => {
    // Prepare
    const { webhookId } = (await createHook()).body.webhook;
    for (const [index, at] of [
      '2026-03-02T10:00:00.000Z',
      '2026-03-02T11:00:00.000Z',
      '2026-03-02T12:00:00.000Z',
    ].entries())
      await createDeliveryIfAbsent(webhookId, eventAt(at, index), at);

    // Act
    const first = await call({ method: 'GET', path: `/v1/webhooks/${webhookId}/deliveries?limit=2` });
    const second = await call({
      method: 'GET',
      path: `/v1/webhooks/${webhookId}/deliveries?limit=2&cursor=${encodeURIComponent(first.body.cursor)}`,
    });
    const pending = await call({ method: 'GET', path: `/v1/webhooks/${webhookId}/deliveries?status=PENDING` });
    const dead = await call({ method: 'GET', path: `/v1/webhooks/${webhookId}/deliveries?status=DEAD` });

    // Assess
    expect(first.status).toBe(200);
    expect(first.body.items.map((delivery: { eventId: string }) => delivery.eventId)).toEqual([
      'evt_api_test_2',
      'evt_api_test_1',
    ]);
    expect(first.body.items[0]).toMatchObject({ webhookId, status: 'PENDING', attempts: 0, attemptLog: [] });
    expect(first.body.items[0].payload).toBeUndefined();
    expect(second.body.items.map((delivery: { eventId: string }) => delivery.eventId)).toEqual(['evt_api_test_0']);
    expect(second.body.cursor).toBeUndefined();
    expect(pending.body.items).toHaveLength(3);
    expect(dead.body).toEqual({ items: [] });
  });

  it('refuses an unknown webhook (404), a status it does not know and a cursor it did not issue (400)', async () => {
    // Prepare
    const { webhookId } = (await createHook()).body.webhook;

    // Act
    const unknown = await call({ method: 'GET', path: '/v1/webhooks/wh_000000000000000000000000/deliveries' });
    const status = await call({ method: 'GET', path: `/v1/webhooks/${webhookId}/deliveries?status=LOST` });
    const cursor = await call({ method: 'GET', path: `/v1/webhooks/${webhookId}/deliveries?cursor=bm9wZQ` });
    const limit = await call({ method: 'GET', path: `/v1/webhooks/${webhookId}/deliveries?limit=201` });

    // Assess
    expectError(unknown, 404, 'not_found');
    expectInvalid(status, 'status');
    expectInvalid(cursor, 'cursor');
    expectInvalid(limit, 'limit');
  });
});

describe('POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry', () => {
  it('answers 202 with the delivery, and 404 for an unknown webhook or delivery', async () => {
    // Prepare
    const { webhookId } = (await createHook()).body.webhook;
    const at = '2026-03-03T09:00:00.000Z';
    const { deliveryId } = await createDeliveryIfAbsent(webhookId, eventAt(at, 9), at);

    // Act: a PENDING delivery's first try is still to come, so the answer is the delivery as it is.
    const retried = await call({ method: 'POST', path: `/v1/webhooks/${webhookId}/deliveries/${deliveryId}/retry` });
    const noDelivery = await call({
      method: 'POST',
      path: `/v1/webhooks/${webhookId}/deliveries/dlv_nothing/retry`,
    });
    const noWebhook = await call({
      method: 'POST',
      path: `/v1/webhooks/wh_000000000000000000000000/deliveries/${deliveryId}/retry`,
    });

    // Assess
    expect(retried.status).toBe(202);
    expect(retried.body).toMatchObject({ deliveryId, webhookId, eventId: 'evt_api_test_9', status: 'PENDING' });
    expectError(noDelivery, 404, 'delivery_not_found');
    expectError(noWebhook, 404, 'not_found');
  });
});
