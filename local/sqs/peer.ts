import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { listenOnLoopback } from '../loopback';
import {
  checkRange,
  invalidParameter,
  type MessageAttributes,
  missingParameter,
  queueDoesNotExist,
  SqsError,
} from './messages';
import type { LocalQueue, ReceivedMessage } from './queue';
import type { LocalSqs } from './service';

/**
 * SQS's JSON 1.0 API (`X-Amz-Target: AmazonSQS.<Operation>`) in front of the SQS twin, for the SDK's SQSClient and
 * a stock AWS CLI (which speak this protocol since SQS left the query one): sends (with DelaySeconds), the queue's
 * URL and attributes, and what an operator needs to look into a dead-letter queue (receive, delete, purge).
 * Authorization is the authorizing proxy's, in front of this peer. Errors are "query compatible": `__type`
 * `com.amazonaws.sqs#<Shape>` and the legacy code in `x-amzn-query-error`.
 */

type Json = Record<string, unknown>;
type Operation = (sqs: LocalSqs, input: Json, callerKey: string | undefined) => unknown | Promise<unknown>;

const queueOf = (sqs: LocalSqs, input: Json): LocalQueue => {
  if (typeof input.QueueUrl !== 'string' || !input.QueueUrl) throw missingParameter('QueueUrl');
  return sqs.byUrl(input.QueueUrl);
};

const stringOf = (input: Json, name: string): string => {
  const value = input[name];
  if (typeof value !== 'string' || value === '') throw missingParameter(name);
  return value;
};

