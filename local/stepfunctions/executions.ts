import '../polyfills';
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import type { ExtractedMachine } from '../synth';
import { executionOfLead, scrubExecution } from './erasure';
import { type HistoryEvent, HistoryRecorder } from './history';
import { ExecutionStore } from './store';
import { TaskTokens } from './task-tokens';
import { type ExecutionTime, instantTime, type ScaledClock, type StackClock, scaledTime, WALL_CLOCK } from './time';
import { isTokenTask, type TokenTaskScope, tokenTaskHandler } from './wait-for-token';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type States = ExtractedMachine['definition']['States'];
/** Lambda's Invoke (RequestResponse) of a function ARN, at an execution's virtual time. */
export type InvokeFunction = (functionArn: string, payload: unknown, clockOffsetMs: number) => Promise<unknown>;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  /** Virtual times (ms): the execution's own clock, compressed through its Wait states. */
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  events: HistoryEvent[];
  /** Resolves when the execution ends. */
  done: Promise<void>;
}

export interface LocalStepFunctionsOptions {
  machine: ExtractedMachine;
  /** Calls the Task's function: the embedded stack's Lambda service (each function in its own sandbox). */
  invoke: InvokeFunction;
  stateMachineName?: string;
  /** Real milliseconds a Wait state or a Retry pause takes locally (default 2). Virtual time advances by the full amount. */
  pauseMs?: number;
  /** Ended executions are kept here (one JSON file each) so `cascade audit` can read them after the run. */
  storeDir?: string;
  /**
   * The stack's shared clock (scaled mode): every execution reads it and waits last their scaled length.
   * Absent: the instant mode, each execution on its own clock, every wait passing in `pauseMs`.
   */
  clock?: ScaledClock;
  /** Instant mode: the stack's clock each execution starts its own from (default: the wall clock). */
  instantClock?: StackClock;
}

/**
 * The interpreter's local overrides for one execution: each Task state calls its function through `invoke`
 * at the execution's time (a `.waitForTaskToken` Task also waits for its token); Wait states do not pause in
 * the interpreter (the history recorder lets them pass on the execution's time before anything after them
 * runs); Retry pauses last their interval on the execution's time (instant: `pauseMs`).
 */
function localOverrides(states: States, scope: TokenTaskScope) {
  const statesWhere = (test: (state: Record<string, unknown>) => boolean) =>
    Object.entries(states).filter(([, state]) => test(state));
  const callTaskFunction = (resource: string) => async (taskInput: Json) => {
    // Let the history recorder take every event so far (and pass any Wait) first.
    await scope.recorder.caughtUp();
    const result = await scope.invoke(resource, taskInput, scope.time.offsetMs());
    return (result ?? null) as Json;
  };
  const retryPauses = (state: Record<string, unknown>) =>
    (state.Retry as { IntervalSeconds?: number }[]).map((retrier) =>
      scope.time.retryPauseMs((retrier.IntervalSeconds ?? 1) * 1000),
    );
  return {
    taskResourceLocalHandlers: Object.fromEntries(
      statesWhere((state) => state.Type === 'Task').map(([name, state]) => [
        name,
        isTokenTask(state) ? tokenTaskHandler(scope, name, state) : callTaskFunction(String(state.Resource)),
      ]),
    ),
    waitTimeOverrides: Object.fromEntries(statesWhere((state) => state.Type === 'Wait').map(([name]) => [name, 0])),
    retryIntervalOverrides: Object.fromEntries(
      statesWhere((state) => Array.isArray(state.Retry)).map(([name, state]) => [name, retryPauses(state)]),
    ),
  };
}

/** What an execution stopped (by StopExecution or its TimeoutSeconds) ended with, whatever the interpreter did. */
const ABORTED = { name: 'ExecutionAbortedError' };

/** How an execution ended, as DescribeExecution reports it, from the error its run rejected with. */
function failedEnd(
  error: unknown,
  stopRequested: boolean,
  execution: LocalExecution,
): Pick<LocalExecution, 'status' | 'error' | 'cause'> {
  const wrapper = error as { name?: string; message?: string; cause?: { name?: string; message?: string } };
  if (wrapper.name === 'ExecutionAbortedError') {
    // Aborted by StopExecution (what it was told), or by us when the virtual clock passed TimeoutSeconds.
    return stopRequested
      ? { status: 'ABORTED', error: execution.error ?? 'Stopped', cause: execution.cause ?? 'StopExecution' }
      : {
          status: 'TIMED_OUT',
          error: 'States.Timeout',
          cause: 'the execution ran past the state machine TimeoutSeconds (virtual clock)',
        };
  }
  // ExecutionError wraps what failed the run (a Fail state's Error/Cause, or an uncaught task error).
  const failure = wrapper.name === 'ExecutionError' && wrapper.cause ? wrapper.cause : wrapper;
  return {
    status: wrapper.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED',
    error: failure.name ?? 'Error',
    cause: failure.message ?? '',
  };
}

