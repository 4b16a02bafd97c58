import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledgements';
import type { CascadeFunction, CascadeFunctions, SettingValues } from './cascade-function';
import { deadLetterQueue } from './dead-letters';

/** The `source` of every event Cascade puts on its bus (PRODUCT.md §11); rules of operators match on it too. */
export const CASCADE_EVENT_SOURCE = 'cascade';

/** How long the dispatcher may run: a batch of deliveries, each receiver given at most 10 s (shared/webhooks). */
export const DISPATCHER_TIMEOUT = Duration.seconds(60);

/**
 * Events out (PRODUCT.md §11): the facts Cascade's functions record go to the `Bus` (operators may add their own
 * rules and targets to it); the `WebhookEvents` rule sends them to the `Queue`, whose dispatcher function signs
 * and delivers them to the registered webhooks, queueing each failed delivery's next try on the same queue. A
 * message the dispatcher fails five times goes to the `DeadLetters` queue (alarmed). Nothing here is on a send's
 * path: a function only puts an event on the bus.
 *
 * Made in two parts: the bus and the queue first (the functions are given their names when they are made), the
 * dispatcher and the rules once the functions exist (`connect`).
 */
export class EventDelivery extends Construct {
  readonly bus: events.EventBus;
  readonly queue: sqs.Queue;
  readonly deadLetters: sqs.Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { description: 'Cascade: the facts of PRODUCT.md §11' });
    this.deadLetters = deadLetterQueue(this, 'DeadLetters');
    this.queue = new sqs.Queue(this, 'Queue', {
      // Lambda's guidance for an SQS event source: six times the function's timeout.
      visibilityTimeout: Duration.seconds(DISPATCHER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
  }

  /** The settings naming the bus and the queue (shared/config/settings.ts says which function reads which). */
  settings(): SettingValues {
    return { CASCADE_EVENT_BUS_NAME: this.bus.eventBusName, CASCADE_WEBHOOK_QUEUE_URL: this.queue.queueUrl };
  }

  /**
   * The dispatcher, fed by the queue; the rule from the bus to the queue; the outbox sweep (events a function
   * recorded but could not put on the bus); every function may put events, the API may queue a replay.
   */
  connect(functions: CascadeFunctions, eventsDeadLetters: sqs.IQueue): CascadeFunction {
    const emitters = Object.values(functions.byId);
    const dispatcher = functions
      .add('DispatchWebhooksFunction', 'dispatch-webhooks', { invokedAsync: true, timeout: DISPATCHER_TIMEOUT })
      // Config: webhooks and their deliveries; Outreach: the recorded events and the outbox markers it clears.
      .bindTables({ Config: 'readWrite', Outreach: 'readWrite' });
    dispatcher.addEventSource(
      // Up to a second's events in one invocation: a burst (a batch's sends) costs a few invocations, not one per event.
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: 5,
      }),
    );
    const mapping = dispatcher.node.children.find((child) => child.node.id.startsWith('SqsEventSource'));
    if (mapping)
      acknowledge(
        mapping,
        'Serverless-LambdaEventSourceMappingDestination',
        'An SQS event source takes no on-failure destination: a message the dispatcher fails five times goes to ' +
          "the queue's own dead-letter queue (its redrive policy), which the DeadLetterAlarm watches.",
      );
    this.queue.grantSendMessages(dispatcher);
    const api = functions.byId.ApiFunction;
    if (api) this.queue.grantSendMessages(api);
    for (const fn of [...emitters, dispatcher]) this.bus.grantPutEventsTo(fn);

    new events.Rule(this, 'WebhookEvents', {
      description: 'Every Cascade event to the webhook delivery queue',
      eventBus: this.bus,
      eventPattern: { source: [CASCADE_EVENT_SOURCE] },
      targets: [new targets.SqsQueue(this.queue, { retryAttempts: 8, deadLetterQueue: eventsDeadLetters })],
    });
    new events.Rule(this, 'OutboxSweep', {
      description: 'Puts on the bus the events a function recorded but could not put (EventBridge unavailable)',
      schedule: events.Schedule.rate(Duration.minutes(10)),
      targets: [
        new targets.LambdaFunction(dispatcher, {
          event: events.RuleTargetInput.fromObject({ republishOutbox: true }),
          retryAttempts: 8,
          deadLetterQueue: eventsDeadLetters,
        }),
      ],
    });
    return dispatcher;
  }
}
