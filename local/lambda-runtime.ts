import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { CascadeError, type ErrorKind } from '#shared/errors';
import { type InjectedFault, onFaultPlan, recordInjectedFaults } from '#shared/faults';
import type { WorkerReply, WorkerRequest } from './lambda-worker-main';
import type { TemplateFunction } from './template';

/**
 * The embedded stack's Lambda service. Each function of the template runs in its own sandbox — a worker
 * thread with its own module graph and exactly this `process.env`: the template's environment (resolved),
 * the variables the Lambda runtime itself sets, the local peers' endpoints and credentials naming the
 * function's role. Nothing of the host process leaks in, so a setting the template does not give a function
 * is missing here as it would be in AWS. Memory is the template's (the worker's heap limit); logs go to a
 * per-function file, as CloudWatch Logs would hold them.
 */
export interface LocalLambdaOptions {
  functions: TemplateFunction[];
  projectRoot: string;
  /** What differs from AWS, per function: endpoints, credentials, endpoint plumbing (see stack-environment.ts). */
  localEnvironment: (fn: TemplateFunction) => Record<string, string>;
  /** Where each function's log is written (`<logicalId>.log`); discarded when absent. */
  logDir?: string;
  /**
   * The stack's clock offset (ms) for invocations that bring none (API requests, events, S3 notifications):
   * the shared scaled clock's, read at each invocation. Absent: the wall clock.
   */
  clockOffsetMs?: () => number;
  /**
   * The shared clock's scale (virtual seconds per real second), scaled mode only: a function's clock runs at it
   * during the invocation too, or every wait after a slow invocation would end late by its duration × scale.
   */
  clockScale?: number;
}

export interface InvokeOptions {
  /** The caller's virtual clock offset (ms): an execution's Tasks run at that execution's time. */
  clockOffsetMs?: number;
}

