import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type AuthorizingProxy, startAuthorizingProxy } from '#local/authorizing-proxy';
import { IamAuthorizer } from '#local/iam';
import { LocalStepFunctions } from '#local/stepfunctions/executions';
import { startStepFunctionsServer } from '#local/stepfunctions/peer';
import { WAIT_FOR_TASK_TOKEN } from '#local/stepfunctions/wait-for-token';
import { implicitDenialMessage, LOCAL_ACCOUNT as names, PeerClients, roleGranting } from '#test/support/local-peers';

const REGISTER = 'arn:aws:lambda:us-east-1:000000000000:function:RegisterWait';
const STATE_MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:CascadeOutreach';

const MACHINE = {
  definition: {
    StartAt: 'Wait For Person',
    States: {
      'Wait For Person': {
        Type: 'Task',
        Resource: WAIT_FOR_TASK_TOKEN,
        Parameters: { FunctionName: REGISTER, Payload: { 'taskToken.$': '$$.Task.Token' } },
        TimeoutSeconds: 3600,
        ResultPath: '$.answer',
        End: true,
      },
    },
  },
  taskEntries: {},
};

/**
 * The webhook's role may answer tasks (SendTask* take no resource type: a `*` grant); the report role may
 * only start executions.
 */
const authorizer = new IamAuthorizer({
  ...names,
  roles: {
    WebhookRole: roleGranting('WebhookRole', {
      Effect: 'Allow',
      Action: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      Resource: '*',
    }),
    ReportRole: roleGranting('ReportRole', {
      Effect: 'Allow',
      Action: 'states:StartExecution',
      Resource: STATE_MACHINE,
    }),
  },
  adminAccessKeys: ['admin'],
});

const tokens: string[] = [];
const sfn = new LocalStepFunctions({
  machine: MACHINE,
  invoke: async (_arn, payload) => {
    tokens.push((payload as { taskToken: string }).taskToken);
    return {};
  },
  pauseMs: 30_000,
});
let server: Awaited<ReturnType<typeof startStepFunctionsServer>>;
let proxy: AuthorizingProxy;
const clients = new PeerClients();
const client = (accessKeyId = 'admin') => clients.make(SFNClient, proxy.endpoint, accessKeyId);

/** Starts an execution through the API and returns its ARN and the token its Task waits on. */
async function waitingExecution(name: string): Promise<{ executionArn: string; taskToken: string }> {
  const known = tokens.length;
  const { executionArn } = await client().send(
    new StartExecutionCommand({ stateMachineArn: STATE_MACHINE, name, input: '{}' }),
  );
  await vi.waitFor(() => expect(tokens.length).toBe(known + 1));
  return { executionArn: executionArn as string, taskToken: tokens[known] as string };
}

beforeAll(async () => {
  server = await startStepFunctionsServer(sfn);
  proxy = await startAuthorizingProxy({ target: server.endpoint, service: 'states', authorizer, names });
});

afterAll(async () => {
  for (const execution of sfn.list()) sfn.stop(execution.name);
  await sfn.drain();
  clients.destroyAll();
  await proxy?.close();
  await server?.close();
});

describe('SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat on the Step Functions peer', () => {
  it('resumes the waiting execution with the output a granted caller sends, once', async () => {
    // Prepare
    const { executionArn, taskToken } = await waitingExecution('api-1');
    const webhook = client('WebhookRole');
    await webhook.send(new SendTaskHeartbeatCommand({ taskToken }));

    // Act
    await webhook.send(new SendTaskSuccessCommand({ taskToken, output: '{"accepted":true}' }));
    await sfn.get(executionArn)?.done;
    const again = webhook.send(new SendTaskSuccessCommand({ taskToken, output: '{"accepted":false}' }));

    // Assess
    await expect(again).rejects.toMatchObject({ name: 'TaskTimedOut' });
    const described = await client().send(new DescribeExecutionCommand({ executionArn }));
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '{}')).toEqual({ answer: { accepted: true } });
    const history = await client().send(new GetExecutionHistoryCommand({ executionArn }));
    expect(history.events?.map((event) => event.type)).toContain('TaskSucceeded');
  });

  it('refuses what AWS refuses: output that is not JSON, a token it never issued, no token', async () => {
    // Prepare
    const { taskToken } = await waitingExecution('api-2');
    const admin = client();

    // Act
    const refusal = (sent: Promise<unknown>) =>
      sent.then(
        () => 'accepted',
        (error: Error) => error.name,
      );
    const notJson = await refusal(admin.send(new SendTaskSuccessCommand({ taskToken, output: 'yes' })));
    const tooLong = await refusal(
      admin.send(new SendTaskSuccessCommand({ taskToken, output: `"${'x'.repeat(262_144)}"` })),
    );
    const forged = await refusal(admin.send(new SendTaskFailureCommand({ taskToken: 'forged', error: 'X' })));
    const missing = await refusal(admin.send(new SendTaskHeartbeatCommand({} as never)));

    // Assess
    expect([notJson, tooLong, forged, missing]).toEqual([
      'InvalidOutput',
      'ValidationException',
      'InvalidToken',
      'ValidationException',
    ]);
    expect(sfn.get('api-2')?.status).toBe('RUNNING');
  });

  it('denies a caller whose role is not granted states:SendTaskSuccess', async () => {
    // Prepare
    const { taskToken } = await waitingExecution('api-3');

    // Act
    const denied = client('ReportRole').send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));

    // Assess
    await expect(denied).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: implicitDenialMessage('ReportRole', 'states:SendTaskSuccess', '*'),
    });
    expect(sfn.get('api-3')?.status).toBe('RUNNING');
  });
});
