import * as path from 'node:path';
import { type Authorizer, startAuthorizingProxy } from '../authorizing-proxy';
import type { LocalEventBridgeOptions } from '../eventbridge/bus';
import type { LocalRule } from '../eventbridge/rules';
import type { LocalLambdaService } from '../lambda-runtime';
import type { StackClock } from '../stepfunctions/time';
import { LOCAL_NAMES, type TemplateResolver, templateEventSourceMappings, templateQueues } from '../template';
import { stackQueueClock } from './clock';
import { startSqsPeer } from './peer';
import { LocalSqs } from './service';

/**
 * The SQS twin in the embedded stack. Its endpoint comes first: queue URLs name it (the SDK sends a request to the
 * host of its `QueueUrl`), and the template is resolved with them; the IAM check in front of it takes the
 * template's roles once they are known (`authorizeWith`). The queues and event source mappings are then deployed
 * from the template (`deployQueues`), and EventBridge targets that are queues deliver to them (`eventTargets`).
 */
export async function startSqsEndpoint(clock: StackClock, dataDir?: string) {
  const sqs = new LocalSqs({
    ...LOCAL_NAMES,
    clock: stackQueueClock(clock),
    ...(dataDir && { dataDir: path.join(dataDir, 'sqs') }),
  });
  const peer = await startSqsPeer(sqs);
  let authorizer: Authorizer | undefined;
  const proxy = await startAuthorizingProxy({
    target: peer.endpoint,
    service: 'sqs',
    names: LOCAL_NAMES,
    authorizer: {
      authorize: (accessKeyId, requests) => {
        if (!authorizer) throw new Error('the SQS endpoint is not deployed yet (no IAM roles)');
        return authorizer.authorize(accessKeyId, requests);
      },
    },
  });
  return {
    sqs,
    /** The SQS API behind the IAM check: AWS_ENDPOINT_URL_SQS, and the host of every queue URL. */
    endpoint: proxy.endpoint,
    servers: [proxy, peer],
    authorizeWith(deployed: Authorizer): void {
      authorizer = deployed;
    },
  };
}

/** The template's queues, and its event source mappings invoking their functions through the Lambda service. */
export function deployQueues(sqs: LocalSqs, resolver: TemplateResolver, lambda: LocalLambdaService): void {
  for (const queue of templateQueues(resolver)) sqs.addQueue(queue);
  for (const mapping of templateEventSourceMappings(resolver))
    sqs.addEventSourceMapping(mapping, (functionArn, event) => lambda.invoke(functionArn, event));
}

const isQueueArn = (arn: string) => arn.startsWith('arn:aws:sqs:');

const ruleArn = ({ name, eventBusName }: LocalRule) =>
  `arn:aws:events:${LOCAL_NAMES.region}:${LOCAL_NAMES.accountId}:rule/${
    eventBusName === 'default' ? name : `${eventBusName}/${name}`
  }`;

/**
 * What EventBridge does with a target: a queue gets the event (after Input/InputPath) as a message body, a
 * function is invoked. An event still undelivered after the target's retries goes to its dead-letter queue with
 * the attributes EventBridge sets (RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE).
 */
export function eventTargets(
  lambda: LocalLambdaService,
  sqs: LocalSqs,
): Pick<LocalEventBridgeOptions, 'invoke' | 'onDeadLetter'> {
  const sendEvent = (queueArn: string, payload: unknown, attributes?: Record<string, string>) =>
    sqs.byArn(queueArn).send({
      body: typeof payload === 'string' ? payload : JSON.stringify(payload),
      senderId: 'events.amazonaws.com',
      ...(attributes && {
        messageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
        ),
      }),
    });
  return {
    invoke: async (targetArn, payload) =>
      isQueueArn(targetArn) ? sendEvent(targetArn, payload) : lambda.invoke(targetArn, payload),
    onDeadLetter: (rule, target, payload, error) => {
      if (!target.deadLetterArn || !isQueueArn(target.deadLetterArn)) return;
      sendEvent(target.deadLetterArn, payload, {
        RULE_ARN: ruleArn(rule),
        TARGET_ARN: target.arn,
        ERROR_CODE: (error as Error | undefined)?.name || 'Error',
        ERROR_MESSAGE: (error as Error | undefined)?.message || 'undeliverable',
        RETRY_ATTEMPTS: String(target.retryAttempts ?? 185),
        EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      });
    },
  };
}
