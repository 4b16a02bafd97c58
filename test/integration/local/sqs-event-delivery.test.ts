import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '#local/lambda-runtime';
import { type LocalStack, startLocalStack } from '#local/stack';
import { waitFor } from '#test/support/wait';

/**
 * Issue 16's wiring in the embedded stack, as deployed: an event put on the Cascade bus travels the synthesized
 * `WebhookEvents` rule to the delivery queue, whose event source mapping invokes the dispatcher with SQS records;
 * the queue's SQS API is behind each role's synthesized IAM policy.
 */
let stack: LocalStack;
const invocations: InvocationRecord[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ pauseMs: 1 });
  stack.lambda.onInvocation((invocation) => invocations.push(invocation));
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

interface DispatcherRecord {
  messageId: string;
  body: string;
  eventSource: string;
  eventSourceARN: string;
  attributes: Record<string, string>;
}

/** The SQS records the dispatcher was invoked with so far. */
const dispatcherRecords = (): DispatcherRecord[] =>
  invocations
    .filter((each) => each.fn.constructId === 'DispatchWebhooksFunction' && !each.error)
    .flatMap((each) => ((each.event as { Records?: DispatcherRecord[] }).Records ?? []) as DispatcherRecord[]);

/** An SQS client signed as a function's role (or the operator), pointed where the functions' clients point. */
const sqsAs = (accessKeyId: string) =>
  new SQSClient({
    region: 'us-east-1',
    endpoint: stack.endpoints.sqs,
    credentials: { accessKeyId, secretAccessKey: 'local' },
    maxAttempts: 1,
  });

const roleOf = (functionId: string) => stack.lambda.function(functionId).roleLogicalId;
const queueUrl = () => stack.environment.CASCADE_WEBHOOK_QUEUE_URL as string;

const deadLetterQueueUrl = () => {
  const [logicalId] =
    stack.template.ofType('AWS::SQS::Queue').find(([id]) => id.startsWith('EventDeliveryDeadLetters')) ?? [];
  return stack.template.resolveString({ Ref: logicalId });
};

describe('events on the Cascade bus reach the dispatcher through the queue', () => {
  it('a PutEvents with source cascade is delivered to DispatchWebhooksFunction as an SQS record', async () => {
    // Prepare
    const busName = stack.environment.CASCADE_EVENT_BUS_NAME as string;
    const eventId = `evt-${Date.now()}`;
    const events = new EventBridgeClient({ region: 'us-east-1', endpoint: stack.endpoints.eventBridge });

    // Act
    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: busName,
            Source: 'cascade',
            DetailType: 'lead.replied',
            Detail: JSON.stringify({ id: eventId, type: 'lead.replied', campaignId: 'sqs-local', data: {} }),
          },
        ],
      }),
    );
    const record = await waitFor(async () =>
      dispatcherRecords().find(
        (each) => (JSON.parse(each.body) as { detail?: { id?: string } }).detail?.id === eventId,
      ),
    );
    const settled = await waitFor(async () => {
      const { Attributes } = await sqsAs('local').send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl(), AttributeNames: ['All'] }),
      );
      const left =
        Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
      return left === 0 ? Attributes : undefined;
    });

    // Assess
    expect(busName).toMatch(/EventDeliveryBus/);
    expect(put.FailedEntryCount).toBe(0);
    const envelope = JSON.parse(record.body);
    expect(envelope).toMatchObject({ source: 'cascade', 'detail-type': 'lead.replied', detail: { id: eventId } });
    expect(record.eventSource).toBe('aws:sqs');
    expect(record.eventSourceARN).toBe(settled?.QueueArn);
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
  });

  it('an event from another source is not queued', async () => {
    // Prepare
    const events = new EventBridgeClient({ region: 'us-east-1', endpoint: stack.endpoints.eventBridge });
    const before = dispatcherRecords().length;

    // Act
    await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: stack.environment.CASCADE_EVENT_BUS_NAME,
            Source: 'operator.crm',
            DetailType: 'x',
            Detail: '{}',
          },
        ],
      }),
    );
    await stack.eventBridge.drain();
    await stack.sqs.drain();

    // Assess
    expect(dispatcherRecords()).toHaveLength(before);
  });
});

