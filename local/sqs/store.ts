import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { StoredMessage } from './queue';

/**
 * Where queues keep their messages between runs of `cascade serve --data DIR` (SQS is durable: a retry queued
 * with a delay must survive a restart): one JSON file per queue under `DIR/sqs`, rewritten (a new file renamed
 * over the old one) soon after each change, and at once on `flush`.
 */
export class QueueFiles {
  private readonly pending = new Map<string, () => StoredMessage[]>();
  private scheduled = false;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  load(queueName: string): StoredMessage[] {
    const file = this.fileOf(queueName);
    if (!existsSync(file)) return [];
    try {
      const messages = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      return Array.isArray(messages) ? (messages as StoredMessage[]) : [];
    } catch {
      // A file cut short by a crash: the queue starts empty rather than not at all.
      return [];
    }
  }

  /** Writes the queue's messages soon (changes within one turn of the event loop are written once). */
  save(queueName: string, messages: () => StoredMessage[]): void {
    this.pending.set(queueName, messages);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    for (const [queueName, messages] of this.pending) {
      const file = this.fileOf(queueName);
      try {
        writeFileSync(`${file}.tmp`, JSON.stringify(messages()));
        renameSync(`${file}.tmp`, file);
      } catch (error) {
        // A data directory gone or full must not bring the stack down: the queue goes on in memory.
        process.emitWarning(`could not keep queue ${queueName} in ${this.dir}: ${(error as Error).message}`);
      }
    }
    this.pending.clear();
  }

  private fileOf(queueName: string): string {
    return path.join(this.dir, `${queueName.replace(/[^\w.-]/g, '_')}.json`);
  }
}
