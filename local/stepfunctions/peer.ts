import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { HttpProblem } from '#shared/errors';
import { listenOnLoopback } from '../loopback';
import type { LocalExecution, LocalStepFunctions } from './executions';
import { InvalidToken, TaskDoesNotExist, TaskTimedOut } from './task-tokens';

/*
 * The AWS Step Functions JSON 1.0 protocol (`X-Amz-Target: AWSStepFunctions.<Operation>`), so the real
 * SFNClient (AWS_ENDPOINT_URL_SFN) and a stock AWS CLI talk to the local Step Functions.
 */

type Body = Record<string, unknown>;
type Operation = (sfn: LocalStepFunctions, body: Body) => unknown;

/** A refusal in Step Functions' wire shape: the AWS error type as `code`. */
class ServiceError extends HttpProblem {
  override name = 'ServiceError';
  constructor(type: string, message: string, status = 400) {
    super(status, type, message);
  }
}

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

function requireStateMachine(sfn: LocalStepFunctions, body: Body): void {
  if (body.stateMachineArn !== sfn.stateMachineArn) {
    throw new ServiceError(
      'StateMachineDoesNotExist',
      `State Machine Does Not Exist: '${String(body.stateMachineArn)}'`,
    );
  }
}

function requireExecution(execution: LocalExecution | undefined, body: Body): LocalExecution {
  if (!execution)
    throw new ServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(body.executionArn)}'`);
  return execution;
}

/** One page of a list: `nextToken` is the offset of the next item; `maxResults` is capped at 1,000. */
function page<T>(items: T[], body: Body, defaultSize: number): { items: T[]; nextToken?: string } {
  const start = Number(body.nextToken ?? 0);
  const size = Math.min(Number(body.maxResults ?? defaultSize) || defaultSize, 1000);
  return {
    items: items.slice(start, start + size),
    ...(start + size < items.length && { nextToken: String(start + size) }),
  };
}

const startExecution: Operation = (sfn, body) => {
  requireStateMachine(sfn, body);
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
};

const describeExecution: Operation = (sfn, body) => {
  const execution = requireExecution(sfn.get(String(body.executionArn ?? '')), body);
  return {
    ...toWireExecution(execution),
    input: execution.input,
    ...(execution.output !== undefined && { output: execution.output }),
    ...(execution.error !== undefined && { error: execution.error, cause: execution.cause }),
  };
};

const getExecutionHistory: Operation = (sfn, body) => {
  const execution = requireExecution(sfn.get(String(body.executionArn ?? '')), body);
  const events = body.reverseOrder ? [...execution.events].reverse() : execution.events;
  const { items, nextToken } = page(events, body, 1000);
  return {
    events: items.map((event) => ({ ...event, timestamp: event.timestamp / 1000 })),
    ...(nextToken && { nextToken }),
  };
};

const listExecutions: Operation = (sfn, body) => {
  requireStateMachine(sfn, body);
  const all = sfn.list().filter((execution) => !body.statusFilter || execution.status === body.statusFilter);
  const { items, nextToken } = page(all, body, 100);
  return { executions: items.map(toWireExecution), ...(nextToken && { nextToken }) };
};

const stopExecution: Operation = (sfn, body) => {
  const execution = sfn.stop(
    String(body.executionArn ?? ''),
    body.error as string | undefined,
    body.cause as string | undefined,
  );
  requireExecution(execution, body);
  return { stopDate: Date.now() / 1000 };
};

/** What the API's model constrains, refused as AWS refuses it (a ValidationException naming the member). */
function requireText(body: Body, member: string, maxLength: number, required = true): string | undefined {
  const value = body[member];
  if (value === undefined || value === null) {
    if (!required) return undefined;
    throw new ServiceError(
      'ValidationException',
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  const text = String(value);
  if (text.length < (required ? 1 : 0) || text.length > maxLength) {
    throw new ServiceError(
      'ValidationException',
      `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length between ${required ? 1 : 0} and ${maxLength}`,
    );
  }
  return text;
}

/** The token errors of SendTaskSuccess/Failure/Heartbeat in the wire shape (the error's name is the AWS type). */
function answeringTask(answer: () => void): Record<string, never> {
  try {
    answer();
    return {};
  } catch (error) {
    if (error instanceof InvalidToken || error instanceof TaskDoesNotExist || error instanceof TaskTimedOut)
      throw new ServiceError(error.name, error.message);
    throw error;
  }
}

/** Task outputs are JSON of at most 256 KiB (the API's `output` constraint). */
const MAX_TASK_OUTPUT = 262_144;

const sendTaskSuccess: Operation = (sfn, body) => {
  const token = requireText(body, 'taskToken', 2048) as string;
  const output = requireText(body, 'output', MAX_TASK_OUTPUT) as string;
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    throw new ServiceError('InvalidOutput', 'Invalid Output: the output is not valid JSON');
  }
  return answeringTask(() => sfn.taskTokens.succeed(token, parsed));
};

const sendTaskFailure: Operation = (sfn, body) => {
  const token = requireText(body, 'taskToken', 2048) as string;
  const error = requireText(body, 'error', 256, false) ?? '';
  const cause = requireText(body, 'cause', 32_768, false) ?? '';
  return answeringTask(() => sfn.taskTokens.fail(token, error, cause));
};

const sendTaskHeartbeat: Operation = (sfn, body) => {
  const token = requireText(body, 'taskToken', 2048) as string;
  return answeringTask(() => sfn.taskTokens.heartbeat(token));
};

const stateMachineName = (sfn: LocalStepFunctions) => sfn.stateMachineArn.split(':').pop();

const OPERATIONS = new Map<string, Operation>([
  ['StartExecution', startExecution],
  ['DescribeExecution', describeExecution],
  ['GetExecutionHistory', getExecutionHistory],
  ['ListExecutions', listExecutions],
  ['StopExecution', stopExecution],
  ['SendTaskSuccess', sendTaskSuccess],
  ['SendTaskFailure', sendTaskFailure],
  ['SendTaskHeartbeat', sendTaskHeartbeat],
  [
    'ListStateMachines',
    (sfn) => ({
      stateMachines: [
        { stateMachineArn: sfn.stateMachineArn, name: stateMachineName(sfn), type: 'STANDARD', creationDate: 0 },
      ],
    }),
  ],
  [
    'DescribeStateMachine',
    (sfn) => ({
      stateMachineArn: sfn.stateMachineArn,
      name: stateMachineName(sfn),
      status: 'ACTIVE',
      type: 'STANDARD',
      definition: JSON.stringify(sfn.definition),
      roleArn: 'arn:aws:iam::000000000000:role/local',
      creationDate: 0,
    }),
  ],
]);

export function handleSfnOperation(sfn: LocalStepFunctions, operation: string, body: Body): unknown {
  const handle = OPERATIONS.get(operation);
  if (!handle) {
    throw new ServiceError(
      'UnknownOperationException',
      `${operation} is not supported by the local Step Functions peer`,
    );
  }
  return handle(sfn, body);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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
      const body = JSON.parse((await readBody(request)) || '{}') as Body;
      response.end(JSON.stringify(handleSfnOperation(sfn, operation, body)));
    } catch (error) {
      const serviceError =
        error instanceof ServiceError ? error : new ServiceError('InternalFailure', (error as Error).message, 500);
      response.statusCode = serviceError.status;
      response.setHeader('x-amzn-errortype', serviceError.code);
      response.end(JSON.stringify({ __type: serviceError.code, message: serviceError.message }));
    }
  });
  const bound = await listenOnLoopback(server, port);
  return {
    endpoint: `http://127.0.0.1:${bound}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