describe('the SQS API behind IAM', () => {
  it('lets a granted role send with a delay, which the dispatcher receives once due', async () => {
    // Prepare
    const body = JSON.stringify({
      kind: 'webhook.retry',
      webhookId: 'wh_test',
      deliveryId: `d-${Date.now()}`,
      attempt: 2,
    });
    const sentAt = Date.now();

    // Act
    const sent = await sqsAs(roleOf('DispatchWebhooksFunction')).send(
      new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: body, DelaySeconds: 1 }),
    );
    const record = await waitFor(async () => dispatcherRecords().find((each) => each.messageId === sent.MessageId));

    // Assess
    expect(record.body).toBe(body);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1000);
  });

  it('denies SendMessage to a role without the grant (AccessDeniedException, worded as SQS words it)', async () => {
    // Act
    const denied = await sqsAs(roleOf('SendEmailFunction'))
      .send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: '{}' }))
      .then(
        () => undefined,
        (error: Error & { Code?: string; $metadata?: { httpStatusCode?: number } }) => error,
      );

    // Assess
    // SQS sends `__type` AccessDeniedException with the query code AccessDenied, which the SDK names the error by.
    expect(denied?.name).toBe('AccessDenied');
    expect(denied?.Code).toBe('AccessDenied');
    expect(denied?.$metadata?.httpStatusCode).toBe(403);
    expect(denied?.message).toMatch(
      /SendEmailFunctionRole.* is not authorized to perform: sqs:sendmessage on resource: arn:aws:sqs:us-east-1:000000000000:EventDeliveryQueue\w+ because no identity-based policy allows the sqs:sendmessage action/,
    );
  });

  it('refuses a DelaySeconds over 900 with InvalidParameterValue', async () => {
    // Act
    const refused = await sqsAs(roleOf('ApiFunction'))
      .send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: '{}', DelaySeconds: 901 }))
      .then(
        () => undefined,
        (error: Error & { Code?: string }) => error,
      );

    // Assess
    expect(refused?.name).toBe('InvalidParameterValue');
    expect(refused?.message).toBe(
      'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
    );
  });

  it('gives every function the SQS endpoint, and queue URLs on that endpoint', () => {
    // Act
    const environment = stack.lambda.environmentOf('DispatchWebhooksFunction');

    // Assess
    expect(environment.AWS_ENDPOINT_URL_SQS).toBe(stack.endpoints.sqs);
    expect(environment.CASCADE_WEBHOOK_QUEUE_URL).toMatch(
      new RegExp(`^${stack.endpoints.sqs}/000000000000/EventDeliveryQueue`),
    );
  });
});

/** The AWS CLI, when this machine has one (it is not a project dependency). */
const awsCli = (() => {
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!awsCli)('an operator inspecting the dead-letter queue with the stock AWS CLI', () => {
  it('sees, receives and deletes a dead-lettered message', async () => {
    // Prepare
    await sqsAs('local').send(new SendMessageCommand({ QueueUrl: deadLetterQueueUrl(), MessageBody: '{"dead":true}' }));
    // Only the stack's operator credentials and endpoints, no config files: nobody's real ones.
    const env = {
      PATH: process.env.PATH,
      HOME: '/nonexistent',
      AWS_ACCESS_KEY_ID: stack.environment.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_DEFAULT_REGION: 'us-east-1',
    };
    // `--endpoint-url`: AWS CLI v1 puts us-east-1's SQS at queue.amazonaws.com over AWS_ENDPOINT_URL_SQS.
    const aws = async (...args: string[]) =>
      JSON.parse(
        (
          await promisify(execFile)(
            'aws',
            ['--endpoint-url', stack.endpoints.sqs, 'sqs', ...args, '--output', 'json'],
            { env, timeout: 60_000 },
          )
        ).stdout || '{}',
      );

    // Act
    const attributes = await aws(
      'get-queue-attributes',
      '--queue-url',
      deadLetterQueueUrl(),
      '--attribute-names',
      'All',
    );
    const received = await aws(
      'receive-message',
      '--queue-url',
      deadLetterQueueUrl(),
      '--max-number-of-messages',
      '10',
    );
    const handle = received.Messages?.[0]?.ReceiptHandle as string;
    await aws('delete-message', '--queue-url', deadLetterQueueUrl(), '--receipt-handle', handle);
    const after = await aws('get-queue-attributes', '--queue-url', deadLetterQueueUrl(), '--attribute-names', 'All');

    // Assess
    expect(attributes.Attributes.ApproximateNumberOfMessages).toBe('1');
    expect(received.Messages?.[0]?.Body).toBe('{"dead":true}');
    expect(after.Attributes.ApproximateNumberOfMessages).toBe('0');
    expect(after.Attributes.ApproximateNumberOfMessagesNotVisible).toBe('0');
  });
});
