import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Every "now" in Cascade reads this clock. In AWS it is the wall clock. The embedded stack runs each
 * execution with its own virtual clock (advanced by the Wait states it passes), so 24 h and 48 h
 * backoffs and hourly rate windows play out in seconds without changing the code under test.
 */
export interface Clock {
  nowMs(): number;
}

const wallClock: Clock = { nowMs: () => Date.now() };
const scopedClock = new AsyncLocalStorage<Clock>();

export function nowMs(): number {
  return (scopedClock.getStore() ?? wallClock).nowMs();
}

export function nowIso(): string {
  return new Date(nowMs()).toISOString();
}

export function runWithClock<T>(clock: Clock, work: () => T): T {
  return scopedClock.run(clock, work);
}

/** A clock that runs at wall speed from a shifted origin; `advance` jumps it forward (a Wait passed). */
export class OffsetClock implements Clock {
  constructor(private offsetMs = 0) {}
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  get offset(): number {
    return this.offsetMs;
  }
}
