import { randomBytes } from 'node:crypto';
import { CodedError } from '#shared/errors';

/*
 * Task tokens of `.waitForTaskToken` Tasks. A token is opaque to its holder, but names the state machine and
 * execution it belongs to (base64url JSON), as AWS's tokens carry them: the IAM check in front of the peer
 * authorizes SendTask* on the state machine ARN (what `grantTaskResponse` grants), and a token of an
 * execution this peer knows but no longer waits for (answered, timed out, a previous process) is told apart
 * from one that was never issued.
 */

/** The AWS errors SendTaskSuccess/Failure/Heartbeat answer with; the error's name is the wire type. */
export class InvalidToken extends CodedError('InvalidToken', 'invalid_token', 'invalid') {}
export class TaskDoesNotExist extends CodedError('TaskDoesNotExist', 'task_does_not_exist', 'not_found') {}
export class TaskTimedOut extends CodedError('TaskTimedOut', 'task_timed_out', 'conflict') {}

interface TokenFields {
  v: 1;
  /** State machine ARN. */
  sm: string;
  /** Execution name. */
  ex: string;
  /** State name. */
  st: string;
  /** Makes each state entry's token unique. */
  n: string;
}

export function encodeTaskToken(stateMachineArn: string, executionName: string, stateName: string): string {
  const nonce = randomBytes(24).toString('base64url');
  const fields: TokenFields = { v: 1, sm: stateMachineArn, ex: executionName, st: stateName, n: nonce };
  return Buffer.from(JSON.stringify(fields)).toString('base64url');
}

export function decodeTaskToken(token: string): TokenFields | undefined {
  try {
    const fields = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<TokenFields>;
    if (fields?.v !== 1 || typeof fields.sm !== 'string' || typeof fields.ex !== 'string') return undefined;
    return fields as TokenFields;
  } catch {
    return undefined;
  }
}

/** The state machine a token belongs to (what IAM authorizes SendTask* on), or undefined for a malformed one. */
export function taskTokenStateMachine(token: string): string | undefined {
  return decodeTaskToken(token)?.sm;
}

export type TaskAnswer = { output: unknown } | { error: string; cause: string };

/** A token its Task waits on: the answer once given, the last heartbeat, a listener woken by either. */
export class OpenTask {
  answer: TaskAnswer | undefined;
  /** Closed without an answer by the interpreter or a stop: the waiting Task gives up without recording. */
  cancelled = false;
  /** Virtual time of the last heartbeat (or of the wait's start). */
  lastBeatMs: number;
  private listener: (() => void) | undefined;

  constructor(
    readonly token: string,
    readonly executionName: string,
    readonly stateName: string,
    /** The execution's clock (instant mode: its own). */
    readonly nowMs: () => number,
  ) {
    this.lastBeatMs = nowMs();
  }

  /** Calls `listener` at the next answer or heartbeat (one listener at a time: the waiting Task). */
  onChange(listener: (() => void) | undefined): void {
    this.listener = listener;
  }

  notify(): void {
    this.listener?.();
  }
}

/** The tokens the running executions wait on, and the SendTask* semantics AWS gives them. */
export class TaskTokens {
  private readonly open = new Map<string, OpenTask>();

  constructor(
    private readonly stateMachineArn: string,
    /** Whether this peer has (or had) an execution of that name. */
    private readonly knowsExecution: (executionName: string) => boolean,
  ) {}

  issue(executionName: string, stateName: string, nowMs: () => number): OpenTask {
    const token = encodeTaskToken(this.stateMachineArn, executionName, stateName);
    const task = new OpenTask(token, executionName, stateName, nowMs);
    this.open.set(task.token, task);
    return task;
  }

  /** The Task ended (answered, timed out, failed, stopped): its token answers TaskTimedOut from now on. */
  close(task: OpenTask): void {
    this.open.delete(task.token);
    task.onChange(undefined);
  }

  /** Ends a wait from outside (the execution stopped, the interpreter failed the Task): wakes its Task. */
  cancel(task: OpenTask): void {
    task.cancelled = true;
    task.notify();
    this.close(task);
  }

  /** Open tokens of one execution (StopExecution closes them). */
  ofExecution(executionName: string): OpenTask[] {
    return [...this.open.values()].filter((task) => task.executionName === executionName);
  }

  succeed(token: string, output: unknown): void {
    this.answer(token, { output });
  }

  fail(token: string, error: string, cause: string): void {
    this.answer(token, { error, cause });
  }

  heartbeat(token: string): void {
    const task = this.require(token);
    task.lastBeatMs = task.nowMs();
    task.notify();
  }

  private answer(token: string, answer: TaskAnswer): void {
    const task = this.require(token);
    // The first answer closes the token: a second one (or a late one) gets TaskTimedOut and changes nothing.
    task.answer = answer;
    task.notify();
    this.close(task);
  }

  private require(token: string): OpenTask {
    const open = this.open.get(token);
    if (open) return open;
    const fields = decodeTaskToken(token);
    if (!fields || fields.sm !== this.stateMachineArn) throw new InvalidToken('Invalid Token');
    if (!this.knowsExecution(fields.ex)) throw new TaskDoesNotExist('Task Does Not Exist');
    throw new TaskTimedOut('Task Timed Out');
  }
}
