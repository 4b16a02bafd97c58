import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { listenOnLoopback } from '../loopback';
import { EventBridgeError, type LocalEventBridge } from './bus';
import { matchesEventPattern, validateEventPattern } from './event-pattern';
import { busNameOf, type LocalRule, type LocalTarget } from './rules';

/** EventBridge's JSON 1.1 API in front of a `LocalEventBridge`: the operations the SDK and the AWS CLI call. */

const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];
type Operation = (bus: LocalEventBridge, input: Record<string, unknown>) => unknown;

const OPERATIONS: Record<string, Operation> = {
  PutEvents(bus, input) {
    const entries = ((input.Entries as Record<string, unknown>[] | undefined) ?? []).map((entry) => ({
      ...entry,
      // JSON 1.1 sends timestamps as epoch seconds.
      Time:
        entry.Time === undefined
          ? undefined
          : new Date(typeof entry.Time === 'number' ? entry.Time * 1000 : String(entry.Time)),
    })) as PutEventsRequestEntry[];
    return bus.putEvents(entries);
  },
  ListRules(bus, input) {
    const busName = busNameOf(input.EventBusName as string | undefined);
    const prefix = (input.NamePrefix as string | undefined) ?? '';
    const rules = bus.rules.filter((r) => r.eventBusName === busName && r.name.startsWith(prefix));
    return { Rules: rules.map((rule) => describeRule(bus, rule)) };
  },
  DescribeRule(bus, input) {
    return describeRule(bus, findRule(bus, input.Name, input.EventBusName));
  },
  ListTargetsByRule(bus, input) {
    return { Targets: findRule(bus, input.Rule, input.EventBusName).targets.map(describeTarget) };
  },
  TestEventPattern(_bus, input) {
    const pattern = parseJson(input.EventPattern, 'InvalidEventPatternException', 'Event pattern is not valid.');
    const reason = validateEventPattern(pattern);
    if (reason)
      throw new EventBridgeError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);
    const event = parseJson(input.Event, 'ValidationException', 'Parameter Event is not valid.');
    // The fields AWS's TestEventPattern insists on.
    const missing = REQUIRED_EVENT_FIELDS.filter((field) => (event as Record<string, unknown>)[field] === undefined);
    if (missing.length > 0) throw new EventBridgeError('ValidationException', `Event is missing ${missing.join(', ')}`);
    return { Result: matchesEventPattern(pattern, event) };
  },
};

function parseJson(text: unknown, errorName: string, message: string): unknown {
  try {
    const value = JSON.parse(String(text));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
  } catch {}
  throw new EventBridgeError(errorName, message);
}

function findRule(bus: LocalEventBridge, name: unknown, eventBusName: unknown): LocalRule {
  const busName = busNameOf(eventBusName as string | undefined);
  const rule = bus.rules.find((r) => r.name === name && r.eventBusName === busName);
  if (!rule)
    throw new EventBridgeError('ResourceNotFoundException', `Rule ${name} does not exist on EventBus ${busName}.`);
  return rule;
}

function describeRule(bus: LocalEventBridge, rule: LocalRule) {
  const { name, eventPattern, scheduleExpression, state, description, eventBusName } = rule;
  const pattern = eventPattern && JSON.stringify(eventPattern);
  return {
    Name: name,
    Arn: bus.ruleArn(rule),
    EventPattern: pattern,
    ScheduleExpression: scheduleExpression,
    State: state,
    Description: description,
    EventBusName: eventBusName,
  };
}

function describeTarget({ id, arn, input, inputPath, retryAttempts, deadLetterArn }: LocalTarget) {
  const retryPolicy = retryAttempts === undefined ? undefined : { MaximumRetryAttempts: retryAttempts };
  return {
    Id: id,
    Arn: arn,
    Input: input,
    InputPath: inputPath,
    RetryPolicy: retryPolicy,
    DeadLetterConfig: deadLetterArn && { Arn: deadLetterArn },
  };
}

/**
 * EventBridge's JSON 1.1 API on 127.0.0.1 (`X-Amz-Target: AWSEvents.<Operation>`), for the SDK's
 * EventBridgeClient and the AWS CLI. Errors carry `__type` and `x-amzn-ErrorType`, from which the SDK
 * names the error (AccessDeniedException, ResourceNotFoundException, …).
 */
export async function startEventBridgePeer(
  bus: LocalEventBridge,
): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const send = (status: number, body: unknown, errorType?: string) => {
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': randomUUID(),
          ...(errorType && { 'x-amzn-errortype': errorType }),
        });
        response.end(JSON.stringify(body));
      };
      answer(bus, request.headers, Buffer.concat(chunks)).then(
        (output) => send(200, output),
        (error: Error) => {
          const known = error instanceof EventBridgeError;
          const type = known ? error.name : 'InternalException';
          send(known ? 400 : 500, { __type: type, message: error.message }, type);
        },
      );
    });
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

async function answer(bus: LocalEventBridge, headers: IncomingHttpHeaders, body: Buffer): Promise<unknown> {
  // Who may call comes first, as in AWS: a denied caller learns nothing about the operation.
  const denial = await bus.authorize?.(headers, body);
  if (denial !== undefined) throw new EventBridgeError('AccessDeniedException', denial);
  const target = String(headers['x-amz-target'] ?? '');
  const operation = target.startsWith('AWSEvents.') ? OPERATIONS[target.slice('AWSEvents.'.length)] : undefined;
  if (!operation) throw new EventBridgeError('UnknownOperationException', `Unknown operation ${target}`);
  let input: unknown;
  try {
    input = JSON.parse(body.length > 0 ? body.toString('utf8') : '{}');
  } catch {
    throw new EventBridgeError('SerializationException', 'The request body is not valid JSON.');
  }
  return operation(bus, (input ?? {}) as Record<string, unknown>);
}
