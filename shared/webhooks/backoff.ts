/**
 * When a failed delivery is tried again (PRODUCT.md §11): exponential backoff for 24 hours from the first try,
 * then the delivery is dead-lettered (replayable by an operator).
 */

/** The wait after the n-th failed try (index n-1); the last one repeats. */
export const BACKOFF_SECONDS = [5, 30, 120, 600, 1800, 3600, 7200, 14_400, 28_800] as const;

export const DELIVERY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The longest delay SQS accepts on one message; longer waits re-queue until due. */
export const MAX_QUEUE_DELAY_SECONDS = 900;

export function backoffMs(failedTries: number): number {
  const index = Math.min(Math.max(failedTries, 1), BACKOFF_SECONDS.length) - 1;
  return (BACKOFF_SECONDS[index] as number) * 1000;
}

/**
 * After the `failedTries`-th failure at `nowMs`: when to try next, or undefined when that would fall outside the
 * 24 h window that began at `firstAttemptMs` (the delivery is then dead).
 */
export function nextTryAt(failedTries: number, nowMs: number, firstAttemptMs: number): number | undefined {
  const next = nowMs + backoffMs(failedTries);
  return next - firstAttemptMs > DELIVERY_WINDOW_MS ? undefined : next;
}

/** The DelaySeconds of a message due at `dueMs` (0 when due, at most 900). */
export function queueDelaySeconds(dueMs: number, nowMs: number): number {
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil((dueMs - nowMs) / 1000)));
}
