import { describe, expect, it } from 'vitest';
import { deliveryIdFor, newWebhookId, newWebhookSecret } from '#shared/webhooks/ids';

describe('webhook ids', () => {
  it('makes webhook ids of wh_ and 24 hex characters, and whsec_ secrets of 24 random bytes', () => {
    // Act
    const id = newWebhookId();
    const secret = newWebhookSecret();

    // Assess
    expect(id).toMatch(/^wh_[0-9a-f]{24}$/);
    expect(newWebhookId()).not.toBe(id);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(24);
  });

  it('derives the same delivery id from the same event, and another from another event', () => {
    // Prepare
    const event = { id: 'evt_a', createdAt: '2026-03-02T10:00:00.000Z' };

    // Act
    const first = deliveryIdFor(event);
    const again = deliveryIdFor({ ...event });
    const other = deliveryIdFor({ ...event, id: 'evt_b' });

    // Assess
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(first).toMatch(/^dlv_[0-9a-z]{9}_[0-9a-f]{16}$/);
  });

  it('sorts delivery ids by the time of their events', () => {
    // Prepare
    const times = ['2026-03-02T10:00:00.000Z', '2026-03-02T10:00:00.001Z', '2027-01-01T00:00:00.000Z'];

    // Act
    const ids = times.map((createdAt, index) => deliveryIdFor({ id: `evt_${9 - index}`, createdAt }));

    // Assess
    expect([...ids].sort()).toEqual(ids);
  });
});
