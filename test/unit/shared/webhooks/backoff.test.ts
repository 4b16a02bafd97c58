import { describe, expect, it } from 'vitest';
import { backoffMs, DELIVERY_WINDOW_MS, nextTryAt, queueDelaySeconds } from '#shared/webhooks/backoff';

const HOUR = 3_600_000;

describe('webhook backoff', () => {
  it('waits 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, then 8 h after each failed try', () => {
    // Act
    const waits = Array.from({ length: 11 }, (_, index) => backoffMs(index + 1) / 1000);

    // Assess
    expect(waits).toEqual([5, 30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 28_800, 28_800]);
  });

  it('schedules tries until 24 h after the first, then gives up', () => {
    // Prepare: fail every try at the moment it is due.
    const first = 0;
    const tries = [first];
    let next: number | undefined = first;
    for (let failed = 1; next !== undefined; failed++) {
      // Act
      next = nextTryAt(failed, tries.at(-1) as number, first);
      if (next !== undefined) tries.push(next);
    }

    // Assess: 11 tries, the last within the window, the one after it would fall outside.
    expect(tries).toHaveLength(11);
    expect(tries.at(-1)).toBeLessThanOrEqual(DELIVERY_WINDOW_MS);
    expect((tries.at(-1) as number) + 8 * HOUR).toBeGreaterThan(DELIVERY_WINDOW_MS);
  });

  it('delays a queue message by the time left, rounded up, at most 15 minutes, never negative', () => {
    // Act / Assess
    expect(queueDelaySeconds(5_000, 0)).toBe(5);
    expect(queueDelaySeconds(1_200, 0)).toBe(2);
    expect(queueDelaySeconds(4 * HOUR, 0)).toBe(900);
    expect(queueDelaySeconds(0, 10_000)).toBe(0);
  });
});
