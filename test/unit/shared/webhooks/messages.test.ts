import { describe, expect, it } from 'vitest';
import { parseQueueMessage } from '#shared/webhooks/messages';
import { WebhookInput } from '#shared/webhooks/schema';

const EVENT = {
  id: 'evt_1',
  type: 'message.sent',
  createdAt: '2026-03-02T10:00:00.000Z',
  campaignId: 'c1',
  leadId: 'l1',
  data: { messageId: 'msg_1' },
};

describe('parseQueueMessage', () => {
  it('reads an EventBridge envelope as the event it carries', () => {
    // Prepare
    const envelope = { version: '0', id: 'eb-1', 'detail-type': 'message.sent', source: 'cascade', detail: EVENT };

    // Act
    const message = parseQueueMessage(JSON.stringify(envelope));

    // Assess
    expect(message).toEqual({ kind: 'event', event: EVENT });
  });

  it('reads a retry message', () => {
    // Prepare
    const body = { kind: 'webhook.retry', webhookId: 'wh_1', deliveryId: 'dlv_1', attempt: 3 };

    // Act / Assess
    expect(parseQueueMessage(JSON.stringify(body))).toEqual({ kind: 'retry', retry: body });
  });

  it.each([
    ['not JSON', '{oops'],
    ['an envelope of an unknown event type', JSON.stringify({ detail: { ...EVENT, type: 'lead.teleported' } })],
    ['an envelope without an event', JSON.stringify({ source: 'cascade', detail: {} })],
    ['a retry without an attempt', JSON.stringify({ kind: 'webhook.retry', webhookId: 'wh_1', deliveryId: 'd' })],
    ['null', 'null'],
  ])('calls %s poison', (_, body) => {
    // Act
    const message = parseQueueMessage(body);

    // Assess
    expect(message.kind).toBe('poison');
  });
});

describe('WebhookInput', () => {
  it('takes a URL, 1 to 20 unique event types or *, and an optional description', () => {
    // Act / Assess
    expect(WebhookInput.safeParse({ url: 'https://x.example', events: ['*'] }).success).toBe(true);
    expect(WebhookInput.safeParse({ url: 'https://x.example', events: ['message.sent', 'task.created'] }).success).toBe(
      true,
    );
    expect(WebhookInput.safeParse({ url: 'https://x.example', events: [] }).success).toBe(false);
    expect(WebhookInput.safeParse({ url: 'https://x.example', events: ['message.sent', 'message.sent'] }).success).toBe(
      false,
    );
    expect(WebhookInput.safeParse({ url: 'https://x.example', events: ['lead.teleported'] }).success).toBe(false);
    expect(
      WebhookInput.safeParse({ url: 'https://x.example', events: ['*'], description: 'x'.repeat(201) }).success,
    ).toBe(false);
    expect(WebhookInput.safeParse({ url: `https://x.example/${'a'.repeat(2048)}`, events: ['*'] }).success).toBe(false);
  });
});
