import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type InvokeFunction, type LocalExecution, LocalStepFunctions } from '#local/stepfunctions/executions';
import { ScaledClock } from '#local/stepfunctions/time';
import { WAIT_FOR_TASK_TOKEN } from '#local/stepfunctions/wait-for-token';
import type { ExtractedMachine } from '#local/synth';

const REGISTER = 'arn:aws:lambda:us-east-1:000000000000:function:RegisterWait';
const TWO_DAYS = 172_800;

/** Wait For Person (a token Task) → Done; a timeout goes to Timed Out, a declined invite to Declined. */
function machine(limits: Record<string, number> = { TimeoutSeconds: TWO_DAYS }): ExtractedMachine {
  return {
    definition: {
      StartAt: 'Wait For Person',
      States: {
        'Wait For Person': {
          Type: 'Task',
          Resource: WAIT_FOR_TASK_TOKEN,
          Parameters: { FunctionName: REGISTER, Payload: { 'leadId.$': '$.leadId', 'taskToken.$': '$$.Task.Token' } },
          ...limits,
          ResultPath: '$.answer',
          Catch: [
            { ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'Timed Out' },
            { ErrorEquals: ['InviteDeclined'], ResultPath: '$.declined', Next: 'Declined' },
          ],
          Next: 'Done',
        },
        'Timed Out': { Type: 'Pass', End: true },
        Declined: { Type: 'Pass', End: true },
        Done: { Type: 'Succeed' },
      },
    },
    taskEntries: {},
  };
}

/** The wait's function: records each payload (and so each token) and answers something the Task must ignore. */
function registrar() {
  const payloads: { leadId: string; taskToken: string }[] = [];
  const invoke = vi.fn<InvokeFunction>(async (_arn, payload) => {
    payloads.push(payload as { leadId: string; taskToken: string });
    return { registered: true };
  });
  /** The token of the `n`th call (1-based), once the function has been called that often. */
  const token = async (n = 1) => {
    await vi.waitFor(() => expect(payloads.length).toBeGreaterThanOrEqual(n), { timeout: 10_000 });
    return payloads[n - 1]?.taskToken as string;
  };
  return { invoke, payloads, token };
}

