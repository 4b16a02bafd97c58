import { describe, expect, it } from 'vitest';
import { bumpVariantCounters } from '#shared/tracking/variant-metrics';
import { campaignBody, expectError, expectInvalid, useApiStack } from '#test/integration/functions/api/gateway';

const local = useApiStack();
const { call } = local;

const SEQUENCE = {
  steps: [
    {
      id: 'intro',
      channel: 'EMAIL',
      onSent: 'next',
      variants: [
        { id: 'short', weight: 2, subject: 'Hi', body: 'Short' },
        { id: 'long', weight: 1, subject: 'Hello', body: 'Longer' },
      ],
    },
    { id: 'form', channel: 'CONTACT_FORM' },
  ],
};

describe('GET /v1/metrics/variants', () => {
  it("reads the campaign's variant counters per step with rates, P(best) and the method", async () => {
    // Prepare: what the send path and the SES/reply handlers count as they write (send day: today).
    const created = await call({
      method: 'POST',
      path: '/v1/campaigns',
      json: campaignBody('variants', { sequence: SEQUENCE }),
    });
    expect(created.status).toBe(201);
    const message = (variantId: string) => ({
      campaignId: 'variants',
      stepId: 'intro',
      variantId,
      channel: 'EMAIL' as const,
      createdAt: new Date().toISOString(),
    });
    await bumpVariantCounters(message('short'), { sent: 40, delivered: 38, replied: 8, bounced: 2 });
    await bumpVariantCounters(message('long'), { sent: 40, delivered: 40, replied: 1 });

    // Act
    const reply = await call({ method: 'GET', path: '/v1/metrics/variants?campaignId=variants&days=7' });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ campaignId: 'variants', days: 7, method: expect.stringContaining('Beta(') });
    expect(reply.body.steps).toHaveLength(1);
    const [intro] = reply.body.steps;
    expect(intro).toMatchObject({ stepId: 'intro', channel: 'EMAIL' });
    const [short, long] = intro.variants;
    expect(short).toEqual({
      variantId: 'short',
      weight: 2,
      sent: 40,
      delivered: 38,
      replied: 8,
      bounced: 2,
      replyRate: 0.2105,
      bounceRate: 0.05,
      probabilityBest: expect.any(Number),
    });
    expect(long).toMatchObject({ variantId: 'long', weight: 1, replied: 1, replyRate: 0.025, bounceRate: 0 });
    expect(short.probabilityBest + long.probabilityBest).toBeCloseTo(1, 3);
    expect(short.probabilityBest).toBeGreaterThan(long.probabilityBest);
  });

  it('lists every variant at zero before anything is sent, and defaults to 7 days', async () => {
    // Prepare
    await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('variants-new', { sequence: SEQUENCE }) });

    // Act
    const reply = await call({ method: 'GET', path: '/v1/metrics/variants?campaignId=variants-new' });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body.days).toBe(7);
    expect(reply.body.steps[0].variants.map((variant: { variantId: string; sent: number }) => variant)).toEqual([
      expect.objectContaining({ variantId: 'short', sent: 0, replyRate: 0, probabilityBest: 0.5 }),
      expect.objectContaining({ variantId: 'long', sent: 0, replyRate: 0, probabilityBest: 0.5 }),
    ]);
  });

  it.each([
    { path: '/v1/metrics/variants', status: 400, fields: ['campaignId'] },
    { path: '/v1/metrics/variants?days=7', status: 400, fields: ['campaignId'] },
    { path: '/v1/metrics/variants?campaignId=variants&days=91', status: 400, fields: ['days'] },
  ])('answers $path with 400 naming $fields', async ({ path, fields }) => {
    // Act
    const reply = await call({ method: 'GET', path });

    // Assess
    expectInvalid(reply, ...fields);
  });

  it('answers an unknown campaign with 404', async () => {
    // Act
    const reply = await call({ method: 'GET', path: '/v1/metrics/variants?campaignId=ghost' });

    // Assess
    expectError(reply, 404, 'not_found');
  });
});
