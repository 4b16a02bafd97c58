import type { QueueClock } from '#local/sqs/clock';

/** A queue clock that moves only when a test says so; wake-ups due by then run as it moves. */
export class ManualClock implements QueueClock {
  private wakes: { atMs: number; wake: () => void }[] = [];

  constructor(private now = Date.UTC(2026, 0, 5, 9)) {}

  nowMs(): number {
    return this.now;
  }

  wakeAt(atMs: number, wake: () => void): () => void {
    const entry = { atMs, wake };
    this.wakes.push(entry);
    return () => {
      this.wakes = this.wakes.filter((each) => each !== entry);
    };
  }

  /** Moves the clock by `ms`, runs the wake-ups now due, and lets what they started settle. */
  async advance(ms: number): Promise<void> {
    this.now += ms;
    const due = this.wakes.filter((each) => each.atMs <= this.now);
    this.wakes = this.wakes.filter((each) => each.atMs > this.now);
    for (const { wake } of due) wake();
    await settle();
  }
}

/** Lets pollers run: their pokes (setImmediate) and the invocations' promise chains. */
export async function settle(rounds = 10): Promise<void> {
  for (let round = 0; round < rounds; round++) await new Promise((resolve) => setImmediate(resolve));
}
