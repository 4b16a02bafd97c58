import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { newWebhookSecret } from '#shared/webhooks/ids';
import { signWebhook } from '#shared/webhooks/signing';

const BODY = JSON.stringify({ id: 'evt_1', type: 'message.sent', createdAt: '2026-03-02T10:00:00.000Z', data: {} });

describe('signWebhook', () => {
  it('signs so that the Standard Webhooks library verifies the body', () => {
    // Prepare
    const secret = newWebhookSecret();

    // Act
    const headers = signWebhook(secret, 'evt_1', BODY);

    // Assess
    expect(headers['webhook-id']).toBe('evt_1');
    expect(new Webhook(secret).verify(BODY, { ...headers })).toEqual(JSON.parse(BODY));
  });

  it('is v1, base64 HMAC-SHA256 of id.timestamp.body keyed with the decoded secret', () => {
    // Prepare
    const secret = newWebhookSecret();
    const at = new Date('2026-03-02T10:00:07.900Z');

    // Act
    const headers = signWebhook(secret, 'evt_1', BODY, at);

    // Assess: computed independently with node:crypto.
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update(`evt_1.1772445607.${BODY}`).digest('base64');
    expect(headers['webhook-timestamp']).toBe('1772445607');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('fails verification for a tampered body or another secret', () => {
    // Prepare
    const secret = newWebhookSecret();
    const headers = signWebhook(secret, 'evt_1', BODY);

    // Act / Assess
    expect(() => new Webhook(secret).verify(BODY.replace('message.sent', 'message.failed'), { ...headers })).toThrow(
      /signature/i,
    );
    expect(() => new Webhook(newWebhookSecret()).verify(BODY, { ...headers })).toThrow(/signature/i);
  });
});