const types = (execution: LocalExecution) => execution.events.map((event) => event.type);
const outputOf = (execution: LocalExecution) => JSON.parse(execution.output ?? 'null') as Record<string, unknown>;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a .waitForTaskToken Task on the local Step Functions', () => {
  it('invokes the function with a fresh token and takes SendTaskSuccess output as its result', async () => {
    // Prepare
    const { invoke, payloads, token } = registrar();
    const sfn = new LocalStepFunctions({ machine: machine(), invoke, pauseMs: 30_000 });
    const execution = sfn.start('lead-1', '{"leadId":"l1"}');

    // Act
    sfn.taskTokens.succeed(await token(), { accepted: true });
    await execution.done;

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(outputOf(execution)).toEqual({ leadId: 'l1', answer: { accepted: true } });
    expect(invoke).toHaveBeenCalledWith(REGISTER, { leadId: 'l1', taskToken: payloads[0]?.taskToken }, 0);
    expect(payloads[0]?.taskToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(types(execution)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    const scheduled = execution.events.find((event) => event.type === 'TaskScheduled')?.taskScheduledEventDetails;
    expect(scheduled).toMatchObject({ resource: 'invoke.waitForTaskToken', timeoutInSeconds: TWO_DAYS });
    expect(JSON.parse(scheduled?.parameters ?? '{}')).toMatchObject({ Payload: { taskToken: payloads[0]?.taskToken } });
  });

  it('fails the Task with the SendTaskFailure error, which its Catch sees by name', async () => {
    // Prepare
    const { invoke, token } = registrar();
    const sfn = new LocalStepFunctions({ machine: machine(), invoke, pauseMs: 30_000 });
    const execution = sfn.start('lead-2', '{"leadId":"l2"}');

    // Act
    sfn.taskTokens.fail(await token(), 'InviteDeclined', 'the member declined');
    await execution.done;

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(outputOf(execution).declined).toEqual({ Error: 'InviteDeclined', Cause: 'the member declined' });
    const failed = execution.events.find((event) => event.type === 'TaskFailed')?.taskFailedEventDetails;
    expect(failed).toMatchObject({ error: 'InviteDeclined', cause: 'the member declined' });
    expect(types(execution)).toContain('PassStateEntered');
  });

  it('times out at once on the instant clock, moving the execution clock by TimeoutSeconds', async () => {
    // Prepare
    const { invoke, token } = registrar();
    const sfn = new LocalStepFunctions({ machine: machine(), invoke, pauseMs: 5 });

    // Act
    const execution = sfn.start('lead-3', '{"leadId":"l3"}');
    await execution.done;
    const late = async () => sfn.taskTokens.succeed(await token(), { accepted: true });

    // Assess
    expect(outputOf(execution).timeout).toMatchObject({ Error: 'States.Timeout' });
    expect((execution.stopDate ?? 0) - execution.startDate).toBeGreaterThanOrEqual(TWO_DAYS * 1000);
    expect(types(execution)).toContain('TaskTimedOut');
    await expect(late()).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  it('reads TimeoutSecondsPath in the state input, as AWS does, whatever the Parameters hold', async () => {
    // Prepare
    const { invoke, payloads } = registrar();
    const limits = { TimeoutSecondsPath: '$.waitFor.timeoutSeconds' } as unknown as Record<string, number>;
    const sfn = new LocalStepFunctions({ machine: machine(limits), invoke, pauseMs: 5 });

    // Act
    const execution = sfn.start('lead-3b', '{"leadId":"l3b","waitFor":{"timeoutSeconds":3600}}');
    await execution.done;

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(outputOf(execution).timeout).toMatchObject({ Error: 'States.Timeout' });
    const scheduled = execution.events.find((event) => event.type === 'TaskScheduled')?.taskScheduledEventDetails;
    expect(scheduled?.timeoutInSeconds).toBe(3600);
    expect((execution.stopDate ?? 0) - execution.startDate).toBeGreaterThanOrEqual(3_600_000);
    expect((execution.stopDate ?? 0) - execution.startDate).toBeLessThan(TWO_DAYS * 1000);
    expect(Object.keys(payloads[0] ?? {})).toEqual(['leadId', 'taskToken']);
  });

  it('times out after TimeoutSeconds / scale real seconds on the scaled clock', async () => {
    // Prepare: two hours at 36,000× are 200 ms.
    const { invoke } = registrar();
    const clock = new ScaledClock(36_000);
    clock.run();
    const sfn = new LocalStepFunctions({ machine: machine({ TimeoutSeconds: 7200 }), invoke, clock });
    const realStart = Date.now();

    // Act
    const execution = sfn.start('lead-4', '{"leadId":"l4"}');
    await execution.done;

    // Assess
    expect(outputOf(execution).timeout).toMatchObject({ Error: 'States.Timeout' });
    expect(Date.now() - realStart).toBeGreaterThanOrEqual(190);
    expect((execution.stopDate ?? 0) - execution.startDate).toBeGreaterThanOrEqual(7_200_000 * 0.95);
    const offset = invoke.mock.calls[0]?.[2] ?? 0;
    expect(offset).toBeGreaterThanOrEqual(0);
  });

  it('keeps waiting while heartbeats come within HeartbeatSeconds, and times out when they stop', async () => {
    // Prepare: an hour of heartbeat at 3,600× is one real second.
    const { invoke, token } = registrar();
    const clock = new ScaledClock(3600);
    clock.run();
    const limits = { TimeoutSeconds: TWO_DAYS, HeartbeatSeconds: 3600 };
    const sfn = new LocalStepFunctions({ machine: machine(limits), invoke, clock });
    const execution = sfn.start('lead-5', '{"leadId":"l5"}');
    const taskToken = await token();
    const realStart = Date.now();

    // Act: a heartbeat every 0.4 s for 1.6 s, then none.
    for (let beat = 0; beat < 4; beat++) {
      await new Promise((resolve) => setTimeout(resolve, 400));
      sfn.taskTokens.heartbeat(taskToken);
    }
    const statusAfterBeats = execution.status;
    await execution.done;

    // Assess
    expect(statusAfterBeats).toBe('RUNNING');
    expect(Date.now() - realStart).toBeGreaterThanOrEqual(1600 + 900);
    expect(outputOf(execution).timeout).toMatchObject({ Error: 'States.Timeout' });
    const timedOut = execution.events.find((event) => event.type === 'TaskTimedOut')?.taskTimedOutEventDetails;
    expect(timedOut?.cause).toMatch(/HeartbeatSeconds/);
  });

  it('answers TaskTimedOut to a token answered twice, and the second answer changes nothing', async () => {
    // Prepare
    const { invoke, token } = registrar();
    const sfn = new LocalStepFunctions({ machine: machine(), invoke, pauseMs: 30_000 });
    const execution = sfn.start('lead-6', '{"leadId":"l6"}');
    const taskToken = await token();
    sfn.taskTokens.succeed(taskToken, { first: true });

    // Act
    const again = () => sfn.taskTokens.succeed(taskToken, { second: true });
    const failure = () => sfn.taskTokens.fail(taskToken, 'InviteDeclined', 'late');
    const heartbeat = () => sfn.taskTokens.heartbeat(taskToken);

    // Assess
    expect(again).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    expect(failure).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    expect(heartbeat).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    await execution.done;
    expect(outputOf(execution).answer).toEqual({ first: true });
    expect(types(execution).filter((type) => type.startsWith('Task') && type !== 'TaskStateEntered')).toEqual([
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
  });

  it('ends a waiting execution ABORTED on StopExecution and closes its token', async () => {
    // Prepare
    const { invoke, token } = registrar();
    const sfn = new LocalStepFunctions({ machine: machine(), invoke, pauseMs: 30_000 });
    const execution = sfn.start('lead-7', '{"leadId":"l7"}');
    const taskToken = await token();

    // Act
    sfn.stop('lead-7', 'LeadReplied', 'the lead answered');
    await execution.done;

    // Assess
    expect(execution).toMatchObject({ status: 'ABORTED', error: 'LeadReplied', cause: 'the lead answered' });
    expect(types(execution).at(-1)).toBe('ExecutionAborted');
    expect(types(execution)).not.toContain('TaskTimedOut');
    expect(() => sfn.taskTokens.succeed(taskToken, {})).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    expect(invoke).toHaveBeenCalledTimes(1);
  });

  it('waits again under a new token when a restarted peer resumes the execution; the old token is closed', async () => {
    // Prepare: the first process is left waiting; a second one opens the same store (what a restart finds).
    const storeDir = mkdtempSync(path.join(tmpdir(), 'cascade-token-'));
    dirs.push(storeDir);
    const before = registrar();
    const crashed = new LocalStepFunctions({ machine: machine(), invoke: before.invoke, pauseMs: 30_000, storeDir });
    crashed.start('lead-8', '{"leadId":"l8"}');
    const oldToken = await before.token();
    const after = registrar();
    const restarted = new LocalStepFunctions({ machine: machine(), invoke: after.invoke, pauseMs: 30_000, storeDir });

    // Act
    const [resumed] = restarted.resumeInterrupted();
    const newToken = await after.token();
    const old = () => restarted.taskTokens.succeed(oldToken, { stale: true });
    const forged = () => restarted.taskTokens.succeed('not-a-token', {});
    restarted.taskTokens.succeed(newToken, { accepted: true });
    await resumed?.done;

    // Assess
    expect(newToken).not.toBe(oldToken);
    expect(old).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    expect(forged).toThrow(expect.objectContaining({ name: 'InvalidToken' }));
    expect(resumed?.status).toBe('SUCCEEDED');
    expect(outputOf(resumed as LocalExecution).answer).toEqual({ accepted: true });
    crashed.stop('lead-8');
  });
});