const OPERATIONS: Record<string, Operation> = {
  SendMessage(sqs, input, callerKey) {
    const sent = queueOf(sqs, input).send({
      body: stringOf(input, 'MessageBody'),
      ...(input.DelaySeconds !== undefined && { delaySeconds: input.DelaySeconds as number }),
      ...(input.MessageAttributes !== undefined && { messageAttributes: input.MessageAttributes as MessageAttributes }),
      ...(callerKey && { senderId: callerKey }),
    });
    return {
      MessageId: sent.messageId,
      MD5OfMessageBody: sent.md5OfMessageBody,
      ...(sent.md5OfMessageAttributes && { MD5OfMessageAttributes: sent.md5OfMessageAttributes }),
    };
  },
  SendMessageBatch(sqs, input, callerKey) {
    const queue = queueOf(sqs, input);
    const entries = checkBatch(input.Entries);
    const total = entries.reduce((sum, entry) => sum + Buffer.byteLength(String(entry.MessageBody ?? '')), 0);
    if (total > queue.config.maximumMessageSize)
      throw new SqsError(
        'BatchRequestTooLong',
        `Batch requests cannot be longer than ${queue.config.maximumMessageSize} bytes. You have sent ${total} bytes.`,
        'AWS.SimpleQueueService.BatchRequestTooLong',
      );
    const Successful: Json[] = [];
    const Failed: Json[] = [];
    for (const entry of entries) {
      try {
        const sent = OPERATIONS.SendMessage?.(sqs, { ...entry, QueueUrl: input.QueueUrl }, callerKey) as Json;
        Successful.push({ Id: entry.Id, ...sent });
      } catch (error) {
        if (!(error instanceof SqsError)) throw error;
        Failed.push({ Id: entry.Id, SenderFault: true, Code: error.queryCode, Message: error.message });
      }
    }
    return { Successful, Failed };
  },
  GetQueueUrl(sqs, input) {
    const owner = input.QueueOwnerAWSAccountId;
    if (owner !== undefined && owner !== sqs.accountId) throw queueDoesNotExist();
    return { QueueUrl: sqs.byName(stringOf(input, 'QueueName')).config.url };
  },
  ListQueues(sqs, input) {
    const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
    return { QueueUrls: sqs.all.filter((queue) => queue.name.startsWith(prefix)).map((queue) => queue.config.url) };
  },
  GetQueueAttributes(sqs, input) {
    const all = queueOf(sqs, input).attributes();
    const names = Array.isArray(input.AttributeNames) ? (input.AttributeNames as string[]) : [];
    if (names.includes('All')) return { Attributes: all };
    const unknown = names.find((name) => !(name in all) && !KNOWN_ABSENT_ATTRIBUTES.has(name));
    if (unknown) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${unknown}.`);
    const picked = Object.fromEntries(names.flatMap((name) => (name in all ? [[name, all[name]]] : [])));
    return Object.keys(picked).length > 0 ? { Attributes: picked } : {};
  },
  async ReceiveMessage(sqs, input) {
    const queue = queueOf(sqs, input);
    const max =
      checkRange('MaxNumberOfMessages', input.MaxNumberOfMessages, 1, 10, 'Must be between 1 and 10, if provided.') ??
      1;
    const visibility = checkRange(
      'VisibilityTimeout',
      input.VisibilityTimeout,
      0,
      43_200,
      'Must be >= 0 and <= 43200, if provided.',
    );
    const waitSeconds =
      checkRange('WaitTimeSeconds', input.WaitTimeSeconds, 0, 20, 'Must be >= 0 and <= 20, if provided.') ?? 0;
    const messages = await receiveWithin(queue, max, visibility, waitSeconds);
    return messages.length > 0 ? { Messages: messages.map((message) => wireMessage(message, input)) } : {};
  },
  DeleteMessage(sqs, input) {
    queueOf(sqs, input).delete(stringOf(input, 'ReceiptHandle'));
    return {};
  },
  DeleteMessageBatch(sqs, input) {
    const queue = queueOf(sqs, input);
    return eachEntry(checkBatch(input.Entries), (entry) => queue.delete(stringOf(entry, 'ReceiptHandle')));
  },
  ChangeMessageVisibility(sqs, input) {
    if (input.VisibilityTimeout === undefined) throw missingParameter('VisibilityTimeout');
    queueOf(sqs, input).changeVisibility(stringOf(input, 'ReceiptHandle'), Number(input.VisibilityTimeout));
    return {};
  },
  PurgeQueue(sqs, input) {
    queueOf(sqs, input).purge();
    return {};
  },
};

/** Attributes SQS knows that a queue here never has (FIFO, KMS, policy…): asked for, they are simply absent. */
const KNOWN_ABSENT_ATTRIBUTES = new Set([
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

/** A batch's entries, checked as SQS checks them (1 to 10, distinct well-formed ids). */
function checkBatch(value: unknown): Json[] {
  const entries = Array.isArray(value) ? (value as Json[]) : [];
  if (entries.length === 0)
    throw new SqsError(
      'EmptyBatchRequest',
      'There should be at least one SendMessageBatchRequestEntry in the request.',
      'AWS.SimpleQueueService.EmptyBatchRequest',
    );
  if (entries.length > 10)
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    );
  const ids = new Set<string>();
  for (const entry of entries) {
    const id = String(entry.Id ?? '');
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(id))
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
        'AWS.SimpleQueueService.InvalidBatchEntryId',
      );
    if (ids.has(id))
      throw new SqsError(
        'BatchEntryIdsNotDistinct',
        `Id ${id} repeated.`,
        'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
      );
    ids.add(id);
  }
  return entries;
}

function eachEntry(entries: Json[], act: (entry: Json) => void): { Successful: Json[]; Failed: Json[] } {
  const Successful: Json[] = [];
  const Failed: Json[] = [];
  for (const entry of entries) {
    try {
      act(entry);
      Successful.push({ Id: entry.Id });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: true, Code: error.queryCode, Message: error.message });
    }
  }
  return { Successful, Failed };
}

/** Long polling: the messages visible now, or the first to become visible within `waitSeconds` (real time). */
async function receiveWithin(
  queue: LocalQueue,
  max: number,
  visibility: number | undefined,
  waitSeconds: number,
): Promise<ReceivedMessage[]> {
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    const messages = queue.receive(max, visibility);
    if (messages.length > 0 || Date.now() >= deadline) return messages;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.min(100, deadline - Date.now()));
      const stop = queue.onChange(done);
      function done() {
        clearTimeout(timer);
        stop();
        resolve();
      }
    });
  }
}

/** A received message on the wire: system attributes and message attributes only when asked for. */
function wireMessage(message: ReceivedMessage, input: Json): Json {
  const asked = [
    ...((input.AttributeNames as string[] | undefined) ?? []),
    ...((input.MessageSystemAttributeNames as string[] | undefined) ?? []),
  ];
  const system: Record<string, string> = {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentAtMs),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp: String(message.firstReceiveAtMs ?? message.sentAtMs),
    ...(message.deadLetterSourceArn && { DeadLetterQueueSourceArn: message.deadLetterSourceArn }),
  };
  const attributes = Object.fromEntries(
    Object.entries(system).filter(([name]) => asked.includes('All') || asked.includes(name)),
  );
  const names = (input.MessageAttributeNames as string[] | undefined) ?? [];
  const messageAttributes = Object.fromEntries(
    Object.entries(message.messageAttributes).filter(
      ([name]) =>
        names.includes('All') ||
        names.includes('.*') ||
        names.includes(name) ||
        names.some((wanted) => wanted.endsWith('.*') && name.startsWith(wanted.slice(0, -1))),
    ),
  );
  return {
    MessageId: message.messageId,
    ReceiptHandle: message.receiptHandle,
    MD5OfBody: message.md5OfBody,
    Body: message.body,
    ...(Object.keys(attributes).length > 0 && { Attributes: attributes }),
    ...(Object.keys(messageAttributes).length > 0 && {
      MessageAttributes: messageAttributes,
      MD5OfMessageAttributes: message.md5OfMessageAttributes,
    }),
  };
}

/** The access key a request was signed with (SigV4 `Credential=<key>/…`): the message's SenderId. */
function callerKeyOf(authorization: string | undefined): string | undefined {
  return authorization?.match(/Credential=([^/,\s]+)\//)?.[1];
}

async function answer(sqs: LocalSqs, target: string, body: Buffer, callerKey: string | undefined): Promise<unknown> {
  const operation = target.startsWith('AmazonSQS.') ? OPERATIONS[target.slice('AmazonSQS.'.length)] : undefined;
  if (!operation)
    throw new SqsError(
      'UnsupportedOperation',
      `${target} is not supported here.`,
      'AWS.SimpleQueueService.UnsupportedOperation',
    );
  let input: unknown;
  try {
    input = JSON.parse(body.length > 0 ? body.toString('utf8') : '{}');
  } catch {
    throw invalidParameter('The request body is not valid JSON.');
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw invalidParameter('The request body must be a JSON object.');
  return operation(sqs, input as Json, callerKey);
}

export async function startSqsPeer(sqs: LocalSqs): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = createServer(async (request, response) => {
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(payload);
      response.writeHead(status, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': randomUUID(),
        'content-length': String(Buffer.byteLength(text)),
        ...headers,
      });
      response.end(text);
    };
    try {
      const body = await buffer(request);
      const target = String(request.headers['x-amz-target'] ?? '');
      send(200, await answer(sqs, target, body, callerKeyOf(request.headers.authorization)));
    } catch (error) {
      if (!(error instanceof SqsError))
        return send(
          500,
          { __type: 'com.amazonaws.sqs#InternalError', message: (error as Error).message },
          {
            'x-amzn-query-error': 'InternalError;Receiver',
          },
        );
      send(
        error.status,
        { __type: `com.amazonaws.sqs#${error.shape}`, message: error.message },
        { 'x-amzn-query-error': `${error.queryCode};Sender` },
      );
    }
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
