import { describe, expect, it } from 'vitest';
import { type EventLog, historyEventsFor, waitMsOf } from '#local/stepfunctions/history';

const SEND = 'arn:aws:lambda:us-east-1:000000000000:function:SendEmail';
const STATES = {
  'Send Email': { Type: 'Task', Resource: SEND, End: true },
  'Wait Retry': { Type: 'Wait', SecondsPath: '$.outcome.retryAfterSeconds', Next: 'Send Email' },
};

const stateEvent = (type: string, name: string, stateType: string, input: unknown) =>
  ({ type, timestamp: 0, state: { name, type: stateType, input } }) as unknown as EventLog;

describe('waitMsOf', () => {
  it.each([
    ['fixed Seconds', { Type: 'Wait', Seconds: 30 }, {}, 30_000],
    ['a SecondsPath into the input', STATES['Wait Retry'], { outcome: { retryAfterSeconds: 90 } }, 90_000],
    ['a SecondsPath that finds nothing', STATES['Wait Retry'], {}, 0],
    ['zero seconds', { Type: 'Wait', Seconds: 0 }, {}, 0],
    ['a state that is not a Wait', STATES['Send Email'], {}, 0],
  ])('%s', (_case, state, input, expected) => {
    // Act
    const waitMs = waitMsOf(state, input);

    // Assess
    expect(waitMs).toBe(expected);
  });
});

describe('historyEventsFor', () => {
  it('enters a Task state and schedules its function with the state input', () => {
    // Prepare
    const entered = stateEvent('StateEntered', 'Send Email', 'Task', { leadId: 'l1' });

    // Act
    const events = historyEventsFor(entered, STATES);

    // Assess
    expect(events).toEqual([
      { type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Send Email', input: '{"leadId":"l1"}' } },
      {
        type: 'TaskScheduled',
        taskScheduledEventDetails: {
          resource: SEND,
          resourceType: 'lambda',
          region: 'us-east-1',
          parameters: '{"leadId":"l1"}',
        },
      },
    ]);
  });

  it('records a failed state as TaskFailed with its error and cause', () => {
    // Prepare
    const failed = {
      ...stateEvent('StateFailed', 'Send Email', 'Task', {}),
      Error: 'Lambda.Unknown',
      Cause: 'the sandbox exited',
    } as EventLog;

    // Act
    const events = historyEventsFor(failed, STATES);

    // Assess
    expect(events).toEqual([
      {
        type: 'TaskFailed',
        taskFailedEventDetails: {
          resource: 'Send Email',
          resourceType: 'lambda',
          error: 'Lambda.Unknown',
          cause: 'the sandbox exited',
        },
      },
    ]);
  });

  it('records nothing for interpreter events AWS does not show (a caught error)', () => {
    // Prepare
    const caught = stateEvent('StateCaught', 'Send Email', 'Task', {});

    // Act
    const events = historyEventsFor(caught, STATES);

    // Assess
    expect(events).toEqual([]);
  });
});
