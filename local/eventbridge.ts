import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { matchesEventPattern, validateEventPattern } from './event-pattern';
import { listenOnLoopback } from './loopback';
import { parseSchedule, type Schedule } from './schedule-expression';

/**
 * The EventBridge twin: the synthesized rules, matched and delivered as EventBridge does it, on a local bus.
 * Events arrive through `putEvents` (what applications call), `deliver` (what AWS services such as SES do:
 * put an already-built envelope on the default bus) and the schedule rules (`fireSchedules`/`startSchedules`).
 *
 * `invoke(targetArn, payload)` stands for EventBridge handing the event to the target: for a Lambda target,
 * the asynchronous Invoke being accepted. Its rejection is a failed delivery, which is what a target's retry
 * policy and dead-letter queue are about; a Lambda function that throws is Lambda's own async retries and
 * the function's dead-letter queue, not the rule's.
 */

export interface LocalTarget {
  id: string;
  arn: string;
  /** Constant JSON text that replaces the event (`Input`). */
  input?: string;
  /** JSONPath (`$.detail`, `$.detail['x-y']`, `$.resources[0]`) to the part of the event sent (`InputPath`). */
  inputPath?: string;
  /** Retries after the first failed delivery (`RetryPolicy.MaximumRetryAttempts`; AWS's default 185). */
  retryAttempts?: number;
  /** The dead-letter queue AWS would send an undeliverable event to (`DeadLetterConfig.Arn`). */
  deadLetterArn?: string;
}

export interface LocalRule {
  name: string;
  eventBusName: string;
  eventPattern?: object;
  scheduleExpression?: string;
  state: 'ENABLED' | 'DISABLED';
  description?: string;
  targets: LocalTarget[];
}

