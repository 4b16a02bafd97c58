import { type HistoryDetails, type HistoryRecorder, readPath } from './history';
import type { OpenTask, TaskTokens } from './task-tokens';
import type { ExecutionTime } from './time';

/*
 * `arn:aws:states:::lambda:invoke.waitForTaskToken` Tasks, which aws-local-stepfunctions cannot run: the
 * state's local handler (the interpreter's `taskResourceLocalHandlers` hook) receives the Parameters already
 * resolved, with `$$.Task.Token` read from the Context Object the execution runs with — a placeholder there,
 * replaced here by a fresh token per state entry (and per retry). The handler invokes the function with its
 * Payload (its response is ignored, as in AWS; its error fails the Task), then waits for SendTaskSuccess,
 * SendTaskFailure, the TimeoutSeconds or the HeartbeatSeconds on the execution's time.
 */

export const WAIT_FOR_TASK_TOKEN = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Invoke = (functionArn: string, payload: unknown, clockOffsetMs: number) => Promise<unknown>;

export function isTokenTask(state: Record<string, unknown> | undefined): boolean {
  return state?.Type === 'Task' && state.Resource === WAIT_FOR_TASK_TOKEN;
}

/** What one execution's token Tasks share. */
export interface TokenTaskScope {
  executionName: string;
  /** The `$$.Task.Token` the interpreter resolves; each entry's real token replaces it. */
  placeholder: string;
  tokens: TaskTokens;
  time: ExecutionTime;
  recorder: HistoryRecorder;
  stopped: AbortSignal;
  invoke: Invoke;
  /** The execution's clock jumped (instant mode, a timeout passed): its own TimeoutSeconds is checked. */
  onClockMoved(): void;
}

/** An error as the interpreter's Retry and Catch see it: by `name`; `message` is the Cause. */
function taskError(name: string, cause: string): Error {
  const error = new Error(cause);
  error.name = name;
  return error;
}

const RESOURCE = { resource: 'invoke.waitForTaskToken', resourceType: 'lambda' } as const;

function withToken(value: Json, placeholder: string, token: string): Json {
  if (value === placeholder) return token;
  if (Array.isArray(value)) return value.map((item) => withToken(item, placeholder, token));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withToken(item, placeholder, token)]));
  return value;
}

/** A `…Seconds` field, or its `…SecondsPath` read from the state input (AWS reads it there, not in Parameters). */
function secondsOf(state: Record<string, unknown>, field: string, stateInput: unknown): number | undefined {
  const given =
    state[`${field}Path`] === undefined ? state[field] : readPath(stateInput, String(state[`${field}Path`]));
  if (given === undefined) return undefined;
  if (typeof given !== 'number' || !Number.isInteger(given) || given < 1)
    throw taskError('States.Runtime', `${field} of the state must be a positive integer, not ${JSON.stringify(given)}`);
  return given;
}

/** The longest whole number of seconds a Node timer takes (2^31-1 ms); longer ones would fire at once. */
const LONGEST_TIMER_SECONDS = 2_147_483;

/**
 * aws-local-stepfunctions 3.0 runs its own real-time Task timer, reading TimeoutSecondsPath in the resolved
 * Parameters (not in the state input, as AWS does) right after calling the local handler, with the same object:
 * a path that is only in the state input would fail the state with States.Runtime. The handler's copy of the
 * Parameters is therefore given the longest timer the interpreter can keep at that path, so the interpreter's
 * timer never decides; the timeout this handler keeps (on the execution's time) does.
 */
function keepInterpreterTimerOut(state: Record<string, unknown>, parameters: Json): void {
  const path = state.TimeoutSecondsPath;
  if (typeof path !== 'string' || !parameters || typeof parameters !== 'object' || Array.isArray(parameters)) return;
  const keys = path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean);
  const last = keys.pop();
  if (!last) return;
  let node = parameters as Record<string, Json>;
  for (const key of keys) {
    const next = node[key];
    if (!next || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, Json>;
  }
  node[last] = LONGEST_TIMER_SECONDS;
}

/** The handler of one token Task state. */
export function tokenTaskHandler(scope: TokenTaskScope, stateName: string, state: Record<string, unknown>) {
  return (parameters: Json): Promise<Json> => {
    const own = structuredClone(parameters);
    // Synchronously, before the interpreter reads it (see above).
    keepInterpreterTimerOut(state, parameters);
    return runTokenTask(scope, stateName, state, own);
  };
}

