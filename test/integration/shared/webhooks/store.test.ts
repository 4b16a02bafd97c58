import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDynamo } from '#local/dynamodb';
import type { DomainEvent } from '#shared/events/domain-events';
import { createDeliveryIfAbsent } from '#shared/webhooks/delivery-store';
import { InvalidCursorError } from '#shared/webhooks/errors';
import {
  createWebhook,
  deleteWebhook,
  getDelivery,
  getWebhook,
  listDeliveries,
  listWebhooks,
} from '#shared/webhooks/store';
import { useLocalDynamo } from '#test/support/local-dynamo';

let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await useLocalDynamo();
});

afterAll(async () => {
  await dynamo?.close();
});

const eventAt = (index: number): DomainEvent => ({
  id: `evt_${index}`,
  type: 'task.created',
  createdAt: new Date(Date.UTC(2026, 2, 2, 10, 0, index)).toISOString(),
  campaignId: 'camp',
  data: { taskId: `task_${index}` },
});

describe('webhook registry', () => {
  it('returns the secret when a webhook is created and never after', async () => {
    // Act
    const created = await createWebhook({ url: 'https://hooks.example.com/a', events: ['*'], description: 'CRM' });
    const read = await getWebhook(created.webhookId);
    const listed = await listWebhooks();

    // Assess
    expect(created.secret).toMatch(/^whsec_/);
    expect(created).toMatchObject({ state: 'ACTIVE', events: ['*'], description: 'CRM' });
    const { secret: _secret, ...visible } = created;
    expect(read).toEqual(visible);
    expect(listed).toContainEqual(visible);
    expect(JSON.stringify(listed)).not.toContain('whsec_');
  });

  it('deletes a webhook once', async () => {
    // Prepare
    const created = await createWebhook({ url: 'https://hooks.example.com/b', events: ['lead.stopped'] });

    // Act
    const first = await deleteWebhook(created.webhookId);
    const second = await deleteWebhook(created.webhookId);

    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(await getWebhook(created.webhookId)).toBeUndefined();
    expect((await listWebhooks()).map((hook) => hook.webhookId)).not.toContain(created.webhookId);
  });
});

describe('listDeliveries', () => {
  it('lists newest first, page by page, and by status', async () => {
    // Prepare: five deliveries, created out of order.
    const hook = await createWebhook({ url: 'https://hooks.example.com/c', events: ['*'] });
    for (const index of [3, 1, 5, 2, 4])
      await createDeliveryIfAbsent(hook.webhookId, eventAt(index), '2026-03-02T11:00:00Z');

    // Act
    const first = await listDeliveries(hook.webhookId, { limit: 2 });
    const second = await listDeliveries(hook.webhookId, { limit: 2, cursor: first.cursor });
    const third = await listDeliveries(hook.webhookId, { limit: 2, cursor: second.cursor });
    const pending = await listDeliveries(hook.webhookId, { status: 'PENDING', limit: 10 });
    const delivered = await listDeliveries(hook.webhookId, { status: 'DELIVERED', limit: 10 });

    // Assess
    const ids = (page: { items: { eventId: string }[] }) => page.items.map((item) => item.eventId);
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual(['evt_5', 'evt_4', 'evt_3', 'evt_2', 'evt_1']);
    expect(third.cursor).toBeUndefined();
    expect(pending.items).toHaveLength(5);
    expect(delivered.items).toEqual([]);
    const one = first.items[0];
    expect(await getDelivery(hook.webhookId, one?.deliveryId ?? '')).toEqual(one);
  });

  it('refuses a cursor it did not issue for this webhook', async () => {
    // Prepare
    const hook = await createWebhook({ url: 'https://hooks.example.com/d', events: ['*'] });
    const other = await createWebhook({ url: 'https://hooks.example.com/e', events: ['*'] });
    for (const index of [1, 2]) await createDeliveryIfAbsent(other.webhookId, eventAt(index), '2026-03-02T11:00:00Z');
    const { cursor } = await listDeliveries(other.webhookId, { limit: 1 });

    // Act / Assess
    await expect(listDeliveries(hook.webhookId, { limit: 1, cursor })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(listDeliveries(hook.webhookId, { limit: 1, cursor: 'garbage' })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });
});
