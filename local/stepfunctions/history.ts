import type { StateMachine } from 'aws-local-stepfunctions';
import type { ExtractedMachine } from '../synth';
import type { ExecutionTime } from './time';

/** aws-local-stepfunctions does not export its event type; take it from `run()`. */
export type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

type States = ExtractedMachine['definition']['States'];

/** One event of GetExecutionHistory, with the detail fields AWS gives it (timestamps on the virtual clock). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  stateEnteredEventDetails?: { name: string; input: string };
  stateExitedEventDetails?: { name: string; output: string };
  executionStartedEventDetails?: { input: string };
  executionSucceededEventDetails?: { output: string };
  executionFailedEventDetails?: { error: string; cause: string };
  executionAbortedEventDetails?: { error: string; cause: string };
  executionTimedOutEventDetails?: { error: string; cause: string };
  taskFailedEventDetails?: { resource: string; resourceType: string; error: string; cause: string };
  taskScheduledEventDetails?: {
    resource: string;
    resourceType: string;
    region: string;
    parameters: string;
    timeoutInSeconds?: number;
    heartbeatInSeconds?: number;
  };
  taskStartedEventDetails?: { resource: string; resourceType: string };
  taskSubmittedEventDetails?: { resource: string; resourceType: string; output: string };
  taskSucceededEventDetails?: { resource: string; resourceType: string; output: string };
  taskTimedOutEventDetails?: { resource: string; resourceType: string; error: string; cause: string };
}

export type HistoryDetails = Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp'>;

/** State types AWS names its state events after (`TaskStateEntered`, `WaitStateExited`, …). */
const NAMED_STATE_TYPES = new Set(['Task', 'Choice', 'Wait', 'Pass', 'Succeed', 'Fail', 'Map', 'Parallel']);

const stateEventPrefix = (stateType: string) => (NAMED_STATE_TYPES.has(stateType) ? stateType : '');

const taskScheduled = (resource: string, input: unknown): HistoryDetails => ({
  type: 'TaskScheduled',
  taskScheduledEventDetails: {
    resource,
    resourceType: 'lambda',
    region: 'us-east-1',
    parameters: JSON.stringify(input),
  },
});

/**
 * The AWS history events one interpreter event stands for (none for those AWS does not record). The Task
 * events of `tokenStates` (`.waitForTaskToken` Tasks) are written by their local handler, which sees the
 * token, the Lambda call and the answer; only their state events come from here.
 */
export function historyEventsFor(
  event: EventLog,
  states: States,
  tokenStates: ReadonlySet<string> = new Set(),
): HistoryDetails[] {
  const ownTaskEvents = 'state' in event && tokenStates.has(event.state.name);
  if (ownTaskEvents && (event.type === 'StateFailed' || event.type === 'StateRetried')) return [];
  switch (event.type) {
    case 'ExecutionStarted':
      return [{ type: 'ExecutionStarted', executionStartedEventDetails: { input: JSON.stringify(event.input) } }];
    case 'StateEntered': {
      const entered: HistoryDetails = {
        type: `${stateEventPrefix(event.state.type)}StateEntered`,
        stateEnteredEventDetails: { name: event.state.name, input: JSON.stringify(event.state.input) },
      };
      const state = states[event.state.name];
      return state?.Type === 'Task' && !ownTaskEvents
        ? [entered, taskScheduled(String(state.Resource), event.state.input)]
        : [entered];
    }
    case 'StateExited':
      return [
        {
          type: `${stateEventPrefix(event.state.type)}StateExited`,
          stateExitedEventDetails: { name: event.state.name, output: JSON.stringify(event.state.output ?? null) },
        },
      ];
    case 'StateFailed':
      return [
        {
          type: 'TaskFailed',
          taskFailedEventDetails: {
            resource: event.state.name,
            resourceType: 'lambda',
            error: event.Error,
            cause: String(event.Cause ?? ''),
          },
        },
      ];
    case 'StateRetried':
      return [taskScheduled(event.state.name, event.state.input)];
    case 'ExecutionSucceeded':
      return [{ type: 'ExecutionSucceeded', executionSucceededEventDetails: { output: JSON.stringify(event.output) } }];
    case 'ExecutionFailed':
      return [
        {
          type: 'ExecutionFailed',
          executionFailedEventDetails: { error: event.Error, cause: String(event.Cause ?? '') },
        },
      ];
    default:
      return [];
  }
}

