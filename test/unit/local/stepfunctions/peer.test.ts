import { describe, expect, it } from 'vitest';
import { LocalStepFunctions } from '#local/stepfunctions/executions';
import { handleSfnOperation } from '#local/stepfunctions/peer';

const MACHINE = {
  definition: { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } },
  taskEntries: {},
};

function peer(): LocalStepFunctions {
  return new LocalStepFunctions({ machine: MACHINE, invoke: async () => ({}), pauseMs: 1 });
}

describe('handleSfnOperation', () => {
  it('pages ListExecutions by nextToken', async () => {
    // Prepare
    const sfn = peer();
    for (const name of ['a', 'b', 'c']) sfn.start(name, '{}');
    await sfn.drain();
    const list = (nextToken?: string) =>
      handleSfnOperation(sfn, 'ListExecutions', { stateMachineArn: sfn.stateMachineArn, maxResults: 2, nextToken }) as {
        executions: { name: string }[];
        nextToken?: string;
      };

    // Act
    const first = list();
    const second = list(first.nextToken);

    // Assess
    expect(first.executions.map((execution) => execution.name)).toEqual(['a', 'b']);
    expect(first.nextToken).toBe('2');
    expect(second.executions.map((execution) => execution.name)).toEqual(['c']);
    expect(second.nextToken).toBeUndefined();
  });

  it.each([
    ['an operation it does not know', 'CreateStateMachine', {}, 'UnknownOperationException'],
    ['an Object.prototype name', 'toString', {}, 'UnknownOperationException'],
    ['another state machine', 'StartExecution', { stateMachineArn: 'arn:aws:states:x' }, 'StateMachineDoesNotExist'],
    ['an execution that does not exist', 'DescribeExecution', { executionArn: 'nope' }, 'ExecutionDoesNotExist'],
  ])('refuses %s', (_case, operation, body, type) => {
    // Prepare
    const sfn = peer();

    // Act
    const call = () => handleSfnOperation(sfn, operation, body);

    // Assess
    expect(call).toThrow(expect.objectContaining({ code: type }));
  });
});
