import { randomBytes, randomUUID } from 'node:crypto';
import type { QueueClock } from './clock';
import {
  checkMessageAttributes,
  checkMessageContents,
  checkRange,
  invalidParameter,
  type MessageAttributes,
  md5Hex,
  md5OfMessageAttributes,
  messageSize,
  SqsError,
} from './messages';
import type { QueueFiles } from './store';

/**
 * One standard SQS queue on the stack's clock: a message sent with a delay is invisible until it is due; a
 * received one is invisible for the visibility timeout, then received again with a higher receive count unless
 * deleted; once its receive count has reached the redrive policy's `maxReceiveCount`, the next receive moves it to
 * the dead-letter queue instead; it is gone after the retention period (counted from its first enqueue, in the
 * dead-letter queue too, as for standard queues). Delivery order is approximately the send order.
 */

export interface QueueConfig {
  name: string;
  arn: string;
  url: string;
  /** `VisibilityTimeout` (default 30). */
  visibilityTimeoutSeconds: number;
  /** `DelaySeconds`: the queue's default delay (default 0). */
  delaySeconds: number;
  /** `MessageRetentionPeriod` (default 4 days). */
  messageRetentionSeconds: number;
  /** `MaximumMessageSize` (default 262,144 bytes). */
  maximumMessageSize: number;
  redrivePolicy?: { deadLetterTargetArn: string; maxReceiveCount: number };
}

export const QUEUE_DEFAULTS = {
  visibilityTimeoutSeconds: 30,
  delaySeconds: 0,
  messageRetentionSeconds: 345_600,
  maximumMessageSize: 262_144,
};

export interface SendInput {
  body: string;
  delaySeconds?: number;
  messageAttributes?: MessageAttributes;
  /** Who sent it (`SenderId`): the caller's access key, or the AWS service that delivered it. */
  senderId?: string;
}

export interface SendResult {
  messageId: string;
  md5OfMessageBody: string;
  md5OfMessageAttributes?: string;
}

/** A message as it is stored (times on the queue's clock, epoch ms). */
export interface StoredMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: MessageAttributes;
  md5OfMessageAttributes?: string;
  senderId: string;
  sentAtMs: number;
  /** When it was first enqueued anywhere (retention counts from it, in a dead-letter queue too). */
  enqueuedAtMs: number;
  visibleAtMs: number;
  receiveCount: number;
  firstReceiveAtMs?: number;
  /** The handle of its latest receive: only that one deletes it or changes its visibility. */
  receiptHandle?: string;
  /** Set on a message moved to a dead-letter queue: the queue it came from. */
  deadLetterSourceArn?: string;
}

/** A received message: a copy, with the receipt handle of this receive. */
export type ReceivedMessage = Readonly<StoredMessage> & { receiptHandle: string };

export interface QueueNeighbours {
  /** The queue an ARN names (a redrive policy's dead-letter queue). */
  queueByArn(arn: string): LocalQueue | undefined;
  /** Where the queue's messages are kept between runs (in memory only when absent). */
  files?: QueueFiles;
}

export class LocalQueue {
  private readonly messages = new Map<string, StoredMessage>();
  private readonly listeners = new Set<() => void>();
  private readonly createdAtMs: number;
  private lastPurgeAtMs: number | undefined;

  constructor(
    readonly config: QueueConfig,
    private readonly clock: QueueClock,
    private readonly neighbours: QueueNeighbours,
  ) {
    this.createdAtMs = clock.nowMs();
    for (const message of neighbours.files?.load(config.name) ?? []) this.messages.set(message.messageId, message);
  }

  get name(): string {
    return this.config.name;
  }

  get arn(): string {
    return this.config.arn;
  }

