import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';

export { sfnClient } from '../aws/clients';

/** Step Functions execution names: 1–80 of [A-Za-z0-9-_] (Cascade names are always of this form). */
export const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export function executionArnFor(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}

/** A run as DescribeExecution and its full GetExecutionHistory (every page) describe it. */
export async function fetchExecution(
  client: SFNClient,
  executionArn: string,
): Promise<{ described: DescribeExecutionCommandOutput; events: HistoryEvent[] }> {
  const described = await client.send(new DescribeExecutionCommand({ executionArn }));
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return { described, events };
}

export interface AuditedState {
  name: string;
  /** The history event type that entered it without `StateEntered`: `Task`, `Choice`, `Wait`, `Pass`, … */
  type: string;
  enteredAt?: string;
  exitedAt?: string;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface ExecutionAudit {
  name: string;
  executionArn: string;
  status: string;
  startDate?: string;
  stopDate?: string;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  /** Set when the run ended by parking its lead (PAUSED) for an operator: why, and how to release it. */
  parked?: ParkedRun;
  states: AuditedState[];
}

export interface ParkedRun {
  reason: string;
  channel?: string;
  messageId?: string;
  /** What settles it: `POST /v1/leads/{leadId}/release` for an ambiguous send, else the campaign's resume. */
  next: string;
}

/** STOP reasons that park the lead instead of ending it (shared/outreach/step-outcome.ts). */
const PARKING_REASONS: ReadonlySet<string> = new Set(['ambiguous_send', 'template_error', 'campaign_inactive']);

/**
 * Whether a run ended by parking its lead, read from its output (the last ChannelResult): a SUCCEEDED run may
 * still have left its lead waiting for an operator.
 */
export function parkedRun(input: unknown, output: unknown): ParkedRun | undefined {
  const leadId = (input as { leadId?: unknown } | undefined)?.leadId;
  const release = `release with POST /v1/leads/${String(leadId ?? '{leadId}')}/release {"decision":"sent"|"not_sent"} (cascade leads release)`;
  // The run's output is its last ChannelResult (older runs wrapped it in `result`).
  const wrapped = output as (Record<string, unknown> & { result?: Record<string, unknown> }) | undefined;
  const result = wrapped?.outcome !== undefined ? wrapped : wrapped?.result;
  const reason = typeof result?.reason === 'string' ? result.reason : undefined;
  if (result?.outcome === 'STOP' && reason && PARKING_REASONS.has(reason)) {
    return {
      reason,
      ...(typeof result.channel === 'string' && { channel: result.channel }),
      ...(typeof result.messageId === 'string' && { messageId: result.messageId }),
      next: reason === 'ambiguous_send' ? release : 'resume the campaign (cascade campaigns resume)',
    };
  }
  return undefined;
}

const parseJson = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** The states one run went through, in order, with (virtual) times, inputs, outputs and task failures. */
export function auditedStates(events: readonly HistoryEvent[]): AuditedState[] {
  const states: AuditedState[] = [];
  for (const event of events) {
    const time = event.timestamp?.toISOString();
    if (event.stateEnteredEventDetails) {
      states.push({
        name: event.stateEnteredEventDetails.name ?? '',
        type: (event.type ?? '').replace(/StateEntered$/, ''),
        enteredAt: time,
        input: parseJson(event.stateEnteredEventDetails.input),
      });
    } else if (event.stateExitedEventDetails) {
      const name = event.stateExitedEventDetails.name;
      const open = states.findLast((state) => state.name === name && state.exitedAt === undefined);
      if (open) {
        open.exitedAt = time;
        open.output = parseJson(event.stateExitedEventDetails.output);
      }
    } else if (event.taskFailedEventDetails) {
      const open = states.findLast((state) => state.exitedAt === undefined);
      if (open) {
        open.error = event.taskFailedEventDetails.error;
        open.cause = event.taskFailedEventDetails.cause;
      }
    }
  }
  return states;
}

/** `cascade audit` as data: the run's status and every state it went through. */
export async function auditExecutionRecord(client: SFNClient, executionArn: string): Promise<ExecutionAudit> {
  const { described, events } = await fetchExecution(client, executionArn);
  const states = auditedStates(events);
  const input = parseJson(described.input);
  const output = parseJson(described.output);
  const parked = parkedRun(input, output);
  return {
    name: described.name ?? executionArn.split(':').at(-1) ?? '',
    executionArn,
    status: described.status ?? 'UNKNOWN',
    startDate: described.startDate?.toISOString(),
    stopDate: described.stopDate?.toISOString(),
    input,
    output,
    error: described.error,
    cause: described.cause,
    ...(parked && { parked }),
    states,
  };
}
