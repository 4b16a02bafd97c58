import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { CHANNEL_TASK_STATES, STATE } from '#infra/state-names';

const DELIVERY_VERDICT_STATES: readonly string[] = [STATE.emailBounced, STATE.complaintReceived];

export interface PathStep {
  channel: string;
  outcome: string;
  reason?: string;
  tries: number;
  /** Tries that only waited for a rate-limit window (they do not use up the step's retries). */
  rateLimitedWaits: number;
  /** Tries that found the lead's send window closed (evening, weekend, holiday) and waited for it to open. */
  windowWaits: number;
}

/** The outcome a state's output carries: the channel services answer with the next cursor, the result in it. */
function resultOf(output: string): { channel?: string; outcome?: string; reason?: string } | undefined {
  type Routed = { channel?: string; outcome?: string; reason?: string; lastReason?: string };
  const result = (JSON.parse(output) as { cursor?: { result?: Routed } }).cursor?.result;
  // The service routes a last failed try as FALLBACK retry_exhausted: the path shows that try as it answered.
  if (result?.reason === 'retry_exhausted' && result.lastReason)
    return { channel: result.channel, outcome: 'RETRY', reason: result.lastReason };
  return result;
}

/** The channels a run went through, read from its execution history (Task outputs), retries folded. */
export function channelPath(events: HistoryEvent[]): PathStep[] {
  const steps: PathStep[] = [];
  for (const event of events) {
    const exited = event.stateExitedEventDetails;
    // The delivery check turns an accepted email into a bounce (fallback) or a complaint (stop).
    if (event.type === 'PassStateExited' && exited?.output && DELIVERY_VERDICT_STATES.includes(exited.name ?? '')) {
      const verdict = resultOf(exited.output);
      const last = steps.at(-1);
      if (last && verdict?.outcome) {
        last.outcome = verdict.outcome;
        last.reason = verdict.reason;
      }
      continue;
    }
    if (event.type !== 'TaskStateExited' || !exited?.output || !CHANNEL_TASK_STATES.includes(exited.name ?? ''))
      continue;
    const result = resultOf(exited.output);
    if (!result?.channel || !result.outcome) continue;
    const last = steps.at(-1);
    if (last && last.channel === result.channel && last.outcome === 'RETRY') {
      if (last.reason === 'rate_limited') last.rateLimitedWaits++;
      if (last.reason === 'outside_window') last.windowWaits++;
      last.tries++;
      last.outcome = result.outcome;
      last.reason = result.reason;
    } else {
      steps.push({
        channel: result.channel,
        outcome: result.outcome,
        reason: result.reason,
        tries: 1,
        rateLimitedWaits: 0,
        windowWaits: 0,
      });
    }
  }
  return steps;
}

export function formatPath(steps: PathStep[]): string {
  if (steps.length === 0) return '(no channel attempted)';
  return steps
    .map((step) => {
      const retries = step.tries - 1 - step.rateLimitedWaits - step.windowWaits;
      const notes = [
        retries > 0 ? `${retries} ${retries === 1 ? 'retry' : 'retries'}` : '',
        step.rateLimitedWaits > 0
          ? `${step.rateLimitedWaits} rate-limit ${step.rateLimitedWaits === 1 ? 'wait' : 'waits'}`
          : '',
        step.windowWaits > 0 ? `${step.windowWaits} ${step.windowWaits === 1 ? 'wait' : 'waits'} for the window` : '',
      ].filter(Boolean);
      const tries = notes.length > 0 ? ` (${notes.join(', ')})` : '';
      return step.outcome === 'SENT'
        ? `${step.channel} ✓${tries}`
        : `${step.channel} ✗ ${step.reason ?? step.outcome}${tries}`;
    })
    .join(' → ');
}
