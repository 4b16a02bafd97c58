import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { CHANNEL_TASK_STATES } from '../infra/outreach-state-machine';

export interface PathStep {
  channel: string;
  outcome: string;
  reason?: string;
  tries: number;
}

/** The channels a run went through, read from its execution history (Task outputs), retries folded. */
export function channelPath(events: HistoryEvent[]): PathStep[] {
  const steps: PathStep[] = [];
  for (const event of events) {
    const exited = event.stateExitedEventDetails;
    if (event.type !== 'TaskStateExited' || !exited?.output || !CHANNEL_TASK_STATES.includes(exited.name ?? ''))
      continue;
    const result = (JSON.parse(exited.output) as { result?: { channel?: string; outcome?: string; reason?: string } })
      .result;
    if (!result?.channel || !result.outcome) continue;
    const last = steps.at(-1);
    if (last && last.channel === result.channel && last.outcome === 'RETRY') {
      last.tries++;
      last.outcome = result.outcome;
      last.reason = result.reason;
    } else {
      steps.push({ channel: result.channel, outcome: result.outcome, reason: result.reason, tries: 1 });
    }
  }
  return steps;
}

export function formatPath(steps: PathStep[]): string {
  if (steps.length === 0) return '(no channel attempted)';
  return steps
    .map((step) => {
      const tries = step.tries > 1 ? ` after ${step.tries} tries` : '';
      return step.outcome === 'SENT'
        ? `${step.channel} ✓${tries}`
        : `${step.channel} ✗ ${step.reason ?? step.outcome}${tries}`;
    })
    .join(' → ');
}
