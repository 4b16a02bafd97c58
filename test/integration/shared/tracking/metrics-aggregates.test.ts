import { beforeAll, describe, expect, it } from 'vitest';
import {
  bumpCounters,
  channelMetrics,
  METRICS_SHARDS,
  metricsReport,
  zeroCounters,
} from '#shared/tracking/metrics-aggregates';
import { useLocalDynamo } from '#test/support/local-dynamo';

const TODAY = Date.parse('2026-11-24T12:00:00Z');

beforeAll(async () => {
  const dynamo = await useLocalDynamo();
  return () => dynamo.close();
});

describe('channel metrics formulas', () => {
  it('computes every rate from its counters', () => {
    // Act
    const metrics = channelMetrics({
      ...zeroCounters(),
      sent: 200,
      delivered: 180,
      replied: 9,
      bounced: 12,
      failed: 8,
      attempts: 260,
      fallbacks: 40,
      leads: 220,
    });

    // Assess
    expect(metrics).toEqual({
      sent: 200,
      delivered: 180,
      replied: 9,
      bounced: 12,
      failed: 8,
      deliveryRate: 0.9,
      replyRate: 0.05,
      bounceRate: 0.06,
      fallbackRate: 0.1818,
      averageAttemptsPerLead: 1.1818,
    });
  });

  it('gives 0, never NaN, for empty denominators', () => {
    // Act
    const metrics = channelMetrics({ ...zeroCounters(), replied: 3 });

    // Assess
    expect(Object.values(metrics).every((value) => Number.isFinite(value))).toBe(true);
    expect(metrics).toMatchObject({
      deliveryRate: 0,
      replyRate: 0,
      bounceRate: 0,
      fallbackRate: 0,
      averageAttemptsPerLead: 0,
    });
  });
});

describe('metrics read cost', () => {
  it('reads at most days × channels × shards items, for 1,000 as for 100,000 messages', async () => {
    // Prepare: 1,000 messages counted one by one; 100,000 counted in batches of 1,000, over three days.
    const days = ['2026-11-22', '2026-11-23', '2026-11-24'];
    for (let index = 0; index < 1_000; index++) {
      await bumpCounters('small', 'EMAIL', days[index % 3] as string, { sent: 1, delivered: index % 10 === 0 ? 0 : 1 });
    }
    for (let index = 0; index < 100; index++) {
      await bumpCounters('large', 'EMAIL', days[index % 3] as string, { sent: 1_000, delivered: 900 });
    }
    await bumpCounters('mixed', 'LINKEDIN', '2026-11-24', { sent: 50, attempts: 70, leads: 60, fallbacks: 6 });

    // Act
    const small = await metricsReport('small', 7, TODAY);
    const large = await metricsReport('large', 7, TODAY);
    const mixed = await metricsReport('mixed', 7, TODAY);

    // Assess
    expect(small.channels.EMAIL).toMatchObject({ sent: 1_000, delivered: 900, deliveryRate: 0.9 });
    expect(large.channels.EMAIL).toMatchObject({ sent: 100_000, delivered: 90_000, deliveryRate: 0.9 });
    expect(mixed.channels.LINKEDIN).toMatchObject({ fallbackRate: 0.1, averageAttemptsPerLead: 1.1667 });
    // 1,000 bumps over 3 days touch every shard of every day; the sums above prove no shard is missed.
    expect(small.itemsRead).toBe(3 * METRICS_SHARDS);
    expect(large.itemsRead).toBeLessThanOrEqual(3 * METRICS_SHARDS);
    expect(mixed.itemsRead).toBe(1);
  });

  it('only counts days inside the window', async () => {
    // Prepare
    await bumpCounters('window', 'CONTACT_FORM', '2026-11-10', { sent: 5 });
    await bumpCounters('window', 'CONTACT_FORM', '2026-11-24', { sent: 2 });

    // Act
    const report = await metricsReport('window', 7, TODAY);

    // Assess
    expect(report.channels.CONTACT_FORM?.sent).toBe(2);
    expect(report.itemsRead).toBe(1);
  });
});

describe('metrics shards', () => {
  it('keeps campaigns apart even when an id looks like a shard key', async () => {
    // Prepare: "1#lookalike" would read as shard 1 of "lookalike" if the shard came after the campaign id.
    for (let index = 0; index < 40; index++) {
      await bumpCounters('lookalike', 'EMAIL', '2026-11-24', { sent: 1 });
      await bumpCounters('1#lookalike', 'EMAIL', '2026-11-24', { sent: 2 });
    }

    // Act
    const plain = await metricsReport('lookalike', 1, TODAY);
    const lookalike = await metricsReport('1#lookalike', 1, TODAY);

    // Assess
    expect(plain.channels.EMAIL?.sent).toBe(40);
    expect(lookalike.channels.EMAIL?.sent).toBe(80);
  });
});

describe('median time to first reply', () => {
  it('is the bucket holding the middle reply, from counters alone', async () => {
    // Prepare: 5 replies within an hour, 2 within a day, 4 within three days.
    await bumpCounters('replies', 'EMAIL', '2026-11-24', {
      replied: 11,
      replyWithin1h: 5,
      replyWithin24h: 2,
      replyWithin72h: 4,
    });

    // Act
    const report = await metricsReport('replies', 7, TODAY);
    const none = await metricsReport('no-replies', 7, TODAY);

    // Assess
    expect(report.medianHoursToFirstReply).toBe(24);
    expect(none.medianHoursToFirstReply).toBeNull();
  });
});
