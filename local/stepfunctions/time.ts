import { type Clock, OffsetClock } from '#shared/time/clock';

/**
 * How time passes in the embedded stack. Two modes:
 * - instant (the default, what `cascade demo` and the tests use): each execution has its own virtual clock;
 *   a Wait, a Retry pause or a task token's timeout takes `pauseMs` real milliseconds and moves that
 *   execution's clock by its full length. Everything else (API requests, events) runs at the wall clock.
 * - scaled (`timeScale: F`): one clock for the whole stack, started at real now and running F times faster;
 *   every execution and every Lambda invocation reads it, and a wait of S virtual seconds lasts S × 1000 / F
 *   real milliseconds, so replies and operators can act while a lead waits.
 */

/** The stack's clock, as tests and the CLI read it. */
export interface StackClock extends Clock {
  /** Virtual seconds per real second; undefined for the instant mode (the stack itself is at the wall clock). */
  readonly scale: number | undefined;
  nowMs(): number;
  now(): Date;
  /** Virtual minus wall time (ms): what a Lambda invocation's clock is shifted by. */
  offsetMs(): number;
}

export const WALL_CLOCK: StackClock = {
  scale: undefined,
  nowMs: () => Date.now(),
  now: () => new Date(),
  offsetMs: () => 0,
};

/**
 * The instant mode's stack clock started elsewhere in time (`--clock-start`): the wall clock shifted so that it
 * read `startMs` when the stack started. API requests and events read it; each execution starts its own clock
 * from it.
 */
export class ShiftedClock implements StackClock {
  readonly scale = undefined;
  private readonly shiftMs: number;

  constructor(startMs: number) {
    this.shiftMs = startMs - Date.now();
  }

  nowMs(): number {
    return Date.now() + this.shiftMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  offsetMs(): number {
    return this.shiftMs;
  }
}

/**
 * One clock for the whole stack: virtual time = start + (real time elapsed × scale). It stands still at its
 * start until `run()` (the stack calls it once it is up, so a slow start does not eat virtual hours).
 */
export class ScaledClock implements StackClock {
  private originRealMs: number | undefined;
  private originVirtualMs: number;

  constructor(
    readonly scale: number,
    startMs = Date.now(),
  ) {
    if (!(Number.isFinite(scale) && scale > 0))
      throw new RangeError(`the time scale must be a positive number (${scale})`);
    this.originVirtualMs = startMs;
  }

  /** Starts the clock running from where it stands (idempotent). */
  run(): void {
    this.originRealMs ??= Date.now();
  }

  nowMs(): number {
    if (this.originRealMs === undefined) return this.originVirtualMs;
    return this.originVirtualMs + (Date.now() - this.originRealMs) * this.scale;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  offsetMs(): number {
    return this.nowMs() - Date.now();
  }

  /** Real milliseconds `virtualMs` of this clock take. */
  realMsFor(virtualMs: number): number {
    return Math.max(0, virtualMs) / this.scale;
  }

  /**
   * Moves the clock forward to `virtualMs` when it is behind, never back: a restarted stack resumes the
   * executions it left running at the time they had reached, not earlier.
   */
  skipTo(virtualMs: number): void {
    if (virtualMs <= this.nowMs()) return;
    if (this.originRealMs !== undefined) this.originRealMs = Date.now();
    this.originVirtualMs = virtualMs;
  }
}

/** Resolves after `ms` real milliseconds, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    // Node caps timers at 2^31-1 ms (≈ 24.8 days); longer ones would fire at once.
    const timer = setTimeout(done, Math.min(Math.max(0, ms), 2_147_483_647));
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** One execution's view of time: its clock, and how a wait of some virtual length passes. */
export interface ExecutionTime {
  nowMs(): number;
  /** The clock offset a Task of this execution invokes its function at. */
  offsetMs(): number;
  /**
   * Lets `virtualMs` pass for this execution: resolves when it has (true), or early (false) when `signal`
   * aborts. Instant: `pauseMs` real ms, then the execution's clock jumps by `virtualMs`.
   */
  pass(virtualMs: number, signal: AbortSignal): Promise<boolean>;
  /** Real ms a Retry pause of `virtualMs` lasts (static per retrier: the interpreter takes a number). */
  retryPauseMs(virtualMs: number): number;
  /** The clock is shared (scaled): deadlines are kept with real timers rather than checked as the clock jumps. */
  readonly shared: boolean;
}

/** An execution's own clock, `offsetMs` from the wall clock at its start, compressed through its waits (instant mode). */
export function instantTime(pauseMs: number, offsetMs = 0): ExecutionTime {
  const clock = new OffsetClock(offsetMs);
  return {
    nowMs: () => clock.nowMs(),
    offsetMs: () => clock.offset,
    async pass(virtualMs, signal) {
      await sleep(pauseMs, signal);
      if (signal.aborted) return false;
      clock.advance(Math.max(0, virtualMs));
      return true;
    },
    retryPauseMs: () => pauseMs,
    shared: false,
  };
}

/** The stack's shared clock, waits lasting their scaled length (scaled mode). */
export function scaledTime(clock: ScaledClock): ExecutionTime {
  return {
    nowMs: () => clock.nowMs(),
    offsetMs: () => clock.offsetMs(),
    async pass(virtualMs, signal) {
      await sleep(clock.realMsFor(virtualMs), signal);
      return !signal.aborted;
    },
    retryPauseMs: (virtualMs) => clock.realMsFor(virtualMs),
    shared: true,
  };
}
