import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, type WebhookUnbrandedRequiredHeaders } from 'standardwebhooks';
import { cellText } from './output';

/**
 * `cascade serve --events`: a loopback webhook receiver that prints one line per event as it arrives
 * (`HH:MM:SS  message.sent  lead … campaign … step … channel …`). It checks every delivery's Standard Webhooks
 * signature with the secret the API returned, as an operator's own receiver would, so a line on screen is
 * also proof the signing works.
 */

/** The event fields a line shows, in this order (`data` keys as the event writers name them). */
const DATA_FIELDS: readonly [key: string, label: string][] = [
  ['step', 'step'],
  ['channel', 'channel'],
  ['variantId', 'variant'],
  ['senderId', 'sender'],
  ['messageId', 'message'],
  ['taskId', 'task'],
  ['reason', 'reason'],
  ['outcome', 'outcome'],
];

/** The width of the longest §11 event type (`lead.out_of_office`, `sequence.completed`): types line up. */
const TYPE_WIDTH = 18;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;

/** `HH:MM:SS` of the event's own time (UTC, the stack's clock), or of now when it has none. */
function clockOf(createdAt: unknown): string {
  const ms = typeof createdAt === 'string' ? Date.parse(createdAt) : Number.NaN;
  return new Date(Number.isNaN(ms) ? Date.now() : ms).toISOString().slice(11, 19);
}

/** One event as one printable line; every value is made terminal-safe (lead data can hold escapes). */
export function formatEventLine(event: unknown): string {
  const record = (event ?? {}) as Record<string, unknown>;
  const data = (record.data && typeof record.data === 'object' ? record.data : {}) as Record<string, unknown>;
  const parts: [string, string | undefined][] = [
    ['lead', text(record.leadId)],
    ['campaign', text(record.campaignId)],
    ...DATA_FIELDS.map(([key, label]): [string, string | undefined] => [label, text(data[key])]),
  ];
  const fields = parts
    .filter((part): part is [string, string] => part[1] !== undefined && part[1] !== '')
    .map(([label, value]) => `${label} ${cellText(value)}`);
  const type = cellText(text(record.type) ?? 'event').padEnd(TYPE_WIDTH);
  return [`${clockOf(record.createdAt)}  ${type}`, ...fields].join('  ').trimEnd();
}

export interface EventReceiver {
  /** `http://127.0.0.1:<port>`: what the stack must trust (`trustedOrigins`). */
  origin: string;
  /** Where the webhook points. */
  url: string;
  /** The secret the API returned for the webhook; deliveries before it is known are answered 503 (retried). */
  setSecret(secret: string): void;
  close(): Promise<void>;
}

/** At most this many event ids are remembered to print a redelivered event (at least once) only once. */
const REMEMBERED_IDS = 10_000;
const MAX_BODY_BYTES = 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(bytes <= MAX_BODY_BYTES ? Buffer.concat(chunks).toString('utf8') : undefined));
    request.on('error', reject);
  });
}

const header = (request: IncomingMessage, name: string) => String(request.headers[name] ?? '');

const sameText = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/**
 * The event a delivery carries, its signature checked with `Webhook.verify`. The embedded stack may run a
 * virtual clock (`--clock-start`, `--time-scale`) whose timestamps are outside the library's 5-minute
 * replay window; the signature over that timestamp is then still checked, as the same HMAC `verify` computes.
 */
export function verifyDelivery(secret: string, body: string, headers: WebhookUnbrandedRequiredHeaders): unknown {
  const webhook = new Webhook(secret);
  try {
    return webhook.verify(body, headers);
  } catch (error) {
    if (!/timestamp too (old|new)/.test((error as Error).message)) throw error;
    const seconds = Number(headers['webhook-timestamp']);
    const expected = webhook.sign(headers['webhook-id'], new Date(seconds * 1000), body);
    const given = headers['webhook-signature'].split(' ');
    if (!given.some((signature) => sameText(signature, expected))) throw new Error('No matching signature found');
    return JSON.parse(body);
  }
}

/** Handles one delivery: verify, print once per event id, answer 2xx (or why not). */
function deliveryHandler(state: { secret?: string; seen: Set<string> }, write: (line: string) => void) {
  return async (request: IncomingMessage, response: ServerResponse) => {
    const body = await readBody(request).catch(() => undefined);
    if (request.method !== 'POST' || body === undefined) return response.writeHead(400).end();
    if (!state.secret) return response.writeHead(503).end();
    const headers = {
      'webhook-id': header(request, 'webhook-id'),
      'webhook-timestamp': header(request, 'webhook-timestamp'),
      'webhook-signature': header(request, 'webhook-signature'),
    };
    let event: unknown;
    try {
      event = verifyDelivery(state.secret, body, headers);
    } catch (error) {
      write(
        `${clockOf(undefined)}  ! delivery ${cellText(headers['webhook-id'])} refused: ${(error as Error).message}`,
      );
      return response.writeHead(401).end();
    }
    if (!state.seen.has(headers['webhook-id'])) {
      state.seen.add(headers['webhook-id']);
      if (state.seen.size > REMEMBERED_IDS) state.seen.delete(state.seen.values().next().value as string);
      write(formatEventLine(event));
    }
    response.writeHead(204).end();
  };
}

/** Starts the receiver on 127.0.0.1 (a free port); it prints through `write`. */
export async function startEventReceiver(write: (line: string) => void): Promise<EventReceiver> {
  const state: { secret?: string; seen: Set<string> } = { seen: new Set() };
  const handle = deliveryHandler(state, write);
  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: `${origin}/events`,
    setSecret(secret) {
      state.secret = secret;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The description `serve --events` gives its webhook: how a later run finds the one a killed run left behind. */
export const SERVE_EVENTS_DESCRIPTION = 'cascade serve --events (loopback printer)';

export interface EventSubscription {
  webhookId: string;
  /** Deletes the webhook (best effort: the API may already be closing). */
  remove(): Promise<void>;
}

/**
 * Registers the receiver for every event type through the operator API, as an operator would, after removing
 * the webhooks earlier runs on the same data left (their ports are gone: each would retry for a day).
 */
export async function subscribeToEvents(
  api: { url: string; token: string },
  receiver: EventReceiver,
): Promise<EventSubscription> {
  const { ApiClient } = await import('./api-client');
  const client = new ApiClient({ baseUrl: api.url, token: api.token, auth: 'token' });
  const { items } = await client.get<{ items: { webhookId: string; description?: string }[] }>('/webhooks');
  for (const stale of items.filter((webhook) => webhook.description === SERVE_EVENTS_DESCRIPTION))
    await client.delete(`/webhooks/${encodeURIComponent(stale.webhookId)}`);
  const created = await client.post<{ webhook: { webhookId: string }; secret: string }>('/webhooks', {
    url: receiver.url,
    events: ['*'],
    description: SERVE_EVENTS_DESCRIPTION,
  });
  receiver.setSecret(created.secret);
  const { webhookId } = created.webhook;
  return {
    webhookId,
    remove: () => client.delete(`/webhooks/${encodeURIComponent(webhookId)}`).then(() => undefined),
  };
}
