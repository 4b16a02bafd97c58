import { describe, expect, it } from 'vitest';
import { describeRequest } from '#local/aws-requests/describe';
import { decodeTaskToken, encodeTaskToken, TaskTokens } from '#local/stepfunctions/task-tokens';

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:CascadeOutreach';
const NAMES = { accountId: '000000000000', region: 'us-east-1' };

const sendTask = (operation: string, body: object) =>
  describeRequest(
    'states',
    {
      method: 'POST',
      path: '/',
      headers: { 'x-amz-target': `AWSStepFunctions.${operation}` },
      body: Buffer.from(JSON.stringify(body)),
    },
    NAMES,
  );

describe('task tokens', () => {
  it('are unique per issue and name their state machine and execution', () => {
    // Act
    const first = encodeTaskToken(MACHINE, 'lead-1', 'Wait For Person');
    const second = encodeTaskToken(MACHINE, 'lead-1', 'Wait For Person');

    // Assess
    expect(first).not.toBe(second);
    expect(decodeTaskToken(first)).toMatchObject({ sm: MACHINE, ex: 'lead-1', st: 'Wait For Person' });
    expect(decodeTaskToken('garbage')).toBeUndefined();
  });

  it('answer TaskTimedOut once closed, TaskDoesNotExist for an unknown execution, InvalidToken otherwise', () => {
    // Prepare
    const tokens = new TaskTokens(MACHINE, (name) => name === 'lead-1');
    const task = tokens.issue('lead-1', 'Wait For Person', () => 0);
    tokens.succeed(task.token, { ok: true });

    // Act
    const twice = () => tokens.succeed(task.token, {});
    const stranger = () => tokens.heartbeat(encodeTaskToken(MACHINE, 'lead-9', 'Wait For Person'));
    const otherMachine = () => tokens.fail(encodeTaskToken(`${MACHINE}2`, 'lead-1', 'X'), 'E', 'c');

    // Assess
    expect(task.answer).toEqual({ output: { ok: true } });
    expect(twice).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
    expect(stranger).toThrow(expect.objectContaining({ name: 'TaskDoesNotExist' }));
    expect(otherMachine).toThrow(expect.objectContaining({ name: 'InvalidToken' }));
  });

  it.each(['SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat'])('authorize %s as states:%s', (operation) => {
    // Prepare
    const token = encodeTaskToken(MACHINE, 'lead-1', 'Wait For Person');

    // Act
    const [request] = sendTask(operation, { taskToken: token, output: '{}' });

    // Assess
    expect(request).toEqual({ action: `states:${operation}`, resources: [], anyOf: [['*'], [MACHINE]] });
  });
});
