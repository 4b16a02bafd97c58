import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { LOCAL_EXECUTIONS_DIR, PROJECT_ROOT } from '../infra/local/stack';
import { LocalStepFunctions, startStepFunctionsServer } from '../infra/local/stepfunctions';
import { extractStateMachine, synthesizeTemplate } from '../infra/local/synth';

export class AuditError extends Error {
  override name = 'AuditError';
}

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
  const described = await client.send(new DescribeExecutionCommand({ executionArn }));
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
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
  return lines;
}

/**
 * `cascade audit <name>`: against AWS when CASCADE_STATE_MACHINE_ARN is set (credentials and region from
 * the usual chain), else against the executions the last local run kept, served by the local peer.
 */
export async function runAudit(
  executionName: string,
  options: { stateMachineArn?: string; full?: boolean },
): Promise<string[]> {
  const stateMachineArn = options.stateMachineArn ?? process.env.CASCADE_STATE_MACHINE_ARN;
  if (stateMachineArn) {
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
    return auditExecution(new SFNClient({}), executionArn, options);
  }
  const local = new LocalStepFunctions({
    machine: extractStateMachine(synthesizeTemplate()),
    projectRoot: PROJECT_ROOT,
    storeDir: LOCAL_EXECUTIONS_DIR,
  });
  if (!local.get(executionName)) {
    throw new AuditError(
      `no execution named ${executionName} (local runs kept in ${LOCAL_EXECUTIONS_DIR}; set CASCADE_STATE_MACHINE_ARN for AWS)`,
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
