import type { Command } from 'commander';
import type { ApiClient } from '../api-client';
import { type ApiCommandOptions, withApi } from '../api-session';
import { table, writeJson, writeLines } from '../output';
import { asRecord, type Json, listFrom, num, str } from './answers';
import { apiOptions, positiveInteger, segment } from './options';

/**
 * `cascade webhooks add|list|remove|deliveries|retry` (PRODUCT.md §7, §11): where Cascade's events are
 * delivered, signed per Standard Webhooks, and what became of each delivery.
 */

/** The API answers at most this many deliveries a page. */
const PAGE_SIZE = 200;
const DEFAULT_DELIVERIES = 50;

/** `message.sent, lead.stopped` or `*` → the list the API takes; the API names an unknown type. */
export function eventList(value: string): string[] {
  const events = value
    .split(',')
    .map((event) => event.trim())
    .filter(Boolean);
  if (events.length === 0) throw new Error('--events is empty: give event types (message.sent,lead.stopped) or *');
  return events;
}

const eventsText = (webhook: Json) => (Array.isArray(webhook.events) ? webhook.events.map(String).join(',') : '-');

function registerAdd(webhooks: Command): void {
  apiOptions(
    webhooks
      .command('add')
      .description('deliver events to a URL (POST /v1/webhooks); prints the signing secret once')
      .argument('<url>', 'the receiver (https; loopback only with serve --allow-private-network)')
      .requiredOption('--events <types>', 'comma-separated event types (message.sent,lead.stopped,…) or * for all')
      .option('--description <text>', 'a note kept with the webhook'),
  ).action(async (url: string, options: ApiCommandOptions & { events: string; description?: string }) => {
    const body = {
      url,
      events: eventList(options.events),
      ...(options.description && { description: options.description }),
    };
    const created = asRecord(await withApi(options, ({ client }) => client.post('/webhooks', body)));
    if (options.json) return writeJson(created);
    const webhook = asRecord(created.webhook);
    writeLines([
      `added webhook ${str(webhook.webhookId) ?? '-'} → ${str(webhook.url) ?? url} (events ${eventsText(webhook)})`,
      `secret ${str(created.secret) ?? '-'}`,
      'Keep the secret now: it will not be shown again (it verifies the webhook-signature header).',
    ]);
  });
}

function registerList(webhooks: Command): void {
  apiOptions(
    webhooks.command('list').description('list the webhooks, without their secrets (GET /v1/webhooks)'),
  ).action(async (options: ApiCommandOptions) => {
    const items = listFrom(await withApi(options, ({ client }) => client.get('/webhooks')), 'items');
    if (options.json) return writeJson({ items });
    if (items.length === 0) return writeLines(['no webhooks']);
    writeLines(
      table(
        ['webhook', 'url', 'events', 'state', 'created', 'description'],
        items.map((webhook) => [
          str(webhook.webhookId),
          str(webhook.url),
          eventsText(webhook),
          str(webhook.state),
          str(webhook.createdAt),
          str(webhook.description),
        ]),
      ),
    );
  });
}

function registerRemove(webhooks: Command): void {
  apiOptions(
    webhooks
      .command('remove')
      .description('stop delivering to a webhook and delete it (DELETE /v1/webhooks/{id})')
      .argument('<webhookId>'),
  ).action(async (webhookId: string, options: ApiCommandOptions) => {
    await withApi(options, ({ client }) => client.delete(`/webhooks/${segment(webhookId)}`));
    if (options.json) return writeJson({ removed: webhookId });
    writeLines([`removed webhook ${webhookId}`]);
  });
}

/** Newest first, following the cursor until `limit` deliveries. */
async function listDeliveries(client: ApiClient, webhookId: string, status: string | undefined, limit: number) {
  const all: Json[] = [];
  let cursor: string | undefined;
  do {
    const page = asRecord(
      await client.get(`/webhooks/${segment(webhookId)}/deliveries`, {
        status,
        limit: Math.min(PAGE_SIZE, limit - all.length),
        cursor,
      }),
    );
    all.push(...listFrom(page.items));
    cursor = str(page.cursor);
  } while (cursor && all.length < limit);
  return all;
}

/** When the delivery ended, or when its next try is due. */
const deliveryWhen = (delivery: Json) =>
  str(delivery.deliveredAt) ?? str(delivery.deadAt) ?? str(delivery.nextAttemptAt) ?? str(delivery.createdAt);

function registerDeliveries(webhooks: Command): void {
  apiOptions(
    webhooks
      .command('deliveries')
      .description("a webhook's deliveries, newest first (GET /v1/webhooks/{id}/deliveries)")
      .argument('<webhookId>')
      .option('--status <status>', 'only PENDING, ATTEMPTING, RETRYING, DELIVERED or DEAD')
      .option('--limit <n>', `at most n deliveries (default ${DEFAULT_DELIVERIES})`),
  ).action(async (webhookId: string, options: ApiCommandOptions & { status?: string; limit?: string }) => {
    const limit = positiveInteger(options.limit, '--limit') ?? DEFAULT_DELIVERIES;
    const status = options.status?.toUpperCase();
    const items = await withApi(options, ({ client }) => listDeliveries(client, webhookId, status, limit));
    if (options.json) return writeJson({ items });
    if (items.length === 0) return writeLines(['no deliveries']);
    writeLines(
      table(
        ['delivery', 'event', 'type', 'status', 'attempts', 'last code', 'when', 'last error'],
        items.map((delivery) => [
          str(delivery.deliveryId),
          str(delivery.eventId),
          str(delivery.eventType),
          str(delivery.status),
          num(delivery.attempts),
          num(delivery.lastStatusCode),
          deliveryWhen(delivery),
          str(delivery.lastError),
        ]),
      ),
    );
  });
}

function registerRetry(webhooks: Command): void {
  apiOptions(
    webhooks
      .command('retry')
      .description('try a delivery again now, e.g. a dead one (POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry)')
      .argument('<webhookId>')
      .argument('<deliveryId>'),
  ).action(async (webhookId: string, deliveryId: string, options: ApiCommandOptions) => {
    const delivery = asRecord(
      await withApi(options, ({ client }) =>
        client.post(`/webhooks/${segment(webhookId)}/deliveries/${segment(deliveryId)}/retry`),
      ),
    );
    if (options.json) return writeJson(delivery);
    writeLines([
      `retrying delivery ${str(delivery.deliveryId) ?? deliveryId} of event ${str(delivery.eventId) ?? '-'}: ${str(delivery.status) ?? '-'} after ${num(delivery.attempts) ?? 0} attempts`,
    ]);
  });
}

export function registerWebhooks(program: Command): void {
  const webhooks = program
    .command('webhooks')
    .description('webhooks: Cascade events delivered to your URLs, signed (Standard Webhooks), retried for 24 h');
  registerAdd(webhooks);
  registerList(webhooks);
  registerRemove(webhooks);
  registerDeliveries(webhooks);
  registerRetry(webhooks);
}
