import type { QueueClock } from './clock';
import { type EventSourceMappingConfig, type Invoke, SqsPoller } from './event-source';
import { queueDoesNotExist } from './messages';
import { LocalQueue, QUEUE_DEFAULTS, type QueueConfig } from './queue';
import { QueueFiles } from './store';

/**
 * The SQS twin: the template's queues on the stack's clock, and the Lambda event source mappings polling them.
 * What the SQS API peer, the EventBridge twin (a rule's SQS target) and the stack's `close` use.
 */

export interface LocalSqsOptions {
  accountId: string;
  region: string;
  clock: QueueClock;
  /** Where the queues keep their messages between runs (`DIR/sqs` of `--data DIR`); in memory when absent. */
  dataDir?: string;
}

export class LocalSqs {
  private readonly queues = new Map<string, LocalQueue>();
  private readonly pollers: SqsPoller[] = [];
  private readonly files: QueueFiles | undefined;

  constructor(readonly options: LocalSqsOptions) {
    this.files = options.dataDir === undefined ? undefined : new QueueFiles(options.dataDir);
  }

  get accountId(): string {
    return this.options.accountId;
  }

  get region(): string {
    return this.options.region;
  }

  /** Creates a queue (what CloudFormation does for an `AWS::SQS::Queue`); unset settings take SQS's defaults. */
  addQueue(config: Pick<QueueConfig, 'name' | 'arn' | 'url'> & Partial<QueueConfig>): LocalQueue {
    const queue = new LocalQueue({ ...QUEUE_DEFAULTS, ...config }, this.options.clock, {
      queueByArn: (arn) => this.queues.get(arn),
      ...(this.files && { files: this.files }),
    });
    this.queues.set(queue.arn, queue);
    return queue;
  }

  /** Starts polling a queue for a function (an `AWS::Lambda::EventSourceMapping`). */
  addEventSourceMapping(config: EventSourceMappingConfig, invoke: Invoke): SqsPoller {
    const queue = this.queues.get(config.eventSourceArn);
    if (!queue) throw new Error(`event source mapping ${config.id}: no queue ${config.eventSourceArn}`);
    const poller = new SqsPoller(config, queue, this.options.clock, invoke, this.region);
    this.pollers.push(poller);
    return poller;
  }

  get all(): LocalQueue[] {
    return [...this.queues.values()];
  }

  /** The queue an ARN names, or QueueDoesNotExist. */
  byArn(arn: string): LocalQueue {
    const queue = this.queues.get(arn);
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  /** The queue a name names, or QueueDoesNotExist. */
  byName(name: string): LocalQueue {
    for (const queue of this.queues.values()) if (queue.name === name) return queue;
    throw queueDoesNotExist();
  }

  /** The queue a queue URL names (its path `/<account>/<name>`; the host is the endpoint's), or QueueDoesNotExist. */
  byUrl(url: string): LocalQueue {
    let path: string;
    try {
      path = new URL(url).pathname;
    } catch {
      throw queueDoesNotExist();
    }
    const [, account, name, ...rest] = path.split('/');
    if (account !== this.accountId || !name || rest.length > 0) throw queueDoesNotExist();
    return this.byName(decodeURIComponent(name));
  }

  /** Stops every mapping from starting batches (those in flight finish: `drain`). */
  stop(): void {
    for (const poller of this.pollers) poller.stop();
  }

  /** Resolves once no batch is in flight in any mapping; the messages left are then written down. */
  async drain(): Promise<void> {
    while (this.pollers.some((poller) => poller.batchesInFlight > 0))
      await Promise.all(this.pollers.map((poller) => poller.drain()));
    this.files?.flush();
  }
}