  /** Called whenever a message may have become receivable (a send, a visibility change). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(input: SendInput): SendResult {
    const delaySeconds =
      checkRange('DelaySeconds', input.delaySeconds, 0, 900, 'DelaySeconds must be >= 0 and <= 900.') ??
      this.config.delaySeconds;
    if (input.body === '')
      throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
    checkMessageContents(input.body);
    checkMessageAttributes(input.messageAttributes);
    const limit = this.config.maximumMessageSize;
    if (messageSize(input.body, input.messageAttributes) > limit)
      throw invalidParameter(
        `One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`,
      );
    const now = this.clock.nowMs();
    const attributes = input.messageAttributes ?? {};
    const md5OfAttributes = md5OfMessageAttributes(attributes);
    const message: StoredMessage = {
      messageId: randomUUID(),
      body: input.body,
      md5OfBody: md5Hex(input.body),
      messageAttributes: attributes,
      ...(md5OfAttributes && { md5OfMessageAttributes: md5OfAttributes }),
      senderId: input.senderId ?? 'local',
      sentAtMs: now,
      enqueuedAtMs: now,
      visibleAtMs: now + delaySeconds * 1000,
      receiveCount: 0,
    };
    this.messages.set(message.messageId, message);
    this.saved();
    this.changed();
    return {
      messageId: message.messageId,
      md5OfMessageBody: message.md5OfBody,
      ...(md5OfAttributes && { md5OfMessageAttributes: md5OfAttributes }),
    };
  }

  /**
   * Receives up to `maxMessages` visible messages, each invisible for `visibilityTimeoutSeconds` (default: the
   * queue's); a message already received `maxReceiveCount` times goes to the dead-letter queue instead.
   */
  receive(maxMessages = 1, visibilityTimeoutSeconds = this.config.visibilityTimeoutSeconds): ReceivedMessage[] {
    const now = this.clock.nowMs();
    this.expire(now);
    const received: ReceivedMessage[] = [];
    for (const message of [...this.messages.values()]) {
      if (received.length >= maxMessages) break;
      if (message.visibleAtMs > now) continue;
      if (this.redrive(message)) continue;
      message.receiveCount++;
      message.firstReceiveAtMs ??= now;
      message.visibleAtMs = now + visibilityTimeoutSeconds * 1000;
      message.receiptHandle = newReceiptHandle(this.name, message.messageId);
      received.push({ ...message, receiptHandle: message.receiptHandle });
    }
    if (received.length > 0) this.saved();
    return received;
  }

  /** Deletes the message a receipt handle was given for; a handle of an earlier receive deletes nothing. */
  delete(receiptHandle: string): void {
    const message = this.messages.get(messageIdOf(receiptHandle));
    if (message?.receiptHandle !== receiptHandle) return;
    this.messages.delete(message.messageId);
    this.saved();
  }

  /** ChangeMessageVisibility: the message becomes visible `seconds` from now (0: at once). */
  changeVisibility(receiptHandle: string, seconds: number): void {
    checkRange('VisibilityTimeout', seconds, 0, 43_200, 'Must be >= 0 and <= 43200, if provided.');
    const message = this.messages.get(messageIdOf(receiptHandle));
    const now = this.clock.nowMs();
    if (!message || message.receiptHandle !== receiptHandle || message.visibleAtMs <= now)
      throw new SqsError(
        'MessageNotInflight',
        'Message does not exist or is not available for visibility timeout change.',
        'AWS.SimpleQueueService.MessageNotInflight',
      );
    message.visibleAtMs = now + seconds * 1000;
    this.saved();
    this.changed();
  }

  purge(): void {
    const now = this.clock.nowMs();
    if (this.lastPurgeAtMs !== undefined && now - this.lastPurgeAtMs < 60_000)
      throw new SqsError(
        'PurgeQueueInProgress',
        `Only one PurgeQueue operation on ${this.name} is allowed every 60 seconds.`,
        'AWS.SimpleQueueService.PurgeQueueInProgress',
        403,
      );
    this.lastPurgeAtMs = now;
    this.messages.clear();
    this.saved();
  }

  /** A message moved here from another queue's redrive, keeping its id, body, attributes and first enqueue time. */
  acceptDeadLetter(message: StoredMessage, sourceArn: string): void {
    const now = this.clock.nowMs();
    const { receiptHandle: _handle, firstReceiveAtMs: _first, ...kept } = message;
    this.messages.set(message.messageId, {
      ...kept,
      visibleAtMs: now,
      receiveCount: 0,
      deadLetterSourceArn: sourceArn,
    });
    this.saved();
    this.changed();
  }

