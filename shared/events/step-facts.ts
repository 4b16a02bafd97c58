import type { ChannelResult } from '../domain/outcome';
import type { ChannelType, ReasonCode } from '../domain/schemas';
import { END, routeResult } from '../outreach/step-route';
import type { StepTaskInput } from '../outreach/task-input';
import type { DomainFact } from './domain-events';
import { leadRunFact, messageFact, type SequenceEnd, sequenceCompletedFact } from './facts';

/**
 * The facts one finished try of a step makes true (recorded by step-outcome.ts before the try is marked DONE, so a
 * retried invocation that finds it not DONE records them again: the same ids): its message sent or failed, the lead
 * stopped or exhausted, and the run's end when the state machine ends the run right after this Task.
 */

/** STOP reasons that mean the lead's sequence ran out rather than was stopped. */
const EXHAUSTING: ReadonlySet<ReasonCode> = new Set(['max_attempts_reached', 'sequence_timeout']);
/**
 * STOPs that do not stop the lead: a pause (an operator's, an out-of-office: their own events say so, and a resume
 * goes on), or a late invocation of a run the lead has left for a new one.
 */
const NOT_A_STOP: ReadonlySet<ReasonCode> = new Set(['lead_paused', 'out_of_office', 'superseded']);

export interface FinishedTry {
  input: StepTaskInput;
  channel: ChannelType;
  attemptKey: string;
  result: ChannelResult;
  /** The status the try gave its message (none when it wrote no message). */
  messageStatus?: 'SENT' | 'FAILED' | 'SKIPPED';
  messageId?: string;
  variantId?: string;
  senderId?: string;
  linkedinAccountId?: string;
}

/**
 * How the state machine ends the run after this Task (infra/outreach-state-machine.ts `outcomeChoice`): STOP ends
 * it; a SENT at the end succeeds unless a delivery check, a wait for a person or Mark Lead Contacted follows (their
 * own functions record the end then); a FALLBACK at the end goes to Mark Lead Exhausted (finish-sequence.ts).
 */
export function runEndAfter(input: StepTaskInput, result: ChannelResult): SequenceEnd | undefined {
  if (result.outcome === 'STOP') return result.reason && EXHAUSTING.has(result.reason) ? 'EXHAUSTED' : 'STOPPED';
  const routed = routeResult(input, result);
  if (routed.stepIndex !== END || routed.result.waitFor || routed.touched) return undefined;
  if (routed.result.outcome !== 'SENT' || routed.ifBounced) return undefined;
  return 'SUCCEEDED';
}

export function stepFacts(done: FinishedTry): DomainFact[] {
  const { input, result, channel } = done;
  const lead = { leadId: input.leadId, campaignId: input.campaignId };
  const step = { step: input.cursor.stepIndex, stepId: input.cursor.step.id, channel };
  const facts: DomainFact[] = [];
  if (done.messageId && (done.messageStatus === 'SENT' || done.messageStatus === 'FAILED')) {
    const message = {
      ...lead,
      messageId: done.messageId,
      channel,
      attemptKey: done.attemptKey,
      stepId: input.cursor.step.id,
      variantId: done.variantId,
      senderId: done.senderId,
    };
    facts.push(
      done.messageStatus === 'SENT'
        ? messageFact('message.sent', message, {}, done.linkedinAccountId)
        : messageFact('message.failed', message, { reason: result.reason }, done.linkedinAccountId),
    );
  }
  if (result.outcome === 'STOP' && result.reason && !NOT_A_STOP.has(result.reason)) {
    const type = EXHAUSTING.has(result.reason) ? 'lead.exhausted' : 'lead.stopped';
    facts.push(leadRunFact(type, lead, input.executionName, { reason: result.reason, ...step }));
  }
  const end = runEndAfter(input, result);
  if (end) {
    const run = { ...lead, executionName: input.executionName };
    facts.push(sequenceCompletedFact(run, end, { reason: result.reason, channelUsed: result.channelUsed, ...step }));
  }
  return facts;
}