/** Reads a plain `$.a.b.c` path (what the definition's SecondsPath fields use). */
export function readPath(document: unknown, jsonPath: string): unknown {
  return jsonPath
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
}

/** How far entering a state moves the execution's clock (ms): a Wait's Seconds, or the number at its SecondsPath. */
export function waitMsOf(state: Record<string, unknown> | undefined, input: unknown): number {
  if (state?.Type !== 'Wait') return 0;
  const seconds =
    typeof state.Seconds === 'number' ? state.Seconds : Number(readPath(input, String(state.SecondsPath ?? '')));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

export interface HistoryHooks {
  /** `.waitForTaskToken` Task states: their Task events come from their handler. */
  tokenStates: ReadonlySet<string>;
  /**
   * A token Task failed in the interpreter while its handler still waited (the interpreter's own Task timer):
   * closes its token; true when one was open, so the failure is recorded here.
   */
  settleTokenTask(stateName: string): boolean;
  /** The execution's clock moved (a Wait passed): its TimeoutSeconds is checked. */
  onClockMoved(): void;
}

/**
 * Writes an execution's history from the interpreter's event stream, and lets each Wait pass on the
 * execution's time as the state is entered: the interpreter itself does not pause on Waits (its override is
 * 0 ms), so the events after a Wait, and the Task calls (`caughtUp`), wait here for it. Once the execution is
 * stopped nothing more is recorded.
 */
export class HistoryRecorder {
  private lastId = 0;
  private idle = false;
  private idleWaiters: (() => void)[] = [];
  /** Each state's input as it was last entered (a token Task reads its TimeoutSecondsPath there). */
  private readonly inputs = new Map<string, unknown>();

  constructor(
    private readonly history: { events: HistoryEvent[] },
    private readonly states: States,
    private readonly time: ExecutionTime,
    private readonly stopped: AbortSignal,
    private readonly hooks: HistoryHooks,
  ) {}

  /** Appends one event at the execution's current time. */
  append(details: HistoryDetails): void {
    this.lastId++;
    this.history.events.push({
      id: this.lastId,
      previousEventId: this.lastId - 1,
      timestamp: this.time.nowMs(),
      ...details,
    });
  }

  /** The input `stateName` was last entered with (raw: before its InputPath and Parameters). */
  inputOf(stateName: string): unknown {
    return this.inputs.get(stateName);
  }

  /** Resolves once every interpreter event so far is recorded and any Wait entered has passed. */
  async caughtUp(): Promise<void> {
    for (;;) {
      // Queued events reach the consumer through microtasks only: after a macrotask, idle means drained.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.idle) return;
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  async record(logs: AsyncGenerator<EventLog>): Promise<void> {
    for (;;) {
      this.setIdle(true);
      const next = await logs.next();
      this.setIdle(false);
      if (next.done) break;
      if (!this.stopped.aborted) await this.recordEvent(next.value);
    }
    this.setIdle(true);
  }

  private async recordEvent(event: EventLog): Promise<void> {
    if (event.type === 'StateEntered') this.inputs.set(event.state.name, event.state.input);
    if (event.type === 'StateFailed' && this.hooks.tokenStates.has(event.state.name)) {
      if (this.hooks.settleTokenTask(event.state.name)) this.append(interpreterTaskFailure(event));
      return;
    }
    for (const details of historyEventsFor(event, this.states, this.hooks.tokenStates)) this.append(details);
    const waitMs = event.type === 'StateEntered' ? waitMsOf(this.states[event.state.name], event.state.input) : 0;
    if (waitMs > 0 && (await this.time.pass(waitMs, this.stopped))) this.hooks.onClockMoved();
  }

  private setIdle(idle: boolean): void {
    this.idle = idle;
    if (idle) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

/** A token Task the interpreter failed itself (its real-time Task timer): TaskTimedOut or TaskFailed. */
function interpreterTaskFailure(event: Extract<EventLog, { type: 'StateFailed' }>): HistoryDetails {
  const details = {
    resource: 'invoke.waitForTaskToken',
    resourceType: 'lambda',
    error: event.Error,
    cause: String(event.Cause ?? ''),
  };
  return event.Error === 'States.Timeout'
    ? { type: 'TaskTimedOut', taskTimedOutEventDetails: details }
    : { type: 'TaskFailed', taskFailedEventDetails: details };
}
