import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type InvokeFunction, LocalStepFunctions } from '#local/stepfunctions/executions';
import type { ExtractedMachine } from '#local/synth';

const WORK = 'arn:aws:lambda:us-east-1:000000000000:function:Work';

/** Work → Wait an hour → Work again → done; a `fail` input ends in the Fail state instead. */
function machine(timeoutSeconds?: number): ExtractedMachine {
  return {
    definition: {
      StartAt: 'Route',
      ...(timeoutSeconds && { TimeoutSeconds: timeoutSeconds }),
      States: {
        Route: { Type: 'Choice', Choices: [{ Variable: '$.fail', IsPresent: true, Next: 'Give Up' }], Default: 'Work' },
        Work: { Type: 'Task', Resource: WORK, ResultPath: '$.work', Next: 'Wait An Hour' },
        'Wait An Hour': { Type: 'Wait', Seconds: 3600, Next: 'Work Again' },
        'Work Again': { Type: 'Task', Resource: WORK, ResultPath: '$.again', End: true },
        'Give Up': { Type: 'Fail', Error: 'AllChannelsExhausted', Cause: 'no channel left' },
      },
    },
    taskEntries: {},
  };
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('LocalStepFunctions', () => {
  it('runs each Task through invoke at the execution clock, a Wait moving that clock by its full length', async () => {
    // Prepare
    const invoke = vi.fn<InvokeFunction>(async (_arn, _payload, clockOffsetMs) => ({ clockOffsetMs }));
    const sfn = new LocalStepFunctions({ machine: machine(), invoke, pauseMs: 1 });

    // Act
    const execution = sfn.start('lead-1', '{"leadId":"l1"}');
    await execution.done;

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(invoke.mock.calls.map(([arn, , offset]) => [arn, offset])).toEqual([
      [WORK, 0],
      [WORK, 3_600_000],
    ]);
    expect(JSON.parse(execution.output ?? '{}')).toMatchObject({ leadId: 'l1', again: { clockOffsetMs: 3_600_000 } });
    expect((execution.stopDate ?? 0) - execution.startDate).toBeGreaterThanOrEqual(3_600_000);
    expect(execution.events.map((event) => event.id)).toEqual(execution.events.map((_event, index) => index + 1));
    expect(execution.events.at(-1)?.type).toBe('ExecutionSucceeded');
  });

  it('ends FAILED with the Fail state error and cause', async () => {
    // Prepare
    const sfn = new LocalStepFunctions({ machine: machine(), invoke: async () => ({}), pauseMs: 1 });

    // Act
    const execution = sfn.start('lead-2', '{"fail":true}');
    await execution.done;

    // Assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'AllChannelsExhausted', cause: 'no channel left' });
  });

  it('ends TIMED_OUT when the virtual clock passes TimeoutSeconds, however few real milliseconds went by', async () => {
    // Prepare
    const sfn = new LocalStepFunctions({ machine: machine(1800), invoke: async () => ({}), pauseMs: 1 });

    // Act
    const execution = sfn.start('lead-3', '{}');
    await execution.done;

    // Assess
    expect(execution).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
  });

  it('stops a running execution as ABORTED with the error and cause StopExecution gave', async () => {
    // Prepare
    let release: () => void = () => undefined;
    const invoke = () => new Promise<unknown>((resolve) => (release = () => resolve({})));
    const sfn = new LocalStepFunctions({ machine: machine(), invoke, pauseMs: 1 });
    const execution = sfn.start('lead-4', '{}');
    await vi.waitFor(() => expect(execution.events.some((event) => event.type === 'TaskScheduled')).toBe(true));

    // Act
    sfn.stop('lead-4', 'Operator', 'paused by hand');
    release();
    await execution.done;

    // Assess
    expect(execution).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'paused by hand' });
  });

  it('treats a reused name as StartExecution does: the same running execution, or ExecutionAlreadyExists', async () => {
    // Prepare
    const sfn = new LocalStepFunctions({ machine: machine(), invoke: async () => ({}), pauseMs: 1 });
    const first = sfn.start('lead-5', '{"a":1}');

    // Act
    const again = sfn.start('lead-5', '{"a":1}');
    const other = () => sfn.start('lead-5', '{"a":2}');

    // Assess
    expect(again).toBe(first);
    expect(other).toThrow(expect.objectContaining({ code: 'ExecutionAlreadyExists' }));
    await sfn.drain();
  });

  it('keeps executions in its store directory, where a new instance finds them ended', async () => {
    // Prepare
    const storeDir = mkdtempSync(path.join(tmpdir(), 'cascade-sfn-'));
    dirs.push(storeDir);
    const sfn = new LocalStepFunctions({ machine: machine(), invoke: async () => ({}), pauseMs: 1, storeDir });
    await sfn.start('lead-6', '{}').done;

    // Act
    const reopened = new LocalStepFunctions({ machine: machine(), invoke: async () => ({}), storeDir });

    // Assess
    expect(readdirSync(storeDir)).toEqual(['lead-6.json']);
    expect(reopened.get('lead-6')).toMatchObject({ status: 'SUCCEEDED', name: 'lead-6' });
    expect(reopened.resumeInterrupted()).toEqual([]);
  });
});
