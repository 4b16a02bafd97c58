import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { instantTime, ScaledClock, scaledTime } from '#local/stepfunctions/time';

const START = Date.parse('2026-03-02T09:00:00Z');

beforeEach(() => {
  vi.useFakeTimers({ now: START });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ScaledClock', () => {
  it('stands at real now until it runs, then runs `scale` times faster, its offset growing with it', () => {
    // Prepare
    const clock = new ScaledClock(3600);
    vi.advanceTimersByTime(5_000);
    const beforeRun = clock.nowMs();

    // Act
    clock.run();
    vi.advanceTimersByTime(2_000);

    // Assess: two real seconds are two virtual hours.
    expect(beforeRun).toBe(START);
    expect(clock.nowMs()).toBe(START + 2 * 3_600_000);
    expect(clock.now().toISOString()).toBe('2026-03-02T11:00:00.000Z');
    expect(clock.offsetMs()).toBe(2 * 3_600_000 - 7_000);
    expect(clock.realMsFor(72 * 3_600_000)).toBe(72_000);
  });

  it('skips forward to a later instant and never back', () => {
    // Prepare
    const clock = new ScaledClock(10);
    clock.run();

    // Act
    clock.skipTo(START + 86_400_000);
    const skipped = clock.nowMs();
    clock.skipTo(START);
    vi.advanceTimersByTime(100);

    // Assess
    expect(skipped).toBe(START + 86_400_000);
    expect(clock.nowMs()).toBe(START + 86_400_000 + 1_000);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses the scale %s', (scale) => {
    // Act
    const make = () => new ScaledClock(scale);

    // Assess
    expect(make).toThrow(/positive number/);
  });
});

describe('execution time', () => {
  it('passes a wait on the scaled clock in its scaled length, early when aborted', async () => {
    // Prepare
    const clock = new ScaledClock(3600);
    clock.run();
    const time = scaledTime(clock);
    const aborted = new AbortController();

    // Act
    const hour = time.pass(3_600_000, new AbortController().signal);
    const cut = time.pass(3_600_000, aborted.signal);
    vi.advanceTimersByTime(500);
    aborted.abort();
    vi.advanceTimersByTime(500);

    // Assess
    await expect(cut).resolves.toBe(false);
    await expect(hour).resolves.toBe(true);
    expect(time.nowMs()).toBe(START + 3_600_000);
    expect(time.retryPauseMs(2_000)).toBeCloseTo(2_000 / 3600);
  });

  it('passes a wait on the instant clock in pauseMs, moving that execution clock by its full length', async () => {
    // Prepare
    const time = instantTime(5);

    // Act
    const wait = time.pass(48 * 3_600_000, new AbortController().signal);
    vi.advanceTimersByTime(5);

    // Assess
    await expect(wait).resolves.toBe(true);
    expect(time.nowMs()).toBe(START + 5 + 48 * 3_600_000);
    expect(time.offsetMs()).toBe(48 * 3_600_000);
  });
});
