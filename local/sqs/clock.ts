import { ScaledClock, type StackClock } from '../stepfunctions/time';

/**
 * The queues' time: delays, visibility timeouts, batching windows and retention are durations of the stack's
 * clock (the one the schedule rules follow), so a 360 s visibility timeout lasts 360 s under the instant clock and
 * 360 / F real seconds under a clock scaled F times.
 */
export interface QueueClock {
  nowMs(): number;
  /**
   * Calls `wake` once this clock has reached `atMs` (perhaps earlier: whoever wakes checks the time again).
   * Returns a function that cancels it.
   */
  wakeAt(atMs: number, wake: () => void): () => void;
}

/** A clock that jumps (a restarted scaled clock catching up) is looked at again at least this often. */
const LONGEST_SLEEP_MS = 1000;

/** The stack's clock as the queues read it: real timers, each as long as its virtual wait takes. */
export function stackQueueClock(clock: StackClock): QueueClock {
  const realMsFor = (virtualMs: number) =>
    clock instanceof ScaledClock ? clock.realMsFor(virtualMs) : Math.max(0, virtualMs);
  return {
    nowMs: () => clock.nowMs(),
    wakeAt(atMs, wake) {
      const timer = setTimeout(wake, Math.min(Math.ceil(realMsFor(atMs - clock.nowMs())), LONGEST_SLEEP_MS));
      // A pending wake-up never keeps the process alive: the stack's servers do while it runs.
      timer.unref();
      return () => clearTimeout(timer);
    },
  };
}
