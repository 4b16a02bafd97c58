import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { PutEventsRequestEntry, PutEventsResultEntry } from '@aws-sdk/client-eventbridge';
import { HttpProblem } from '#shared/errors';
import { matchesEventPattern } from './event-pattern';
import { busNameOf, checkRule, type EventEnvelope, type LocalRule, type LocalTarget, payloadFor } from './rules';
import type { Schedule } from './schedule-expression';

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
export class EventBridgeError extends HttpProblem {
  constructor(name: string, message: string) {
    super(400, name, message);
    this.name = name;
  }
}

const DEFAULT_RETRY_ATTEMPTS = 185;

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
    for (const rule of options.rules) {
      const schedule = checkRule(rule);
      if (schedule) this.schedules.set(rule, schedule);
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
  fireSchedules(fromMs: number, toMs: number, only: (rule: LocalRule) => boolean = () => true): number {
    let fired = 0;
    for (const [rule, schedule] of this.schedules) {
      if (rule.state !== 'ENABLED' || !only(rule)) continue;
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
   * least every second so a clock that jumps is followed; `only` picks the rules to drive (default: all).
   * Returns a function that stops it.
   */
  startSchedules(now: () => number = Date.now, only?: (rule: LocalRule) => boolean): () => void {
    if (this.schedules.size === 0) return () => {};
    let last = now();
    for (const rule of this.schedules.keys()) if (!this.anchors.has(rule)) this.anchors.set(rule, last);
    let timer: NodeJS.Timeout | undefined;
    const tick = () => {
      const current = now();
      if (current > last) this.fireSchedules(last, current, only);
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
