import '../polyfills';
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { OffsetClock } from '#shared/time/clock';
import type { ExtractedMachine } from '../synth';
import { executionOfLead, scrubExecution } from './erasure';
import { type HistoryEvent, recordHistory } from './history';
import { ExecutionStore } from './store';

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
}

/**
 * The interpreter's local overrides for one execution: each Task state calls its function through `invoke`
 * at the execution's virtual time; Wait states and Retry pauses last `pauseMs` real milliseconds.
 */
function localOverrides(states: States, invoke: InvokeFunction, clock: OffsetClock, pauseMs: number) {
  const statesWhere = (test: (state: Record<string, unknown>) => boolean) =>
    Object.entries(states).filter(([, state]) => test(state));
  const callTaskFunction = (resource: string) => async (taskInput: Json) => {
    // Let the history consumer apply any Wait just passed to this execution's clock first.
    await new Promise((resolve) => setImmediate(resolve));
    const result = await invoke(resource, taskInput, clock.offset);
    return (result ?? null) as Json;
  };
  const pauseFor = ([stateName]: [string, unknown]) => [stateName, pauseMs];
  return {
    taskResourceLocalHandlers: Object.fromEntries(
      statesWhere((state) => state.Type === 'Task').map(([name, state]) => [
        name,
        callTaskFunction(String(state.Resource)),
      ]),
    ),
    waitTimeOverrides: Object.fromEntries(statesWhere((state) => state.Type === 'Wait').map(pauseFor)),
    retryIntervalOverrides: Object.fromEntries(statesWhere((state) => Array.isArray(state.Retry)).map(pauseFor)),
  };
}

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
 * handler modules in-process. Each execution carries a virtual clock: a Wait of 48 h takes a few real
 * milliseconds and moves that execution's clock 48 h forward, and every handler invoked for that
 * execution reads its "now" from it.
 */
export class LocalStepFunctions {
  readonly stateMachineArn: string;
  private readonly executions = new Map<string, LocalExecution>();
  private readonly stateMachine: StateMachine;
  private readonly aborts = new Map<string, () => void>();
  private readonly timeoutMs: number | undefined;
  private readonly store: ExecutionStore | undefined;
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
    this.store = options.storeDir ? new ExecutionStore(options.storeDir) : undefined;
    for (const stored of this.store?.loadAll() ?? []) {
      this.executions.set(stored.executionArn, { ...stored, done: Promise.resolve() });
    }
  }

  /**
   * Executions the previous process left RUNNING (it was killed) are driven again from the start, under the
   * same name and input. That is safe because every channel step is idempotent per attempt key: finished
   * tries replay their recorded result, a try caught mid-call records `ambiguous_send`, nothing resends.
   */
  resumeInterrupted(): LocalExecution[] {
    const interrupted = this.list().filter((execution) => execution.status === 'RUNNING');
    for (const execution of interrupted) {
      const clock = new OffsetClock(Math.max(0, execution.startDate - Date.now()));
      execution.events = [];
      execution.done = this.run(execution, JSON.parse(execution.input) as Json, clock);
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
    const clock = new OffsetClock();
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn: this.stateMachineArn,
      name: executionName,
      status: 'RUNNING',
      startDate: clock.nowMs(),
      input,
      events: [],
      done: Promise.resolve(),
    };
    this.executions.set(executionArn, execution);
    this.store?.save(execution);
    execution.done = this.run(execution, parsedInput, clock);
    return execution;
  }

  /** Drives one execution to its end: the interpreter's run, its history, its end state, kept in the store. */
  private async run(execution: LocalExecution, input: Json, clock: OffsetClock): Promise<void> {
    const { States: states } = this.options.machine.definition;
    const run = this.stateMachine.run(input, {
      overrides: localOverrides(states, this.options.invoke, clock, this.options.pauseMs ?? 2),
      context: {
        Execution: {
          Id: execution.executionArn,
          Name: execution.name,
          StartTime: new Date(execution.startDate).toISOString(),
        },
      },
    });
    let stopRequested = false;
    this.aborts.set(execution.executionArn, () => {
      stopRequested = true;
      run.abort();
    });
    const history = recordHistory(execution, run.eventLogs, states, clock, () => {
      if (this.timeoutMs !== undefined && clock.nowMs() - execution.startDate > this.timeoutMs) run.abort();
    });
    try {
      const output = await run.result;
      execution.output = JSON.stringify(output);
      execution.status = 'SUCCEEDED';
    } catch (error) {
      Object.assign(execution, failedEnd(error, stopRequested, execution));
    }
    await history;
    execution.stopDate = clock.nowMs();
    if ([...this.erasedLeads].some((leadId) => executionOfLead(execution, leadId))) scrubExecution(execution);
    this.store?.save(execution);
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
