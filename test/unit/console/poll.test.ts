import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPolling, type Visibility } from '../../../console/src/poll';

/** A tab whose visibility the test switches. */
function tab() {
  let hidden = false;
  const listeners = new Set<() => void>();
  const visibility: Visibility = {
    hidden: () => hidden,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const show = (visible: boolean) => {
    hidden = !visible;
    for (const listener of listeners) listener();
  };
  return { visibility, show, listeners };
}

describe('startPolling', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('loads at once, then every interval after the last load settled', async () => {
    // Prepare
    const { visibility } = tab();
    const tick = vi.fn(async () => undefined);

    // Act
    const poller = startPolling(tick, 5_000, visibility);
    await vi.advanceTimersByTimeAsync(4_999);
    const beforeInterval = tick.mock.calls.length;
    await vi.advanceTimersByTimeAsync(10_000);
    poller.stop();
    await vi.advanceTimersByTimeAsync(20_000);

    // Assess
    expect(beforeInterval).toBe(1);
    expect(tick).toHaveBeenCalledTimes(3);
  });

  it('never runs two loads at a time behind a slow API, and keeps polling after a failure', async () => {
    // Prepare
    const { visibility } = tab();
    let running = 0;
    let overlapped = false;
    const tick = vi.fn(async () => {
      running++;
      overlapped ||= running > 1;
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      running--;
      throw new Error('API down');
    });

    // Act
    const poller = startPolling(tick, 5_000, visibility);
    poller.now();
    await vi.advanceTimersByTimeAsync(40_000);
    poller.stop();

    // Assess: 0–12 s, 17–29 s, 34–… : three loads, one at a time.
    expect(overlapped).toBe(false);
    expect(tick).toHaveBeenCalledTimes(3);
  });

  it('stops while the tab is hidden and loads at once when it is shown again', async () => {
    // Prepare
    const { visibility, show, listeners } = tab();
    const tick = vi.fn(async () => undefined);
    const poller = startPolling(tick, 5_000, visibility);
    await vi.advanceTimersByTimeAsync(1);

    // Act
    show(false);
    await vi.advanceTimersByTimeAsync(60_000);
    const whileHidden = tick.mock.calls.length;
    show(true);
    await vi.advanceTimersByTimeAsync(1);
    const onShow = tick.mock.calls.length;
    poller.stop();

    // Assess
    expect(whileHidden).toBe(1);
    expect(onShow).toBe(2);
    expect(listeners.size).toBe(0);
  });
});