/** An event as EventBridge delivers it to targets. */
export interface EventEnvelope {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface LocalEventBridgeOptions {
  accountId: string;
  region: string;
  rules: LocalRule[];
  /** Delivers to a target; what it resolves with is the target's answer (reported by `deliverAndSettle`). */
  invoke: (targetArn: string, payload: unknown) => Promise<unknown>;
  /** An event whose delivery failed 1 + retryAttempts times (AWS: to `target.deadLetterArn`, or dropped). */
  onDeadLetter?: (rule: LocalRule, target: LocalTarget, payload: unknown, error: unknown) => void;
  /** Checks a peer request (signature, IAM policy); resolves with a denial message to refuse it. */
  authorize?: (headers: IncomingHttpHeaders, body: Buffer) => Promise<string | undefined>;
  /** Wait between delivery attempts (default 1000 ms; AWS backs off over up to 24 hours). */
  retryDelayMs?: number;
  /** Buses that exist without rules of their own (`default` and every rule's bus always do). */
  eventBusNames?: string[];
}

export interface PutEventsOutput {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

/** An error the peer answers with its name as the AWS error type (HTTP 400). */
export class EventBridgeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const DEFAULT_RETRY_ATTEMPTS = 185;
const busNameOf = (nameOrArn: string | undefined) => (nameOrArn || 'default').replace(/^arn:.*:event-bus\//, '');

export class LocalEventBridge {
  readonly accountId: string;
  readonly region: string;
  readonly rules: readonly LocalRule[];
  readonly authorize: LocalEventBridgeOptions['authorize'];
  private readonly options: LocalEventBridgeOptions;
  private readonly buses: Set<string>;
  private readonly schedules = new Map<LocalRule, Schedule>();
  /** When each rate schedule started counting (the first window it was driven through). */
  private readonly anchors = new Map<LocalRule, number>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(options: LocalEventBridgeOptions) {
    this.options = options;
    this.accountId = options.accountId;
    this.region = options.region;
    this.authorize = options.authorize;
    this.rules = options.rules;
    this.buses = new Set(['default', ...(options.eventBusNames ?? []), ...options.rules.map((r) => r.eventBusName)]);
    for (const rule of options.rules) this.checkRule(rule);
  }

  /** A rule AWS would refuse is refused here too, at start-up rather than at the first event. */
  private checkRule(rule: LocalRule): void {
    if (!rule.eventPattern && !rule.scheduleExpression)
      throw new Error(`rule ${rule.name}: needs an event pattern or a schedule expression`);
    const reason = rule.eventPattern && validateEventPattern(rule.eventPattern);
    if (reason) throw new Error(`rule ${rule.name}: event pattern is not valid: ${reason}`);
    if (rule.scheduleExpression) {
      if (rule.eventBusName !== 'default') throw new Error(`rule ${rule.name}: schedules run on the default bus only`);
      this.schedules.set(rule, parseSchedule(rule.scheduleExpression));
    }
    for (const target of rule.targets) {
      if (target.input !== undefined && target.inputPath !== undefined)
        throw new Error(`rule ${rule.name} target ${target.id}: Input and InputPath are mutually exclusive`);
      if (target.input !== undefined) JSON.parse(target.input);
      if (target.inputPath !== undefined && !target.inputPath.startsWith('$'))
        throw new Error(`rule ${rule.name} target ${target.id}: InputPath ${target.inputPath} does not start with $`);
    }
  }

  ruleArn(rule: LocalRule): string {
    const path = rule.eventBusName === 'default' ? rule.name : `${rule.eventBusName}/${rule.name}`;
    return `arn:aws:events:${this.region}:${this.accountId}:rule/${path}`;
  }

  /** PutEvents: each entry becomes an envelope on its bus; deliveries run after this returns. */
  putEvents(entries: PutEventsRequestEntry[], now = Date.now()): PutEventsOutput {
    if (entries.length < 1 || entries.length > 10)
      throw new EventBridgeError('ValidationException', 'Entries must hold between 1 and 10 entries.');
    const results = entries.map((entry): PutEventsResultEntry => {
      const failure = this.entryError(entry);
      if (failure) return failure;
      const at = entry.Time ? new Date(entry.Time).getTime() : now;
      const event = this.envelope(entry.Source as string, entry.DetailType as string, entry.Resources ?? [], at);
      event.detail = JSON.parse(entry.Detail as string);
      this.deliver(event, entry.EventBusName);
      return { EventId: event.id };
    });
    return { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results };
  }

  /** What EventBridge refuses per entry (the request as a whole still succeeds). */
  private entryError(entry: PutEventsRequestEntry): PutEventsResultEntry | undefined {
    const fail = (ErrorCode: string, ErrorMessage: string) => ({ ErrorCode, ErrorMessage });
    const invalid = (field: string, reason: string) =>
      fail('InvalidArgument', `Parameter ${field} is not valid. Reason: ${reason}`);
    if (!entry.Source) return invalid('Source', 'Source is a required argument.');
    if (!entry.DetailType) return invalid('DetailType', 'DetailType is a required argument.');
    if (!entry.Detail) return invalid('Detail', 'Detail is a required argument.');
    if (entry.Time !== undefined && Number.isNaN(new Date(entry.Time).getTime()))
      return invalid('Time', 'Time is not a valid timestamp.');
    // AWS services publish under aws.*; a caller may not pretend to be one.
    if (entry.Source.startsWith('aws.'))
      return fail('NotAuthorizedForSourceException', 'Not authorized for the source.');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {}
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
      return fail('MalformedDetail', 'Detail is malformed.');
    const bus = busNameOf(entry.EventBusName);
    return this.buses.has(bus) ? undefined : fail('ResourceNotFoundException', `Event bus ${bus} does not exist.`);
  }

  /** The enabled rules on the bus whose pattern matches the event (for routing, tests and audits). */
  matchingRules(event: unknown, eventBusName = 'default'): LocalRule[] {
    const bus = busNameOf(eventBusName);
    return this.rules.filter(
      (rule) =>
        rule.state === 'ENABLED' &&
        rule.eventBusName === bus &&
        rule.eventPattern !== undefined &&
        matchesEventPattern(rule.eventPattern, event),
    );
  }

  /** An already-built envelope onto a bus (default: `default`, where AWS services put theirs). */
  deliver(event: EventEnvelope, eventBusName = 'default'): LocalRule[] {
    const rules = this.matchingRules(event, eventBusName);
    for (const rule of rules) this.sendToTargets(rule, event);
    return rules;
  }

  /**
   * Fires every enabled schedule rule once for each time it is due in (fromMs, toMs], in time order per rule.
   * A rate counts from the first window it is driven through. Returns how many times rules fired.
   */
  fireSchedules(fromMs: number, toMs: number): number {
    let fired = 0;
    for (const [rule, schedule] of this.schedules) {
      if (rule.state !== 'ENABLED') continue;
      if (!this.anchors.has(rule)) this.anchors.set(rule, fromMs);
      const anchor = this.anchors.get(rule);
      for (let t = schedule.nextFireTime(fromMs, anchor); t <= toMs; t = schedule.nextFireTime(t, anchor)) {
        this.sendToTargets(rule, this.scheduledEvent(rule, t));
        fired++;
      }
    }
    return fired;
  }

  /** The envelope EventBridge sends for a schedule rule (targets' constant Input then replaces it). */
  scheduledEvent(rule: LocalRule, atMs: number): EventEnvelope {
    return this.envelope('aws.events', 'Scheduled Event', [this.ruleArn(rule)], atMs);
  }

  /** EventBridge's envelope, with an empty detail; `time` is ISO 8601 to the second. */
  private envelope(source: string, detailType: string, resources: string[], atMs: number): EventEnvelope {
    const time = new Date(atMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const { accountId: account, region } = this;
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source,
      account,
      time,
      region,
      resources,
      detail: {},
    };
  }

  /**
   * Drives the schedule rules from `now` (a clock of the caller's: virtual time works too), looking at it at
   * least every second so a clock that jumps is followed. Returns a function that stops it.
   */
  startSchedules(now: () => number = Date.now): () => void {
    if (this.schedules.size === 0) return () => {};
    let last = now();
    for (const rule of this.schedules.keys()) if (!this.anchors.has(rule)) this.anchors.set(rule, last);
    let timer: NodeJS.Timeout | undefined;
    const tick = () => {
      const current = now();
      if (current > last) this.fireSchedules(last, current);
      last = Math.max(last, current);
      const due = Math.min(...[...this.schedules].map(([rule, s]) => s.nextFireTime(last, this.anchors.get(rule))));
      timer = setTimeout(tick, Math.max(1, Math.min(due - last, 1000)));
      timer.unref();
    };
    tick();
    return () => clearTimeout(timer);
  }

  /** Resolves once every delivery started so far (retries included) has finished. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private sendToTargets(rule: LocalRule, event: EventEnvelope): Promise<unknown>[] {
    return rule.targets.map((target) => {
      const delivery = this.sendToTarget(rule, target, payloadFor(target, event));
      this.inFlight.add(delivery);
      void delivery.finally(() => this.inFlight.delete(delivery));
      return delivery;
    });
  }

  /**
   * `deliver`, resolving once this event's deliveries (retries included) are done: an AWS service that
   * publishes an event (SES) uses it locally so a sequence reading the event's effect next sees it.
   */
  async deliverAndSettle(
    event: EventEnvelope,
    eventBusName = 'default',
  ): Promise<{ rules: LocalRule[]; answers: unknown[] }> {
    const rules = this.matchingRules(event, eventBusName);
    const settled = await Promise.allSettled(rules.flatMap((rule) => this.sendToTargets(rule, event)));
    return { rules, answers: settled.map((each) => (each.status === 'fulfilled' ? each.value : undefined)) };
  }

  private async sendToTarget(rule: LocalRule, target: LocalTarget, payload: unknown): Promise<unknown> {
    // Never on the caller's stack: PutEvents answers before any target runs, however slow it is.
    await new Promise((resolve) => setImmediate(resolve));
    const attempts = 1 + (target.retryAttempts ?? DEFAULT_RETRY_ATTEMPTS);
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await this.options.invoke(target.arn, payload);
      } catch (error) {
        lastError = error;
        if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs ?? 1000));
      }
    }
    try {
      this.options.onDeadLetter?.(rule, target, payload, lastError);
    } catch (error) {
      // A broken dead-letter handler must not become an unhandled rejection in whoever runs the stack.
      process.emitWarning(`onDeadLetter failed for rule ${rule.name}: ${(error as Error).message}`);
    }
    return undefined;
  }
}

/** What a target receives: its constant Input, the part its InputPath selects, or the whole event. */
export function payloadFor(target: LocalTarget, event: EventEnvelope): unknown {
  if (target.input !== undefined) return JSON.parse(target.input);
  if (target.inputPath !== undefined) return selectPath(event, target.inputPath);
  return event;
}

/** The JSONPath subset InputPath uses: `$`, `.name`, `['name']` and `[index]`. */
function selectPath(value: unknown, path: string): unknown {
  const steps = path.slice(1).matchAll(/\.([^.[\]]+)|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]|\[\s*(\d+)\s*\]/gy);
  let current = value;
  for (const [, dotted, single, double, index] of steps) {
    const key = dotted ?? single ?? double ?? Number(index);
    current = (current as Record<string | number, unknown> | null | undefined)?.[key];
  }
  return current;
}

// ── the JSON 1.1 peer ─────────────────────────────────────────────────────────────────────────────

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