  /** How many messages are visible, in flight and delayed (the queue's Approximate* attributes). */
  counts(): { visible: number; inFlight: number; delayed: number } {
    const now = this.clock.nowMs();
    this.expire(now);
    const counts = { visible: 0, inFlight: 0, delayed: 0 };
    for (const message of this.messages.values()) {
      if (message.visibleAtMs <= now) counts.visible++;
      else if (message.receiveCount > 0) counts.inFlight++;
      else counts.delayed++;
    }
    return counts;
  }

  /** When the first message now invisible becomes visible (undefined: none is waiting). */
  nextVisibleAtMs(): number | undefined {
    const now = this.clock.nowMs();
    let next: number | undefined;
    for (const { visibleAtMs } of this.messages.values())
      if (visibleAtMs > now && (next === undefined || visibleAtMs < next)) next = visibleAtMs;
    return next;
  }

  /** When the oldest message visible now became visible (the start of a batching window). */
  oldestVisibleSinceMs(): number | undefined {
    const now = this.clock.nowMs();
    let oldest: number | undefined;
    for (const { visibleAtMs } of this.messages.values())
      if (visibleAtMs <= now && (oldest === undefined || visibleAtMs < oldest)) oldest = visibleAtMs;
    return oldest;
  }

  attributes(): Record<string, string> {
    const { visible, inFlight, delayed } = this.counts();
    const { config } = this;
    return {
      QueueArn: config.arn,
      ApproximateNumberOfMessages: String(visible),
      ApproximateNumberOfMessagesNotVisible: String(inFlight),
      ApproximateNumberOfMessagesDelayed: String(delayed),
      CreatedTimestamp: String(Math.floor(this.createdAtMs / 1000)),
      LastModifiedTimestamp: String(Math.floor(this.createdAtMs / 1000)),
      VisibilityTimeout: String(config.visibilityTimeoutSeconds),
      MaximumMessageSize: String(config.maximumMessageSize),
      MessageRetentionPeriod: String(config.messageRetentionSeconds),
      DelaySeconds: String(config.delaySeconds),
      ReceiveMessageWaitTimeSeconds: '0',
      SqsManagedSseEnabled: 'true',
      ...(config.redrivePolicy && { RedrivePolicy: JSON.stringify(config.redrivePolicy) }),
    };
  }

  /** Moves a message that has been received `maxReceiveCount` times to the dead-letter queue; true if it did. */
  private redrive(message: StoredMessage): boolean {
    const policy = this.config.redrivePolicy;
    if (!policy || message.receiveCount < policy.maxReceiveCount) return false;
    const deadLetters = this.neighbours.queueByArn(policy.deadLetterTargetArn);
    // AWS keeps a message whose dead-letter queue is gone where it is.
    if (!deadLetters) return false;
    this.messages.delete(message.messageId);
    this.saved();
    deadLetters.acceptDeadLetter(message, this.arn);
    return true;
  }

  private expire(now: number): void {
    const retentionMs = this.config.messageRetentionSeconds * 1000;
    for (const message of [...this.messages.values()])
      if (message.enqueuedAtMs + retentionMs <= now) {
        this.messages.delete(message.messageId);
        this.saved();
      }
  }

  /** Keeps the messages where they outlive this run, when the queue has such a place. */
  private saved(): void {
    this.neighbours.files?.save(this.name, () => [...this.messages.values()]);
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** A receipt handle: opaque to callers, naming the queue and the message, new at every receive. */
function newReceiptHandle(queueName: string, messageId: string): string {
  return Buffer.from(`${queueName} ${messageId} ${randomBytes(16).toString('hex')}`).toString('base64');
}

function messageIdOf(receiptHandle: string): string {
  const parts = Buffer.from(receiptHandle, 'base64').toString('utf8').split(' ');
  if (parts.length !== 3 || !parts[1])
    throw new SqsError(
      'ReceiptHandleIsInvalid',
      `The input receipt handle "${receiptHandle}" is not a valid receipt handle.`,
      'ReceiptHandleIsInvalid',
      404,
    );
  return parts[1];
}
