import './polyfills';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import * as path from 'node:path';
import type { Context } from 'aws-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import { OffsetClock } from '#shared/time/clock';
import { listenOnLoopback } from './loopback';
import type { ExtractedMachine } from './synth';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** Lambda's Invoke (RequestResponse) of a function ARN, at an execution's virtual time. */
export type InvokeFunction = (functionArn: string, payload: unknown, clockOffsetMs: number) => Promise<unknown>;
/** aws-local-stepfunctions does not export its event type; take it from `run()`. */
type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

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

const STATE_EVENT_PREFIX: Record<string, string> = {
  Task: 'Task',
  Choice: 'Choice',
  Wait: 'Wait',
  Pass: 'Pass',
  Succeed: 'Succeed',
  Fail: 'Fail',
  Map: 'Map',
  Parallel: 'Parallel',
};

/** Reads a plain `$.a.b.c` path (what the definition's SecondsPath fields use). */
function readPath(document: unknown, jsonPath: string): unknown {
  return jsonPath
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
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

  constructor(private readonly options: LocalStepFunctionsOptions) {
    this.stateMachineArn = `arn:aws:states:us-east-1:000000000000:stateMachine:${options.stateMachineName ?? 'CascadeOutreach'}`;
    // The execution timeout is kept on the virtual clock (35 days must not mean 35 real days, nor
    // overflow a Node timer), so the interpreter runs the definition without its top-level TimeoutSeconds.
    const { TimeoutSeconds: timeoutSeconds, ...definition } = options.machine.definition;
    this.timeoutMs = timeoutSeconds ? timeoutSeconds * 1000 : undefined;
    this.stateMachine = new StateMachine(definition as never, {
      validationOptions: { checkArn: true, checkPaths: true },
    });
    if (options.storeDir) this.load(options.storeDir);
  }

  private load(storeDir: string): void {
    mkdirSync(storeDir, { recursive: true });
    for (const file of readdirSync(storeDir).filter((name) => name.endsWith('.json'))) {
      const stored = JSON.parse(readFileSync(path.join(storeDir, file), 'utf8')) as Omit<LocalExecution, 'done'>;
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

  private persist(execution: LocalExecution): void {
    if (!this.options.storeDir) return;
    const { done: _done, ...stored } = execution;
    writeFileSync(path.join(this.options.storeDir, `${execution.name}.json`), JSON.stringify(stored));
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
    this.persist(execution);
    execution.done = this.run(execution, parsedInput, clock);
    return execution;
  }

  private async run(execution: LocalExecution, input: Json, clock: OffsetClock): Promise<void> {
    const { definition } = this.options.machine;
    const pauseMs = this.options.pauseMs ?? 2;
    const states = Object.entries(definition.States);
    const taskResourceLocalHandlers = Object.fromEntries(
      states
        .filter(([, state]) => state.Type === 'Task')
        .map(([stateName, state]) => [
          stateName,
          async (taskInput: Json) => {
            // Let the event consumer apply any Wait just passed to this execution's clock first.
            await new Promise((resolve) => setImmediate(resolve));
            const result = await this.options.invoke(String(state.Resource), taskInput, clock.offset);
            return (result ?? null) as Json;
          },
        ]),
    );
    const waitTimeOverrides = Object.fromEntries(
      states.filter(([, state]) => state.Type === 'Wait').map(([stateName]) => [stateName, pauseMs]),
    );
    const retryIntervalOverrides = Object.fromEntries(
      states.filter(([, state]) => Array.isArray(state.Retry)).map(([stateName]) => [stateName, pauseMs]),
    );
    const run = this.stateMachine.run(input, {
      overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
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
    const consumer = this.consume(execution, run.eventLogs, clock, () => {
      if (this.timeoutMs !== undefined && clock.nowMs() - execution.startDate > this.timeoutMs) run.abort();
    });
    try {
      const output = await run.result;
      execution.output = JSON.stringify(output);
      execution.status = 'SUCCEEDED';
    } catch (error) {
      if ((error as { name?: string }).name === 'ExecutionAbortedError') {
        execution.status = stopRequested ? 'ABORTED' : 'TIMED_OUT';
        execution.error = stopRequested ? (execution.error ?? 'Stopped') : 'States.Timeout';
        execution.cause = stopRequested
          ? (execution.cause ?? 'StopExecution')
          : 'the execution ran past the state machine TimeoutSeconds (virtual clock)';
        await consumer;
        execution.stopDate = clock.nowMs();
        this.persist(execution);
        return;
      }
      // ExecutionError wraps what failed the run (a Fail state's Error/Cause, or an uncaught task error).
      const wrapper = error as { name?: string; message?: string; cause?: { name?: string; message?: string } };
      const failure = wrapper.name === 'ExecutionError' && wrapper.cause ? wrapper.cause : wrapper;
      execution.status = wrapper.name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
      execution.error = failure.name ?? 'Error';
      execution.cause = failure.message ?? '';
    }
    await consumer;
    execution.stopDate = clock.nowMs();
    this.persist(execution);
  }

  private async consume(
    execution: LocalExecution,
    logs: AsyncGenerator<EventLog>,
    clock: OffsetClock,
    onClockMoved: () => void,
  ): Promise<void> {
    const { definition } = this.options.machine;
    let lastId = 0;
    const push = (event: Omit<HistoryEvent, 'id' | 'previousEventId' | 'timestamp'>) => {
      lastId++;
      execution.events.push({
        id: lastId,
        previousEventId: lastId - 1,
        timestamp: clock.nowMs(),
        ...event,
      } as HistoryEvent);
    };
    for await (const event of logs) {
      switch (event.type) {
        case 'ExecutionStarted':
          push({ type: 'ExecutionStarted', executionStartedEventDetails: { input: JSON.stringify(event.input) } });
          break;
        case 'StateEntered': {
          push({
            type: `${STATE_EVENT_PREFIX[event.state.type] ?? ''}StateEntered`,
            stateEnteredEventDetails: { name: event.state.name, input: JSON.stringify(event.state.input) },
          });
          const state = definition.States[event.state.name];
          if (state?.Type === 'Wait') {
            const seconds =
              typeof state.Seconds === 'number'
                ? state.Seconds
                : Number(readPath(event.state.input, String(state.SecondsPath ?? '')));
            if (Number.isFinite(seconds) && seconds > 0) {
              clock.advance(seconds * 1000);
              onClockMoved();
            }
          }
          if (state?.Type === 'Task') {
            push({
              type: 'TaskScheduled',
              taskScheduledEventDetails: {
                resource: String(state.Resource),
                resourceType: 'lambda',
                region: 'us-east-1',
                parameters: JSON.stringify(event.state.input),
              },
            });
          }
          break;
        }
        case 'StateExited':
          push({
            type: `${STATE_EVENT_PREFIX[event.state.type] ?? ''}StateExited`,
            stateExitedEventDetails: { name: event.state.name, output: JSON.stringify(event.state.output ?? null) },
          });
          break;
        case 'StateFailed':
          push({
            type: 'TaskFailed',
            taskFailedEventDetails: {
              resource: event.state.name,
              resourceType: 'lambda',
              error: event.Error,
              cause: String(event.Cause ?? ''),
            },
          });
          break;
        case 'StateRetried':
          push({
            type: 'TaskScheduled',
            taskScheduledEventDetails: {
              resource: event.state.name,
              resourceType: 'lambda',
              region: 'us-east-1',
              parameters: JSON.stringify(event.state.input),
            },
          });
          break;
        case 'ExecutionSucceeded':
          push({
            type: 'ExecutionSucceeded',
            executionSucceededEventDetails: { output: JSON.stringify(event.output) },
          });
          break;
        case 'ExecutionFailed':
          push({
            type: 'ExecutionFailed',
            executionFailedEventDetails: { error: event.Error, cause: String(event.Cause ?? '') },
          });
          break;
        default:
          break;
      }
    }
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

  /** Resolves when every execution started so far has ended. */
  async drain(): Promise<void> {
    let pending = this.list().filter((execution) => execution.status === 'RUNNING');
    while (pending.length > 0) {
      await Promise.all(pending.map((execution) => execution.done));
      pending = this.list().filter((execution) => execution.status === 'RUNNING');
    }
  }
}

/** A Lambda context for handlers invoked in-process by the embedded stack. */
export function localLambdaContext(functionName: string): Context {
  const deadline = Date.now() + 120_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName.replace(/\W/g, '')}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

// ---------------------------------------------------------------------------------------------------
// The AWS Step Functions JSON 1.0 protocol, so the real SFNClient (AWS_ENDPOINT_URL_SFN) talks to it.

function toWireExecution(execution: LocalExecution) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate / 1000,
    ...(execution.stopDate !== undefined && { stopDate: execution.stopDate / 1000 }),
  };
}

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function handleSfnOperation(sfn: LocalStepFunctions, operation: string, body: Record<string, unknown>): unknown {
  const needExecution = () => {
    const execution = sfn.get(String(body.executionArn ?? ''));
    if (!execution)
      throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(body.executionArn)}'`);
    return execution;
  };
  switch (operation) {
    case 'StartExecution': {
      if (body.stateMachineArn !== sfn.stateMachineArn) {
        throw new ServiceError(
          'StateMachineDoesNotExist',
          `State Machine Does Not Exist: '${String(body.stateMachineArn)}'`,
        );
      }
      if (body.name !== undefined && !/^[A-Za-z0-9_-]{1,80}$/.test(String(body.name))) {
        throw new ServiceError('InvalidName', `Invalid Name: '${String(body.name)}'`);
      }
      try {
        const execution = sfn.start(body.name as string | undefined, String(body.input ?? '{}'));
        return { executionArn: execution.executionArn, startDate: execution.startDate / 1000 };
      } catch (error) {
        if ((error as { code?: string }).code === 'ExecutionAlreadyExists')
          throw new ServiceError('ExecutionAlreadyExists', (error as Error).message);
        throw error;
      }
    }
    case 'DescribeExecution': {
      const execution = needExecution();
      return {
        ...toWireExecution(execution),
        input: execution.input,
        ...(execution.output !== undefined && { output: execution.output }),
        ...(execution.error !== undefined && { error: execution.error, cause: execution.cause }),
      };
    }
    case 'GetExecutionHistory': {
      const execution = needExecution();
      const events = body.reverseOrder ? [...execution.events].reverse() : execution.events;
      const start = Number(body.nextToken ?? 0);
      const size = Math.min(Number(body.maxResults ?? 1000) || 1000, 1000);
      const page = events.slice(start, start + size).map((event) => ({ ...event, timestamp: event.timestamp / 1000 }));
      return { events: page, ...(start + size < events.length && { nextToken: String(start + size) }) };
    }
    case 'ListExecutions': {
      if (body.stateMachineArn !== sfn.stateMachineArn) {
        throw new ServiceError(
          'StateMachineDoesNotExist',
          `State Machine Does Not Exist: '${String(body.stateMachineArn)}'`,
        );
      }
      const all = sfn.list().filter((execution) => !body.statusFilter || execution.status === body.statusFilter);
      const start = Number(body.nextToken ?? 0);
      const size = Math.min(Number(body.maxResults ?? 100) || 100, 1000);
      return {
        executions: all.slice(start, start + size).map(toWireExecution),
        ...(start + size < all.length && { nextToken: String(start + size) }),
      };
    }
    case 'StopExecution': {
      const execution = sfn.stop(
        String(body.executionArn ?? ''),
        body.error as string | undefined,
        body.cause as string | undefined,
      );
      if (!execution)
        throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(body.executionArn)}'`);
      return { stopDate: Date.now() / 1000 };
    }
    case 'ListStateMachines':
      return {
        stateMachines: [
          {
            stateMachineArn: sfn.stateMachineArn,
            name: sfn.stateMachineArn.split(':').pop(),
            type: 'STANDARD',
            creationDate: 0,
          },
        ],
      };
    case 'DescribeStateMachine':
      return {
        stateMachineArn: sfn.stateMachineArn,
        name: sfn.stateMachineArn.split(':').pop(),
        status: 'ACTIVE',
        type: 'STANDARD',
        definition: JSON.stringify(sfn.definition),
        roleArn: 'arn:aws:iam::000000000000:role/local',
        creationDate: 0,
      };
    default:
      throw new ServiceError(
        'UnknownOperationException',
        `${operation} is not supported by the local Step Functions peer`,
      );
  }
}

export async function startStepFunctionsServer(
  sfn: LocalStepFunctions,
  port = 0,
): Promise<{ endpoint: string; server: Server; close(): Promise<void> }> {
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.split('.')[1] ?? '';
    response.setHeader('content-type', 'application/x-amz-json-1.0');
    response.setHeader('x-amzn-requestid', randomUUID());
    try {
      const body = JSON.parse((await readBody(request)) || '{}') as Record<string, unknown>;
      response.end(JSON.stringify(handleSfnOperation(sfn, operation, body)));
    } catch (error) {
      const serviceError =
        error instanceof ServiceError ? error : new ServiceError('InternalFailure', (error as Error).message, 500);
      response.statusCode = serviceError.status;
      response.setHeader('x-amzn-errortype', serviceError.type);
      response.end(JSON.stringify({ __type: serviceError.type, message: serviceError.message }));
    }
  });
  const bound = await listenOnLoopback(server, port);
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
