import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import { armFaults, disarmFaults, type FaultPlan, injectedFaults } from '#shared/faults';
import { type Clock, OffsetClock, runWithClock } from '#shared/time/clock';

/**
 * Inside a local function's worker: import the function's entry once (module scope runs once per sandbox,
 * as in Lambda), then answer invocations. Each invocation carries the caller's virtual clock offset (the
 * execution's clock), the request id and the deadline; errors go back as Lambda reports them (errorType =
 * the error's name, which is what the state machine's Retry/Catch match).
 */
interface WorkerData {
  entryPath: string;
  functionName: string;
  memoryMb: number;
  logGroupName: string;
  arn: string;
}

export type WorkerRequest =
  | {
      type: 'invoke';
      id: number;
      event: unknown;
      clockOffsetMs: number;
      /** Scaled mode: the stack clock's virtual seconds per real second, which this invocation's clock runs at. */
      clockScale?: number;
      requestId: string;
      deadlineMs: number;
    }
  | { type: 'faults'; plan?: Omit<FaultPlan, 'random'> }
  | { type: 'environment'; id: number };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'environment'; id: number; environment: Record<string, string | undefined> }
  | { type: 'load-failed'; errorType: string; errorMessage: string }
  | {
      type: 'result';
      id: number;
      ok: boolean;
      result?: unknown;
      error?: { errorType: string; errorMessage: string; stack?: string };
      injectedFaults: unknown[];
    };

type Handler = (event: unknown, context: Context) => Promise<unknown>;

const data = workerData as WorkerData;
const port = parentPort;
if (!port) throw new Error('lambda-worker-main runs only in a worker thread');

function contextFor(requestId: string, deadlineMs: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: data.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: data.arn,
    memoryLimitInMB: String(data.memoryMb),
    awsRequestId: requestId,
    logGroupName: data.logGroupName,
    logStreamName: `local/[$LATEST]${data.functionName}`,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The stack's scaled clock as it reads now (now + offset), running on at `scale` virtual ms per real ms. */
function scaledFromNow(offsetMs: number, scale: number): Clock {
  const startRealMs = Date.now();
  const startVirtualMs = startRealMs + offsetMs;
  return { nowMs: () => startVirtualMs + (Date.now() - startRealMs) * scale };
}

async function invoke(handler: Handler, request: Extract<WorkerRequest, { type: 'invoke' }>): Promise<WorkerReply> {
  const clock = request.clockScale
    ? scaledFromNow(request.clockOffsetMs, request.clockScale)
    : new OffsetClock(request.clockOffsetMs);
  try {
    const result = await runWithClock(clock, () =>
      handler(request.event, contextFor(request.requestId, request.deadlineMs)),
    );
    // What Lambda returns is JSON: undefined becomes null, class instances plain objects.
    const json = result === undefined ? null : JSON.parse(JSON.stringify(result));
    return { type: 'result', id: request.id, ok: true, result: json, injectedFaults: injectedFaults.splice(0) };
  } catch (caught) {
    const error = caught as Error;
    return {
      type: 'result',
      id: request.id,
      ok: false,
      error: { errorType: error?.name ?? 'Error', errorMessage: error?.message ?? String(caught), stack: error?.stack },
      injectedFaults: injectedFaults.splice(0),
    };
  }
}

let handler: Handler;
try {
  handler = (await import(pathToFileURL(data.entryPath).href)).handler as Handler;
} catch (caught) {
  const error = caught as Error;
  port.postMessage({
    type: 'load-failed',
    errorType: 'Runtime.ImportModuleError',
    errorMessage: error.stack ?? String(error),
  });
  throw error;
}
port.on('message', (request: WorkerRequest) => {
  if (request.type === 'environment') {
    // What the sandbox really runs with (the parity tests compare it with the template).
    port.postMessage({ type: 'environment', id: request.id, environment: { ...process.env } } satisfies WorkerReply);
    return;
  }
  if (request.type === 'faults') {
    // Test instrumentation only (npm run test:faults): armed through the runtime, never by the environment.
    if (request.plan) {
      process.env.CASCADE_FAULT_INJECTION = '1';
      armFaults(request.plan);
    } else disarmFaults();
    return;
  }
  void invoke(handler, request).then((reply) => port.postMessage(reply));
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
