/** The most a touch is held back after its window opens: 15 minutes, so leads do not all get mail at 09:00:00. */
export const MAX_WINDOW_JITTER_SECONDS = 15 * 60;

/**
 * A random delay in whole seconds, 0..900 inclusive, to add to a window's opening. Callers draw it once and
 * store it with the wait, so a retried or replayed step waits until the same instant.
 */
export function windowJitterSeconds(random: () => number = Math.random): number {
  const draw = Math.floor(random() * (MAX_WINDOW_JITTER_SECONDS + 1));
  // Clamp: a custom source may return 1 or a value outside [0, 1).
  return Math.min(MAX_WINDOW_JITTER_SECONDS, Math.max(0, Number.isFinite(draw) ? draw : 0));
}