/**
 * Runs the CDK-synthesized definition with aws-local-stepfunctions, Task states calling the real
 * handler modules in their sandboxes. Each execution runs on a virtual clock: its own in the instant mode (a
 * Wait of 48 h takes a few real milliseconds and moves that execution's clock 48 h forward), or the stack's
 * shared scaled clock; every handler invoked for that execution reads its "now" from it.
 */
export class LocalStepFunctions {
  readonly stateMachineArn: string;
  /** The tokens `.waitForTaskToken` Tasks wait on (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat). */
  readonly taskTokens: TaskTokens;
  private readonly executions = new Map<string, LocalExecution>();
  private readonly stateMachine: StateMachine;
  private readonly aborts = new Map<string, () => void>();
  private readonly timeoutMs: number | undefined;
  private readonly store: ExecutionStore | undefined;
  private readonly tokenStates: ReadonlySet<string>;
  /** Leads erased while this peer runs: an execution of theirs still ending is scrubbed before it is kept. */
  private readonly erasedLeads = new Set<string>();

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.stateMachineArn = `arn:aws:states:us-east-1:000000000000:stateMachine:${options.stateMachineName ?? 'CascadeOutreach'}`;
    // The execution timeout is kept on the virtual clock (35 days must not mean 35 real days, nor
    // overflow a Node timer), so the interpreter runs the definition without its top-level TimeoutSeconds.
    const { TimeoutSeconds: timeoutSeconds, ...definition } = options.machine.definition;
    this.timeoutMs = timeoutSeconds ? timeoutSeconds * 1000 : undefined;
    this.stateMachine = new StateMachine(definition as never, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    this.tokenStates = new Set(
      Object.entries(definition.States)
        .filter(([, state]) => isTokenTask(state))
        .map(([name]) => name),
    );
    this.taskTokens = new TaskTokens(this.stateMachineArn, (name) => this.executions.has(this.arnFor(name)));
    this.store = options.storeDir ? new ExecutionStore(options.storeDir) : undefined;
    for (const stored of this.store?.loadAll() ?? []) {
      this.executions.set(stored.executionArn, { ...stored, done: Promise.resolve() });
    }
  }

  /**
   * Executions the previous process left RUNNING (it was killed) are driven again from the start, under the
   * same name and input. That is safe because every channel step is idempotent per attempt key: finished
   * tries replay their recorded result, a try caught mid-call records `ambiguous_send`, nothing resends.
   * A Task that was waiting for a token waits again under a new token (its function is invoked again and
   * registers it); the old token answers TaskTimedOut. A shared clock first catches up with the time those
   * executions had reached, so nothing runs earlier than it already did.
   */
  resumeInterrupted(): LocalExecution[] {
    const interrupted = this.list().filter((execution) => execution.status === 'RUNNING');
    const reached = interrupted.reduce(
      (latest, execution) =>
        execution.events.reduce((max, event) => Math.max(max, event.timestamp), Math.max(latest, execution.startDate)),
      0,
    );
    if (reached > 0) this.options.clock?.skipTo(reached);
    for (const execution of interrupted) {
      execution.events = [];
      execution.done = this.run(execution, JSON.parse(execution.input) as Json, this.timeFor(execution.startDate));
    }
    return interrupted;
  }

  /** The definition this peer runs (DescribeStateMachine). */
  get definition(): ExtractedMachine['definition'] {
    return this.options.machine.definition;
  }

  get(executionArnOrName: string): LocalExecution | undefined {
    return this.executions.get(executionArnOrName) ?? this.executions.get(this.arnFor(executionArnOrName));
  }

  list(): LocalExecution[] {
    return [...this.executions.values()];
  }