/** A failed invocation as the caller sees it: `name` is Lambda's errorType (what Retry/Catch match). */
export class LambdaInvocationError extends CascadeError {
  readonly kind: ErrorKind = 'internal';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** One finished invocation, as an observer sees it (what CloudWatch's invocation metrics and logs would show). */
export interface InvocationRecord {
  fn: TemplateFunction;
  event: unknown;
  /** The handler's answer, when it answered. */
  result?: unknown;
  /** Its error, when it failed. */
  error?: Error;
}

interface Sandbox {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
}

const RECENT_LOG_LINES = 200;

export class LocalLambdaService {
  private readonly byKey = new Map<string, TemplateFunction>();
  private readonly sandboxes = new Map<string, Sandbox>();
  private readonly logs = new Map<string, { stream?: WriteStream; recent: string[] }>();
  private nextId = 1;
  private faultPlan: WorkerRequest | undefined;
  private readonly stopListening: () => void;
  private readonly observers = new Set<(invocation: InvocationRecord) => void>();

  constructor(private readonly options: LocalLambdaOptions) {
    for (const fn of options.functions) {
      for (const key of [fn.logicalId, fn.constructId, fn.arn]) this.byKey.set(key, fn);
    }
    if (options.logDir) mkdirSync(options.logDir, { recursive: true });
    this.stopListening = onFaultPlan((plan) => {
      const message: WorkerRequest = {
        type: 'faults',
        ...(plan && {
          plan: { probability: plan.probability, points: plan.points, timeoutShare: plan.timeoutShare },
        }),
      };
      this.faultPlan = plan ? message : undefined;
      for (const sandbox of this.sandboxes.values()) sandbox.worker.postMessage(message);
    });
  }

  /** A function by logical id, construct id (SendEmailFunction) or ARN. */
  function(key: string): TemplateFunction {
    const fn = this.byKey.get(key);
    if (!fn) throw new Error(`no function ${key} in the template`);
    return fn;
  }

  get functions(): TemplateFunction[] {
    return this.options.functions;
  }

  /** The environment a function's sandbox runs with (what `process.env` is inside it). */
  environmentOf(key: string): Record<string, string> {
    const fn = this.function(key);
    return { ...this.options.localEnvironment(fn), ...fn.environment };
  }

  /** The `process.env` a function's sandbox really has (starting the sandbox if need be). */
  async sandboxEnvironment(key: string): Promise<Record<string, string | undefined>> {
    const sandbox = this.sandbox(this.function(key));
    await sandbox.ready;
    const id = this.nextId++;
    const reply = new Promise<unknown>((resolve, reject) => sandbox.pending.set(id, { resolve, reject }));
    sandbox.worker.postMessage({ type: 'environment', id } satisfies WorkerRequest);
    return (await reply) as Record<string, string | undefined>;
  }

  /** The last lines a function logged (its whole log is in `logDir` when one was given). */
  recentLog(key: string): string[] {
    return [...(this.logs.get(this.function(key).logicalId)?.recent ?? [])];
  }

  /**
   * Calls `observer` after every invocation of any function (tests: that an event source or a rule reached a
   * function). Returns a function that stops it.
   */
  onInvocation(observer: (invocation: InvocationRecord) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Invoke (RequestResponse): resolves with the handler's JSON result, rejects with its error. */
  async invoke(key: string, event: unknown, options: InvokeOptions = {}): Promise<unknown> {
    const fn = this.function(key);
    if (this.observers.size === 0) return this.run(fn, event, options);
    try {
      const result = await this.run(fn, event, options);
      this.notify({ fn, event, result });
      return result;
    } catch (error) {
      this.notify({ fn, event, error: error as Error });
      throw error;
    }
  }

  private notify(invocation: InvocationRecord): void {
    for (const observer of [...this.observers]) {
      try {
        observer(invocation);
      } catch (error) {
        process.emitWarning(`an invocation observer failed: ${(error as Error).message}`);
      }
    }
  }

  private async run(fn: TemplateFunction, event: unknown, options: InvokeOptions): Promise<unknown> {
    const sandbox = this.sandbox(fn);
    await sandbox.ready;
    const id = this.nextId++;
    const result = new Promise<unknown>((resolve, reject) => sandbox.pending.set(id, { resolve, reject }));
    const request: WorkerRequest = {
      type: 'invoke',
      id,
      event,
      clockOffsetMs: options.clockOffsetMs ?? this.options.clockOffsetMs?.() ?? 0,
      ...(this.options.clockScale !== undefined && { clockScale: this.options.clockScale }),
      requestId: randomUUID(),
      deadlineMs: Date.now() + fn.timeoutSeconds * 1000,
    };
    sandbox.worker.postMessage(request);
    return result;
  }

  async close(): Promise<void> {
    this.stopListening();
    const workers = [...this.sandboxes.values()].map((sandbox) => sandbox.worker.terminate());
    this.sandboxes.clear();
    await Promise.all(workers);
    await Promise.all(
      [...this.logs.values()].map(
        ({ stream }) => new Promise<void>((resolve) => (stream ? stream.end(() => resolve()) : resolve())),
      ),
    );
  }

  private sandbox(fn: TemplateFunction): Sandbox {
    const existing = this.sandboxes.get(fn.logicalId);
    if (existing) return existing;
    const worker = new Worker(new URL('./lambda-worker.mjs', import.meta.url), {
      workerData: {
        entryPath: path.join(this.options.projectRoot, fn.entry),
        functionName: fn.logicalId,
        memoryMb: fn.memoryMb,
        logGroupName: `/aws/lambda/${fn.logicalId}`,
        arn: fn.arn,
      },
      env: this.environmentOf(fn.logicalId),
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: fn.memoryMb },
    });
    worker.unref();
    this.captureLogs(fn, worker.stdout);
    this.captureLogs(fn, worker.stderr);
    const pending: Sandbox['pending'] = new Map();
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') resolve();
        else if (reply.type === 'environment') {
          pending.get(reply.id)?.resolve(reply.environment);
          pending.delete(reply.id);
        } else if (reply.type === 'load-failed') reject(new LambdaInvocationError(reply.errorType, reply.errorMessage));
        else this.settle(pending, reply);
      });
      worker.once('error', reject);
    });
    // A sandbox that dies (out of memory, a crash) fails what it was running; the next call gets a new one.
    const fail = (error: Error) => {
      this.sandboxes.delete(fn.logicalId);
      for (const { reject } of pending.values()) reject(new LambdaInvocationError('Lambda.Unknown', error.message));
      pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the ${fn.logicalId} sandbox exited (${code})`)));
    if (this.faultPlan) worker.postMessage(this.faultPlan);
    const sandbox = { worker, ready, pending };
    this.sandboxes.set(fn.logicalId, sandbox);
    ready.catch(() => this.sandboxes.delete(fn.logicalId));
    return sandbox;
  }

  private settle(pending: Sandbox['pending'], reply: Extract<WorkerReply, { type: 'result' }>): void {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.injectedFaults.length > 0) recordInjectedFaults(reply.injectedFaults as InjectedFault[]);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new LambdaInvocationError(reply.error?.errorType ?? 'Error', reply.error?.errorMessage ?? ''));
  }

  private captureLogs(fn: TemplateFunction, output: Readable): void {
    let log = this.logs.get(fn.logicalId);
    if (!log) {
      const file = this.options.logDir && path.join(this.options.logDir, `${fn.logicalId}.log`);
      log = { ...(file && { stream: createWriteStream(file, { flags: 'a' }) }), recent: [] };
      this.logs.set(fn.logicalId, log);
    }
    const sink = log;
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      sink.stream?.write(chunk);
      sink.recent.push(...chunk.split('\n').filter(Boolean));
      if (sink.recent.length > RECENT_LOG_LINES) sink.recent.splice(0, sink.recent.length - RECENT_LOG_LINES);
    });
  }
}
