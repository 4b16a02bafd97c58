import type { SendSchedule } from '../schedule/schema';
import { NoSendWindowError, type Place, type WindowState, windowAt, windowsBetween } from '../schedule/window';

/** The schedule preview's window questions (schedule-simulation.ts), memoised. */

type GatingWindow = { schedule: SendSchedule; place: Place };

/**
 * `windowAt` and the holiday question, memoised per window and instant: a campaign's leads share a few places,
 * and held leads are retried at the same instants (an hour's or a day's reset), so the same questions come back
 * thousands of times (5,000 leads over 31 days took 12 s unmemoised). Hand-written: a Map and a key suffice.
 */
export class WindowMemo {
  private readonly keys = new WeakMap<GatingWindow, string>();
  private readonly states = new Map<string, WindowState>();
  private readonly holidays = new Map<string, boolean>();

  /** The window state; a schedule that never opens (every day a holiday) never lets the touch go. */
  stateAt(window: GatingWindow, atMs: number): WindowState {
    const key = `${this.keyOf(window)}@${atMs}`;
    let state = this.states.get(key);
    if (state === undefined) {
      state = safeWindowAt(window, atMs);
      this.states.set(key, state);
    }
    return state;
  }

  /** Whether, without public holidays, a window would have opened in [fromMs, toMs) that the holidays took. */
  holidayTookWindow(window: GatingWindow, fromMs: number, toMs: number): boolean {
    const key = `${this.keyOf(window)}@${fromMs}-${toMs}`;
    let took = this.holidays.get(key);
    if (took === undefined) {
      const open = windowsBetween(window.schedule, window.place, fromMs, toMs);
      const withoutHolidays = windowsBetween({ ...window.schedule, skipHolidays: false }, window.place, fromMs, toMs);
      took = withoutHolidays.length > open.length;
      this.holidays.set(key, took);
    }
    return took;
  }

  private keyOf(window: GatingWindow): string {
    let key = this.keys.get(window);
    if (key === undefined) {
      key = JSON.stringify(window);
      this.keys.set(window, key);
    }
    return key;
  }
}

function safeWindowAt(window: GatingWindow, atMs: number): WindowState {
  try {
    return windowAt(window.schedule, window.place, atMs);
  } catch (error) {
    if (!(error instanceof NoSendWindowError)) throw error;
    return { open: false, opensAtMs: Number.POSITIVE_INFINITY, reason: 'closed_day' };
  }
}
