import type { StateMachine } from 'aws-local-stepfunctions';
import type { OffsetClock } from '#shared/time/clock';
import type { ExtractedMachine } from '../synth';

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
  taskFailedEventDetails?: { resource: string; resourceType: string; error: string; cause: string };
  taskScheduledEventDetails?: { resource: string; resourceType: string; region: string; parameters: string };
}

type HistoryDetails = Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp'>;

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

/** The AWS history events one interpreter event stands for (none for those AWS does not record). */
export function historyEventsFor(event: EventLog, states: States): HistoryDetails[] {
  switch (event.type) {
    case 'ExecutionStarted':
      return [{ type: 'ExecutionStarted', executionStartedEventDetails: { input: JSON.stringify(event.input) } }];
    case 'StateEntered': {
      const entered: HistoryDetails = {
        type: `${stateEventPrefix(event.state.type)}StateEntered`,
        stateEnteredEventDetails: { name: event.state.name, input: JSON.stringify(event.state.input) },
      };
      const state = states[event.state.name];
      return state?.Type === 'Task' ? [entered, taskScheduled(String(state.Resource), event.state.input)] : [entered];
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
function readPath(document: unknown, jsonPath: string): unknown {
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

/**
 * Writes an execution's history from the interpreter's event stream, and applies each Wait to the
 * execution's virtual clock as the state is entered (the interpreter itself only pauses `pauseMs`).
 */
export async function recordHistory(
  history: { events: HistoryEvent[] },
  logs: AsyncGenerator<EventLog>,
  states: States,
  clock: OffsetClock,
  onClockMoved: () => void,
): Promise<void> {
  let lastId = 0;
  for await (const event of logs) {
    for (const details of historyEventsFor(event, states)) {
      lastId++;
      history.events.push({ id: lastId, previousEventId: lastId - 1, timestamp: clock.nowMs(), ...details });
    }
    const waitMs = event.type === 'StateEntered' ? waitMsOf(states[event.state.name], event.state.input) : 0;
    if (waitMs > 0) {
      clock.advance(waitMs);
      onClockMoved();
    }
  }
}