async function runTokenTask(
  scope: TokenTaskScope,
  stateName: string,
  state: Record<string, unknown>,
  parameters: Json,
): Promise<Json> {
  const { recorder, tokens, time } = scope;
  await recorder.caughtUp();
  if (scope.stopped.aborted) throw taskError('States.Runtime', 'the execution was stopped');
  const stateInput = recorder.inputOf(stateName);
  const timeoutSeconds = secondsOf(state, 'TimeoutSeconds', stateInput);
  const heartbeatSeconds = secondsOf(state, 'HeartbeatSeconds', stateInput);
  const task = tokens.issue(scope.executionName, stateName, () => time.nowMs());
  const resolved = withToken(parameters, scope.placeholder, task.token) as { FunctionName?: string; Payload?: Json };
  recorder.append({
    type: 'TaskScheduled',
    taskScheduledEventDetails: {
      ...RESOURCE,
      region: 'us-east-1',
      parameters: JSON.stringify(resolved),
      ...(timeoutSeconds && { timeoutInSeconds: timeoutSeconds }),
      ...(heartbeatSeconds && { heartbeatInSeconds: heartbeatSeconds }),
    },
  });
  recorder.append({ type: 'TaskStarted', taskStartedEventDetails: { ...RESOURCE } });
  await invokeFunction(scope, task, resolved);
  return waitForAnswer(scope, task, { timeoutSeconds, heartbeatSeconds });
}

/** Calls the function with the Payload: a failure fails the Task (unless it was answered first). */
async function invokeFunction(
  scope: TokenTaskScope,
  task: OpenTask,
  resolved: { FunctionName?: string; Payload?: Json },
): Promise<void> {
  try {
    const response = await scope.invoke(String(resolved.FunctionName), resolved.Payload ?? {}, scope.time.offsetMs());
    if (scope.stopped.aborted || task.cancelled) return;
    const output = JSON.stringify({ ExecutedVersion: '$LATEST', Payload: response ?? null, StatusCode: 200 });
    scope.recorder.append({ type: 'TaskSubmitted', taskSubmittedEventDetails: { ...RESOURCE, output } });
  } catch (error) {
    if (task.answer || task.cancelled || scope.stopped.aborted) return;
    scope.tokens.close(task);
    const { name = 'Error', message = '' } = error as Error;
    scope.recorder.append({ type: 'TaskFailed', taskFailedEventDetails: { ...RESOURCE, error: name, cause: message } });
    throw error;
  }
}

/**
 * Waits until the token is answered, the execution stops, or the nearest deadline (TimeoutSeconds from the
 * start, HeartbeatSeconds from the last heartbeat) passes on the execution's time.
 */
async function waitForAnswer(
  scope: TokenTaskScope,
  task: OpenTask,
  limits: { timeoutSeconds?: number; heartbeatSeconds?: number },
): Promise<Json> {
  const timeoutAt = limits.timeoutSeconds && scope.time.nowMs() + limits.timeoutSeconds * 1000;
  for (;;) {
    if (task.answer) return settle(scope, task);
    if (task.cancelled || scope.stopped.aborted) {
      scope.tokens.close(task);
      throw taskError('States.Runtime', 'the wait ended without an answer (execution stopped)');
    }
    const heartbeatAt = limits.heartbeatSeconds && task.lastBeatMs + limits.heartbeatSeconds * 1000;
    const deadline = Math.min(timeoutAt || Number.POSITIVE_INFINITY, heartbeatAt || Number.POSITIVE_INFINITY);
    const wake = new AbortController();
    const onStop = () => wake.abort();
    task.onChange(onStop);
    scope.stopped.addEventListener('abort', onStop, { once: true });
    const passed = Number.isFinite(deadline)
      ? await scope.time.pass(deadline - scope.time.nowMs(), wake.signal)
      : await new Promise<boolean>((resolve) => wake.signal.addEventListener('abort', () => resolve(false)));
    scope.stopped.removeEventListener('abort', onStop);
    if (passed && !task.answer && !task.cancelled && !scope.stopped.aborted) {
      scope.tokens.close(task);
      scope.onClockMoved();
      const cause =
        deadline === heartbeatAt
          ? `no heartbeat within HeartbeatSeconds (${limits.heartbeatSeconds})`
          : `no answer within TimeoutSeconds (${limits.timeoutSeconds})`;
      const details = { ...RESOURCE, error: 'States.Timeout', cause };
      scope.recorder.append({ type: 'TaskTimedOut', taskTimedOutEventDetails: details });
      throw taskError('States.Timeout', cause);
    }
  }
}

/** The answer becomes the Task's result (SendTaskSuccess) or its error (SendTaskFailure). */
function settle(scope: TokenTaskScope, task: OpenTask): Json {
  const answer = task.answer;
  if (answer && 'output' in answer) {
    const output = JSON.stringify(answer.output);
    scope.recorder.append({ type: 'TaskSucceeded', taskSucceededEventDetails: { ...RESOURCE, output } });
    return answer.output as Json;
  }
  const { error, cause } = answer as { error: string; cause: string };
  const failed: HistoryDetails = { type: 'TaskFailed', taskFailedEventDetails: { ...RESOURCE, error, cause } };
  scope.recorder.append(failed);
  throw taskError(error, cause);
}
