import * as path from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_EXECUTIONS_DIR } from '#local/stack';
import { LocalStepFunctions } from '#local/stepfunctions/executions';
import { startStepFunctionsServer } from '#local/stepfunctions/peer';
import { extractStateMachine, synthesizeTemplate } from '#local/synth';
import { CodedError } from '#shared/errors';
import { fetchExecution, type ParkedRun, parkedRun } from '#shared/outreach/audit';
import { ApiClient } from './api-client';

export class AuditError extends CodedError('AuditError', 'audit_failed', 'invalid') {}

function compact(json: string | undefined, full: boolean): string {
  if (!json) return '';
  return full || json.length <= 160 ? json : `${json.slice(0, 157)}...`;
}

/** The states one run went through, with (virtual) times, inputs and outputs, from GetExecutionHistory. */
export async function auditExecution(
  client: SFNClient,
  executionArn: string,
  options: { full?: boolean } = {},
): Promise<string[]> {
  const full = options.full ?? false;
  const { described, events } = await fetchExecution(client, executionArn);
  const lines = [
    `${described.name}  ${described.status}  ${described.startDate?.toISOString()} → ${described.stopDate?.toISOString() ?? '…'}`,
  ];
  let enteredInput: Record<string, unknown> = {};
  for (const event of events) {
    const time = event.timestamp?.toISOString() ?? '';
    if (event.stateEnteredEventDetails) {
      lines.push(`${time}  ▶ ${event.stateEnteredEventDetails.name}`);
      enteredInput = JSON.parse(event.stateEnteredEventDetails.input ?? '{}') as Record<string, unknown>;
      if (full) lines.push(`      in:  ${event.stateEnteredEventDetails.input}`);
    } else if (event.stateExitedEventDetails) {
      if (full) {
        lines.push(`      out: ${event.stateExitedEventDetails.output}`);
        continue;
      }
      // Show what the state changed: a Task's result, a Pass state's cursor.
      const output = JSON.parse(event.stateExitedEventDetails.output ?? 'null') as Record<string, unknown> | null;
      for (const field of ['result', 'cursor'] as const) {
        const after = output?.[field];
        const taskResult = field === 'result' && event.type === 'TaskStateExited';
        if (after !== undefined && (taskResult || JSON.stringify(after) !== JSON.stringify(enteredInput[field]))) {
          const shown = field === 'cursor' ? { ...(after as Record<string, unknown>), step: undefined } : after;
          lines.push(`      ${field}: ${compact(JSON.stringify(shown), false)}`);
        }
      }
      if (output && !('cursor' in output)) lines.push(`      output: ${compact(JSON.stringify(output), false)}`);
    } else if (event.taskFailedEventDetails) {
      lines.push(
        `${time}  ✗ ${event.taskFailedEventDetails.error}: ${compact(event.taskFailedEventDetails.cause, full)}`,
      );
    }
  }
  if (described.error) lines.push(`failed: ${described.error}${described.cause ? ` (${described.cause})` : ''}`);
  if (described.output) lines.push(`output: ${compact(described.output, full)}`);
  const parsed = (text?: string) => (text ? (JSON.parse(text) as unknown) : undefined);
  const parked = parkedRun(parsed(described.input), parsed(described.output));
  if (parked) lines.push(parkedLine(parked));
  return lines;
}

/** The lead waits for an operator: why, and what settles it. */
function parkedLine(parked: ParkedRun): string {
  return `parked: ${parked.reason}${parked.channel ? ` on ${parked.channel}` : ''} — ${parked.next}`;
}

/**
 * `cascade audit <name>`: against AWS when CASCADE_STATE_MACHINE_ARN is set (credentials and region from
 * the usual chain), else against the executions the last local run kept, served by the local peer.
 */
export async function runAudit(
  executionName: string,
  options: { stateMachineArn?: string; full?: boolean; api?: string; token?: string; data?: string },
): Promise<string[]> {
  const stateMachineArn = options.stateMachineArn ?? process.env.CASCADE_STATE_MACHINE_ARN;
  if (stateMachineArn) {
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    return auditExecution(new SFNClient({}), executionArn, options);
  }
  const apiUrl = options.data ? options.api : (options.api ?? process.env.CASCADE_API_URL);
  if (apiUrl) return auditThroughApi(executionName, apiUrl, options);
  const storeDir = options.data ? path.join(path.resolve(options.data), 'executions') : LOCAL_EXECUTIONS_DIR;
  const local = new LocalStepFunctions({
    machine: extractStateMachine(synthesizeTemplate()),
    // Reads kept histories only: nothing is run.
    invoke: () => Promise.reject(new Error('cascade audit runs no executions')),
    storeDir,
  });
  if (!local.get(executionName)) {
    throw new AuditError(
      `no execution named ${executionName} (local runs kept in ${storeDir}; set CASCADE_STATE_MACHINE_ARN for AWS, or --api for a running cascade serve)`,
    );
  }
  const server = await startStepFunctionsServer(local);
  try {
    const client = new SFNClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    return await auditExecution(client, local.arnFor(executionName), options);
  } finally {
    await server.close();
  }
}

/** `cascade audit --api URL <name>`: the operator API's audit route (`GET /v1/executions/{name}`), printed as above. */
async function auditThroughApi(
  executionName: string,
  apiUrl: string,
  options: { full?: boolean; token?: string },
): Promise<string[]> {
  const client = new ApiClient({ baseUrl: apiUrl, token: options.token ?? process.env.CASCADE_API_TOKEN });
  const run = await client.get<ApiAudit>(`/executions/${encodeURIComponent(executionName)}`);
  const full = options.full ?? false;
  const json = (value: unknown) => (value === undefined ? undefined : JSON.stringify(value));
  const lines = [`${run.name}  ${run.status}  ${run.startDate ?? ''} → ${run.stopDate ?? '…'}`];
  for (const state of run.states ?? []) {
    lines.push(`${state.enteredAt ?? ''}  ▶ ${state.name}`);
    if (full) {
      lines.push(`      in:  ${json(state.input) ?? ''}`);
      lines.push(`      out: ${json(state.output) ?? ''}`);
    } else if (state.type === 'Task' && taskResult(state.output) !== undefined) {
      lines.push(`      result: ${compact(json(taskResult(state.output)), false)}`);
    }
    if (state.error) lines.push(`      ✗ ${state.error}: ${compact(state.cause, full)}`);
  }
  if (run.error) lines.push(`failed: ${run.error}${run.cause ? ` (${run.cause})` : ''}`);
  if (run.output !== undefined) lines.push(`output: ${compact(json(run.output), full)}`);
  if (run.parked) lines.push(parkedLine(run.parked));
  return lines;
}

/** `GET /v1/executions/{name}` (ExecutionAudit in the OpenAPI document). */
interface ApiAudit {
  name: string;
  status: string;
  startDate?: string;
  stopDate?: string;
  output?: unknown;
  error?: string;
  cause?: string;
  parked?: ParkedRun;
  states?: {
    name: string;
    type: string;
    enteredAt?: string;
    input?: unknown;
    output?: unknown;
    error?: string;
    cause?: string;
  }[];
}

/** What a Task answered: a channel service's result (inside the cursor it routes), or another Task's `result`. */
function taskResult(output: unknown): unknown {
  if (!output || typeof output !== 'object') return undefined;
  const { cursor, result } = output as { cursor?: { result?: unknown }; result?: unknown };
  return cursor?.result ?? result;
}
