import type { QueueClock } from './clock';
import { lambdaMessageAttributes } from './messages';
import type { LocalQueue, ReceivedMessage } from './queue';

/**
 * A Lambda event source mapping on an SQS queue, polled as Lambda polls it: batches of at most `batchSize`
 * messages (gathered for up to `maximumBatchingWindowSeconds` when fewer are waiting), at most
 * `maximumConcurrency` batches in flight, each received with the queue's visibility timeout and handed to the
 * function as an SQS event. A batch the function answers without failures is deleted; with
 * `ReportBatchItemFailures`, the items it lists stay in the queue (visible again after the visibility timeout)
 * and the others are deleted; an invocation that fails, or an answer naming an item not in the batch, leaves
 * the whole batch. The queue's redrive policy then moves a message received too often to its dead-letter queue.
 */

export interface EventSourceMappingConfig {
  /** The mapping's logical id (its UUID in AWS). */
  id: string;
  eventSourceArn: string;
  functionArn: string;
  /** `BatchSize` (default 10 for SQS). */
  batchSize: number;
  /** `MaximumBatchingWindowInSeconds` (default 0 for a standard queue). */
  maximumBatchingWindowSeconds: number;
  /** `FunctionResponseTypes` includes `ReportBatchItemFailures`. */
  reportBatchItemFailures: boolean;
  /** `ScalingConfig.MaximumConcurrency` (absent: Lambda scales out; here capped at 1000). */
  maximumConcurrency?: number;
  enabled: boolean;
}

export type Invoke = (functionArn: string, event: { Records: unknown[] }) => Promise<unknown>;

const UNCAPPED_CONCURRENCY = 1000;

/** An SQS message as a record of the event Lambda's SQS poller sends. */
export function sqsRecord(message: ReceivedMessage, queueArn: string, region: string): Record<string, unknown> {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAtMs),
      SenderId: message.senderId,
      ApproximateFirstReceiveTimestamp: String(message.firstReceiveAtMs ?? message.sentAtMs),
      ...(message.deadLetterSourceArn && { DeadLetterQueueSourceArn: message.deadLetterSourceArn }),
    },
    messageAttributes: lambdaMessageAttributes(message.messageAttributes),
    md5OfBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes && { md5OfMessageAttributes: message.md5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * The message ids the function reported as failed; undefined when the whole batch failed (an answer Lambda
 * cannot read: an item identifier that is missing, empty or not in the batch).
 */
export function failedItems(answer: unknown, batch: ReceivedMessage[]): Set<string> | undefined {
  const failures = (answer as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return undefined;
  const ids = new Set(batch.map((message) => message.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return undefined;
    failed.add(id);
  }
  return failed;
}

export class SqsPoller {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopListening: () => void;
  private cancelWake: (() => void) | undefined;
  private pumpScheduled = false;
  private stopped = false;

  constructor(
    readonly config: EventSourceMappingConfig,
    private readonly queue: LocalQueue,
    private readonly clock: QueueClock,
    private readonly invoke: Invoke,
    private readonly region: string,
  ) {
    this.stopListening = queue.onChange(() => this.poke());
    this.poke();
  }

  private get concurrency(): number {
    return this.config.maximumConcurrency ?? UNCAPPED_CONCURRENCY;
  }

  /** Batches being handled now. */
  get batchesInFlight(): number {
    return this.inFlight.size;
  }

  /** Looks at the queue soon (after the current call stack: a send answers before its message is handled). */
  poke(): void {
    if (this.pumpScheduled || this.stopped || !this.config.enabled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Stops starting batches (those in flight run to their end: see `drain`). */
  stop(): void {
    this.stopped = true;
    this.stopListening();
    this.cancelWake?.();
  }

  /** Resolves once no batch is in flight. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private pump(): void {
    if (this.stopped) return;
    this.cancelWake?.();
    this.cancelWake = undefined;
    while (this.inFlight.size < this.concurrency) {
      const windowEndsAt = this.batchingWindowEnd();
      if (windowEndsAt !== undefined) {
        this.wakeAt(windowEndsAt);
        return;
      }
      const batch = this.queue.receive(this.config.batchSize);
      if (batch.length === 0) break;
      this.handle(batch);
    }
    // Full: the end of a batch pokes. Otherwise: when the next delayed or invisible message comes due.
    if (this.inFlight.size >= this.concurrency) return;
    const next = this.queue.nextVisibleAtMs();
    if (next !== undefined) this.wakeAt(next);
  }

  /** While a batching window is open and the batch is not full: when it closes. */
  private batchingWindowEnd(): number | undefined {
    const windowMs = this.config.maximumBatchingWindowSeconds * 1000;
    if (windowMs <= 0) return undefined;
    const since = this.queue.oldestVisibleSinceMs();
    if (since === undefined || this.queue.counts().visible >= this.config.batchSize) return undefined;
    const endsAt = since + windowMs;
    return endsAt > this.clock.nowMs() ? endsAt : undefined;
  }

  private wakeAt(atMs: number): void {
    this.cancelWake = this.clock.wakeAt(atMs, () => this.poke());
  }

  private handle(batch: ReceivedMessage[]): void {
    const records = batch.map((message) => sqsRecord(message, this.queue.arn, this.region));
    const handled = this.invoke(this.config.functionArn, { Records: records }).then(
      (answer) => {
        const failed = this.config.reportBatchItemFailures ? failedItems(answer, batch) : new Set<string>();
        // A whole failed batch stays in the queue, to be received again after its visibility timeout.
        if (!failed) return;
        for (const message of batch) if (!failed.has(message.messageId)) this.queue.delete(message.receiptHandle);
      },
      () => {},
    );
    this.inFlight.add(handled);
    void handled.finally(() => {
      this.inFlight.delete(handled);
      this.poke();
    });
  }
}
