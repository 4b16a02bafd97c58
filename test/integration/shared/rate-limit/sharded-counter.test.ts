import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CounterRule,
  counterShards,
  counterTotal,
  counterValue,
  MAX_COUNTER_SHARDS,
  release,
  reserve,
  rulesForSend,
  shardKey,
  shardLimit,
} from '#shared/rate-limit/limiter';
import { DEFAULT_ACCOUNT_LIMITS } from '#shared/store/config';
import { useLocalDynamo } from '#test/support/local-dynamo';

beforeAll(async () => {
  const dynamo = await useLocalDynamo();
  return () => dynamo.close();
});

const AT = Date.parse('2026-11-24T10:15:00Z');
const DAY_END = Date.parse('2026-11-25T00:00:00Z');

const shardedRule = (key: string, limit: number, shards: number): CounterRule => ({
  kind: 'counter',
  key,
  limit,
  windowEndMs: DAY_END,
  whenFull: 'retry',
  shards,
});

describe('sharded counters', () => {
  it('splits a limit into shares that add up to it exactly', () => {
    // Prepare
    const cases: [number, number][] = [
      [1_000_003, 10],
      [101, 4],
      [7, 3],
    ];

    for (const [limit, shards] of cases) {
      // Act
      const shares = Array.from({ length: shards }, (_, index) => shardLimit(limit, shards, index));

      // Assess
      expect(shares.reduce((sum, share) => sum + share, 0)).toBe(limit);
      expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
    }
  });

  it('keeps the default limits on one item and shards the global daily counter at 1 M sends a day', () => {
    // Prepare
    const base = {
      channel: 'EMAIL' as const,
      leadId: 'lead-shards',
      channelLimits: { perHour: 50, perDay: 200 },
      maxTouchesPerLead: 10,
      atMs: AT,
    };

    // Act
    const defaults = rulesForSend({ ...base, account: DEFAULT_ACCOUNT_LIMITS });
    const atScale = rulesForSend({ ...base, account: { ...DEFAULT_ACCOUNT_LIMITS, globalPerDay: 1_000_000 } });

    // Assess
    const globalOf = (rules: typeof defaults) =>
      rules.find((rule): rule is CounterRule => rule.kind === 'counter' && rule.key.startsWith('ALL#D#'));
    expect(globalOf(defaults)).toMatchObject({ key: 'ALL#D#2026-11-24', shards: 1 });
    expect(globalOf(atScale)).toMatchObject({ key: 'ALL#D#2026-11-24', shards: MAX_COUNTER_SHARDS });
    expect(counterShards(1_999)).toBe(1);
    expect(counterShards(5_000)).toBe(5);
  });

  it('300 concurrent reservations on a limit of 101 over 4 shards grant exactly 101, never more', async () => {
    // Prepare
    const rule = shardedRule('ALL#D#concurrency', 101, 4);

    // Act
    const results = await Promise.all(Array.from({ length: 300 }, () => reserve([rule], AT)));

    // Assess
    expect(results.filter((result) => result.ok)).toHaveLength(101);
    expect(await counterTotal('ALL#D#concurrency', 4)).toBe(101);
    for (let index = 0; index < 4; index++) {
      expect(await counterValue(shardKey('ALL#D#concurrency', index))).toBe(shardLimit(101, 4, index));
    }
    expect(results.find((result) => !result.ok)).toMatchObject({
      ok: false,
      limitedBy: 'ALL#D#concurrency',
      retryAfterSeconds: (DAY_END - AT) / 1000,
    });
  });

  it('never exceeds the limit while reservations are taken and released concurrently', async () => {
    // Prepare
    const rule = shardedRule('ALL#D#churn', 40, 5);
    let peak = 0;
    let held = 0;

    // Act: 200 workers reserve, hold briefly, and half of them give the slot back
    await Promise.all(
      Array.from({ length: 200 }, async (_, worker) => {
        const result = await reserve([rule], AT);
        if (!result.ok) return;
        held++;
        peak = Math.max(peak, held);
        await new Promise((resolve) => setTimeout(resolve, worker % 7));
        if (worker % 2 === 0) {
          await release(result.reservation);
          held--;
        }
      }),
    );

    // Assess
    const total = await counterTotal('ALL#D#churn', 5);
    expect(peak).toBeLessThanOrEqual(40);
    expect(total).toBeLessThanOrEqual(40);
    expect(total).toBe(held);
  });

  it('a reservation names the shard it took, so releasing it (even from its stored JSON) frees that shard', async () => {
    // Prepare
    const rule = shardedRule('EMAIL#D#release', 9, 3);
    const reserved = await reserve([rule], AT);
    if (!reserved.ok) throw new Error('the first reservation should pass');
    const [taken] = reserved.reservation.rules as CounterRule[];

    // Act
    await release(JSON.parse(JSON.stringify(reserved.reservation)));

    // Assess
    expect(taken?.key).toMatch(/^EMAIL#D#release(#S[12])?$/);
    expect(taken?.shards).toBeUndefined();
    expect(await counterTotal('EMAIL#D#release', 3)).toBe(0);
  });
});
