import type { AuthorizationRequest } from '../iam';
import { taskTokenStateMachine } from '../stepfunctions/task-tokens';
import { type AccountNames, type ArnOf, type Json, text, type WireRequest } from './wire';

/**
 * The JSON-protocol services (`X-Amz-Target: <Service>.<Operation>`): DynamoDB, Step Functions, SSM and
 * EventBridge, each request's resources read from its body.
 */

/** `X-Amz-Target: DynamoDB_20120810.PutItem` → `PutItem` (JSON 1.0 and 1.1 protocols). */
export function targetOperation(headers: WireRequest['headers']): string {
  const key = Object.keys(headers).find((name) => name.toLowerCase() === 'x-amz-target');
  const raw = key === undefined ? undefined : headers[key];
  const target = (Array.isArray(raw) ? raw[0] : raw) ?? '';
  return target.slice(target.lastIndexOf('.') + 1) || 'UnknownOperation';
}

// ---- DynamoDB ---------------------------------------------------------------------------------------------------

/** Transactions are authorized as the item actions they are made of (there is no TransactWriteItems action). */
const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

export function describeDynamo(operation: string, body: Json, arn: ArnOf): AuthorizationRequest[] {
  const table = (name: unknown) => {
    const given = text(name);
    if (!given) return '*';
    return given.startsWith('arn:') ? given : arn(`table/${given}`);
  };
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    const tables = Object.keys((body.RequestItems as Json | undefined) ?? {});
    return (tables.length ? tables : ['']).map((name) => ({
      action: `dynamodb:${operation}`,
      resources: [table(name)],
    }));
  }
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    const items = Array.isArray(body.TransactItems) ? (body.TransactItems as Json[]) : [];
    return items.flatMap((item) =>
      Object.entries(item)
        .filter(([kind]) => Object.hasOwn(TRANSACT_ACTIONS, kind))
        .map(([kind, spec]) => ({
          action: `dynamodb:${TRANSACT_ACTIONS[kind]}`,
          resources: [table((spec as Json | undefined)?.TableName)],
        })),
    );
  }
  // A Query or Scan of an index is authorized on the index's ARN alone (a grant on the table does not cover it).
  const index = text(body.IndexName);
  const named = text(body.ResourceArn) ?? text(body.TableName);
  const resource = named && index ? `${table(named)}/index/${index}` : table(named);
  return [{ action: `dynamodb:${operation}`, resources: [resource] }];
}

// ---- Step Functions -------------------------------------------------------------------------------------------------

export function describeStates(operation: string, body: Json, arn: ArnOf): AuthorizationRequest[] {
  if (TASK_RESPONSES.has(operation)) return [taskResponse(operation, body)];
  return [{ action: `states:${operation}`, resources: [statesResource(operation, body, arn)] }];
}

/** The operations that answer a `.waitForTaskToken` Task. */
const TASK_RESPONSES = new Set(['SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat']);

/**
 * The Service Authorization Reference lists no resource type for SendTask* (a `Resource: "*"` grant), which is
 * what the IAM simulator enforces; AWS has also been seen to authorize them on the state machine the token
 * belongs to (what CDK's `grantTaskResponse` grants, and what its denials name). Either is accepted here: `*`
 * first, then the token's state machine (which the simulator refuses today: only a `*` grant passes locally).
 */
function taskResponse(operation: string, body: Json): AuthorizationRequest {
  const stateMachine = taskTokenStateMachine(text(body.taskToken) ?? '');
  return {
    action: `states:${operation}`,
    resources: [],
    anyOf: stateMachine ? [['*'], [stateMachine]] : [['*']],
  };
}

function statesResource(operation: string, body: Json, arn: ArnOf): string {
  const named =
    text(body.stateMachineArn) ??
    text(body.executionArn) ??
    text(body.mapRunArn) ??
    text(body.activityArn) ??
    text(body.resourceArn);
  if (named) return named;
  if (operation === 'CreateStateMachine' && text(body.name)) return arn(`stateMachine:${body.name}`);
  if (operation === 'CreateActivity' && text(body.name)) return arn(`activity:${body.name}`);
  return '*';
}

// ---- SSM ------------------------------------------------------------------------------------------------------------

/**
 * `/cascade/x` and `cascade/x` are both `parameter/cascade/x`; a `:version` or `:label` selector is not part of it
 * (names cannot hold `:`); a name given as an ARN is its own resource.
 */
export function parameterArn(name: string, names: AccountNames): string {
  if (name.startsWith('arn:')) return name;
  const bare = name.replace(/:.*$/, '').replace(/^\//, '');
  return `arn:aws:ssm:${names.region}:${names.accountId}:parameter/${bare}`;
}

export function describeSsm(operation: string, body: Json, names: AccountNames): AuthorizationRequest[] {
  const action = `ssm:${operation}`;
  const parameter = (name: unknown) => {
    const given = text(name);
    return given ? parameterArn(given, names) : '*';
  };
  if (operation === 'GetParameters' || operation === 'DeleteParameters') {
    const listed = Array.isArray(body.Names) ? body.Names : [];
    return (listed.length ? listed : ['']).map((name) => ({ action, resources: [parameter(name)] }));
  }
  if (operation === 'GetParametersByPath') return [{ action, resources: [parameter(body.Path)] }];
  if (operation === 'DescribeParameters') return [{ action, resources: ['*'] }];
  return [{ action, resources: [parameter(body.Name)] }];
}

// ---- EventBridge ----------------------------------------------------------------------------------------------------

export function describeEvents(operation: string, body: Json, arn: ArnOf): AuthorizationRequest[] {
  const bus = (name: unknown) => {
    const given = text(name) ?? 'default';
    return given.startsWith('arn:') ? given : arn(`event-bus/${given}`);
  };
  if (operation === 'PutEvents') {
    const entries = Array.isArray(body.Entries) ? (body.Entries as Json[]) : [{}];
    const buses = [...new Set(entries.map((entry) => bus(entry.EventBusName)))];
    return buses.map((resource) => ({ action: 'events:PutEvents', resources: [resource] }));
  }
  const rule = text(body.Rule) ?? text(body.Name);
  if (rule && /Rule|Targets/.test(operation)) {
    const onBus = text(body.EventBusName);
    const path = onBus && onBus !== 'default' ? `rule/${onBus}/${rule}` : `rule/${rule}`;
    return [{ action: `events:${operation}`, resources: [arn(path)] }];
  }
  return [{ action: `events:${operation}`, resources: [text(body.EventBusName) ? bus(body.EventBusName) : '*'] }];
}