  arnFor(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /** StartExecution semantics: a reused name with the same input while running is idempotent; otherwise refused. */
  start(name: string | undefined, input: string): LocalExecution {
    const executionName = name ?? randomUUID();
    const executionArn = this.arnFor(executionName);
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw Object.assign(new Error(`Execution Already Exists: '${executionArn}'`), { code: 'ExecutionAlreadyExists' });
    }
    const parsedInput = JSON.parse(input) as Json;
    const time = this.timeFor();
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn: this.stateMachineArn,
      name: executionName,
      status: 'RUNNING',
      startDate: time.nowMs(),
      input,
      events: [],
      done: Promise.resolve(),
    };
    this.executions.set(executionArn, execution);
    this.store?.save(execution);
    execution.done = this.run(execution, parsedInput, time);
    return execution;
  }

  /**
   * An execution's time: the shared scaled clock, or its own instant clock from the stack's now (a restarted
   * execution resumes there too, never before its start).
   */
  private timeFor(startMs?: number): ExecutionTime {
    const { clock, pauseMs = 2, instantClock = WALL_CLOCK } = this.options;
    if (clock) return scaledTime(clock);
    // Offsets, not instants: reading the wall clock twice could straddle a millisecond and start 1 ms in the past.
    const resumedOffsetMs = startMs === undefined ? Number.NEGATIVE_INFINITY : startMs - Date.now();
    return instantTime(pauseMs, Math.max(resumedOffsetMs, instantClock.offsetMs()));
  }

  /** Drives one execution to its end: the interpreter's run, its history, its end state, kept in the store. */
  private async run(execution: LocalExecution, input: Json, time: ExecutionTime): Promise<void> {
    const { States: states } = this.options.machine.definition;
    const stopped = new AbortController();
    const ended = new AbortController();
    let stopRequested = false;
    let abortRun: () => void = () => undefined;
    const abort = (byStop: boolean) => {
      if (stopped.signal.aborted) return;
      stopRequested = byStop;
      stopped.abort();
      for (const task of this.taskTokens.ofExecution(execution.name)) this.taskTokens.cancel(task);
      abortRun();
    };
    const checkTimeout = () => {
      if (this.timeoutMs !== undefined && time.nowMs() - execution.startDate > this.timeoutMs) abort(false);
    };
    const recorder = new HistoryRecorder(execution, states, time, stopped.signal, {
      tokenStates: this.tokenStates,
      settleTokenTask: (stateName) => {
        const open = this.taskTokens.ofExecution(execution.name).filter((task) => task.stateName === stateName);
        for (const task of open) this.taskTokens.cancel(task);
        return open.length > 0;
      },
      onClockMoved: checkTimeout,
    });
    const placeholder = `local-task-token:${randomUUID()}`;
    const scope = { executionName: execution.name, placeholder, tokens: this.taskTokens, time, recorder };
    const run = this.stateMachine.run(input, {
      overrides: localOverrides(states, {
        ...scope,
        stopped: stopped.signal,
        invoke: this.options.invoke,
        onClockMoved: checkTimeout,
      }),
      context: {
        Execution: {
          Id: execution.executionArn,
          Name: execution.name,
          StartTime: new Date(execution.startDate).toISOString(),
        },
        Task: { Token: placeholder },
      },
    });
    abortRun = () => run.abort();
    this.aborts.set(execution.executionArn, () => abort(true));
    if (time.shared && this.timeoutMs !== undefined) {
      // On the shared clock the execution's TimeoutSeconds is a timer, not a check as the clock jumps.
      const signal = AbortSignal.any([stopped.signal, ended.signal]);
      void time
        .pass(execution.startDate + this.timeoutMs - time.nowMs(), signal)
        .then((passed) => passed && abort(false));
    }
    const history = recorder.record(run.eventLogs);
    const outcome = await run.result.then(
      (output: unknown) => ({ output }),
      (error: unknown) => ({ error }),
    );
    await history;
    ended.abort();
    this.aborts.delete(execution.executionArn);
    this.end(execution, recorder, stopped.signal.aborted ? { error: ABORTED } : outcome, stopRequested);
    execution.stopDate = time.nowMs();
    if ([...this.erasedLeads].some((leadId) => executionOfLead(execution, leadId))) scrubExecution(execution);
    this.store?.save(execution);
  }

  /** Sets how the execution ended; a stopped or timed-out one gets the closing event AWS writes. */
  private end(
    execution: LocalExecution,
    recorder: HistoryRecorder,
    outcome: { output: unknown } | { error: unknown },
    stopRequested: boolean,
  ): void {
    if ('output' in outcome) {
      execution.output = JSON.stringify(outcome.output);
      execution.status = 'SUCCEEDED';
      return;
    }
    Object.assign(execution, failedEnd(outcome.error, stopRequested, execution));
    const details = { error: execution.error ?? '', cause: execution.cause ?? '' };
    if (execution.status === 'ABORTED')
      recorder.append({ type: 'ExecutionAborted', executionAbortedEventDetails: details });
    if (execution.status === 'TIMED_OUT')
      recorder.append({ type: 'ExecutionTimedOut', executionTimedOutEventDetails: details });
  }

  /** StopExecution: a running execution is aborted (ABORTED); nothing else it would have done happens. */
  stop(executionArnOrName: string, error?: string, cause?: string): LocalExecution | undefined {
    const execution = this.get(executionArnOrName);
    if (!execution) return undefined;
    if (execution.status === 'RUNNING') {
      execution.error = error;
      execution.cause = cause;
      this.aborts.get(execution.executionArn)?.();
    }
    return execution;
  }

  /**
   * Forgets an erased lead: the personal strings of each of its executions (inputs, outputs, history) are
   * erased in memory and in the store, so DescribeExecution and GetExecutionHistory no longer show them.
   * Returns the names of the executions scrubbed.
   */
  eraseLead(leadId: string): string[] {
    this.erasedLeads.add(leadId);
    const scrubbed = this.list().filter((execution) => executionOfLead(execution, leadId));
    for (const execution of scrubbed) {
      scrubExecution(execution);
      this.store?.save(execution);
    }
    return scrubbed.map((execution) => execution.name);
  }

  /** Resolves when every execution started so far has ended. */
  async drain(): Promise<void> {
    let pending = this.list().filter((execution) => execution.status === 'RUNNING');
    while (pending.length > 0) {
      await Promise.all(pending.map((execution) => execution.done));
      pending = this.list().filter((execution) => execution.status === 'RUNNING');
    }
  }
}
