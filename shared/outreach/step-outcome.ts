import { randomInt } from 'node:crypto';
import type { ChannelResult, ProviderVerdict } from '../domain/outcome';
import type { Lead, ManualTask, ReasonCode } from '../domain/schemas';
import { leadRunFact, sequenceCompletedFact } from '../events/facts';
import { type FinishedTry, stepFacts } from '../events/step-facts';
import { sha256 } from '../ids';
import { countOutcome, raiseOperatorAlert } from '../observability';
import { windowJitterSeconds } from '../schedule/jitter';
import { LeadStatusConflictError } from '../store/leads';
import type { StoredAttempt } from '../store/outreach';
import { nowIso, nowMs } from '../time/clock';
import type { Counter } from '../tracking/metrics-aggregates';
import { bumpVariantCounters } from '../tracking/variant-metrics';
import type { SendResult } from './channel-adapter';
import { taskDueAt } from './send-window';
import { continuesAfterSent } from './step-route';
import type { StepRun } from './step-run';
import type { StepStore } from './step-store';
import type { Cursor } from './task-input';
import { callInstructions, formInstructions, formUrlFor, otherInstructions, taskKindFor } from './task-instructions';

/** How a try ended: the verdict, what the adapter reported with it, and whether the message record exists. */
export interface Finish {
  verdict: ProviderVerdict;
  send?: SendResult;
  messageWritten: boolean;
  /** The A/B variant the message was rendered from: its sent counter moves with the channel's. */
  variantId?: string;
  /** The pool sender the email went out from (its events name it). */
  senderId?: string;
}

/** STOP reasons after which the lead is parked for an operator rather than left in the sequence. */
const PAUSING_STOPS: ReadonlySet<ReasonCode> = new Set(['ambiguous_send', 'template_error', 'campaign_inactive']);

/**
 * Records how a try ended — message status, manual task, lead status, the attempt DONE with the result a retry
 * replays, the day's counters — and returns that result to the state machine.
 */
export async function recordOutcome(
  run: StepRun,
  { verdict, send, messageWritten, variantId, senderId }: Finish,
): Promise<ChannelResult> {
  const { store, lead, campaign, channel, input } = run;
  const messageId = messageWritten ? run.messageId : undefined;
  const result = resultFor(verdict, channel, input.cursor, messageId);
  countOutcome(channel, result.outcome);
  if (verdict.operatorAlert) {
    const details = { channel, leadId: lead.leadId, campaignId: campaign.campaignId, detail: verdict.detail };
    raiseOperatorAlert(verdict.operatorAlert, details);
  }
  const written = messageWritten ? messageStatusOf(verdict, send?.messageStatus) : undefined;
  // A message a provider event moved on meanwhile (SES said sent) did not fail: only a failure written here counts.
  const advanced = written ? await recordMessageStatus(run, verdict, written) : false;
  const messageStatus = written === 'SENT' || advanced ? written : undefined;
  if (send?.manualTask) await store.putManualTask(await manualTaskFor(run, send.manualTask, messageWritten));
  await applyLeadEffects(store, lead, verdict, send?.leadUpdates, input.cursor);
  // Before DONE: a retry that finds the try not DONE records them again (the same ids), one that replays it needs not.
  await recordFacts(store, {
    input,
    channel,
    attemptKey: run.attemptKey,
    result,
    messageStatus,
    messageId,
    variantId,
    senderId,
    linkedinAccountId: send?.leadUpdates?.linkedinAccountId ?? lead.linkedinAccountId,
  });
  await store.completeAttempt(lead.leadId, run.attemptKey, {
    outcome: result.outcome,
    reason: result.reason,
    messageId,
    nextRetryAt: result.outcome === 'RETRY' ? result.retryAt : undefined,
    result: { ...result },
  });
  // Counted once: the attempt just moved PENDING → DONE, a replay never gets here.
  const counters = countersFor(input.cursor, result, { verdict, send, messageWritten });
  await store.bumpCounters(campaign.campaignId, channel, run.createdAt.slice(0, 10), counters);
  if (counters.sent && variantId) {
    const stepId = input.cursor.step.id;
    await bumpVariantCounters(
      { campaignId: campaign.campaignId, stepId, variantId, createdAt: run.createdAt },
      { sent: 1 },
    );
  }
  return result;
}

const messageStatusOf = (verdict: ProviderVerdict, notSentStatus?: 'FAILED' | 'SKIPPED') =>
  verdict.outcome === 'SENT' ? 'SENT' : (notSentStatus ?? 'FAILED');

/** The facts of PRODUCT.md §11 this try made true, through the store (an in-memory one may record none). */
async function recordFacts(store: StepStore, done: FinishedTry): Promise<void> {
  if (!store.recordEvent) return;
  for (const fact of stepFacts(done)) await store.recordEvent(fact);
}

async function recordMessageStatus(run: StepRun, verdict: ProviderVerdict, status: 'SENT' | 'FAILED' | 'SKIPPED') {
  const { store, lead, messageId } = run;
  const sent = status === 'SENT';
  const advanced = await store.advanceMessage(lead.leadId, messageId, status, {
    providerMessageId: verdict.providerMessageId,
    sentAt: sent ? nowIso() : undefined,
    reason: verdict.reason,
  });
  // A provider event (e.g. SES Delivery) may have moved the message on already; keep its id and send time.
  if (!advanced && sent && verdict.providerMessageId) {
    await store.setMessageProviderFields(lead.leadId, messageId, verdict.providerMessageId, nowIso(), true);
  }
  return advanced;
}

/**
 * Something only an operator can do for this lead (a call, a captcha form, a disconnected account), with the
 * words to do it: the call script, or the form's page, fields and message (read back from the message this try
 * wrote). Its id comes from the try, so a replayed invocation writes the same task once. Due now.
 */
async function manualTaskFor(
  { store, lead, campaign, channel, input, attemptKey, messageId }: StepRun,
  { reason, detail }: NonNullable<SendResult['manualTask']>,
  messageWritten: boolean,
): Promise<ManualTask> {
  const kind = taskKindFor(channel);
  let instructions: string;
  let url: string | undefined;
  if (kind === 'call') {
    instructions = callInstructions(lead, detail);
  } else if (kind === 'form') {
    url = formUrlFor(lead, detail);
    const message = messageWritten ? await store.getMessage(lead.leadId, messageId) : undefined;
    instructions = formInstructions(campaign, url, detail, { subject: message?.subject, body: message?.body });
  } else {
    instructions = otherInstructions(lead, channel, detail);
  }
  const createdAt = nowIso();
  return {
    taskId: `task_${sha256(attemptKey).slice(0, 24)}`,
    leadId: lead.leadId,
    campaignId: campaign.campaignId,
    kind,
    status: 'OPEN',
    instructions,
    ...(url && { url }),
    // Work for a person, due in the lead's window (PRODUCT.md §2): the operator calls in the lead's working hours.
    dueAt: taskDueAt(campaign, lead),
    createdAt,
    executionName: input.executionName,
    stepIndex: input.cursor.stepIndex,
    ...(input.cursor.step.id && { stepId: input.cursor.step.id }),
    channel,
    reason,
    detail,
  };
}

/** What one finished try adds to the day's metrics (docs/product.md §7). */
function countersFor(cursor: Cursor, result: ChannelResult, { send, messageWritten }: Finish) {
  const firstTry = cursor.tryCount === 1;
  const lastTry =
    result.outcome === 'RETRY' && result.usesRetry === true && cursor.retriesUsed >= cursor.step.maxRetries;
  return {
    attempts: 1,
    leads: firstTry ? 1 : 0,
    sequences: firstTry && cursor.stepIndex === 0 ? 1 : 0,
    fallbacks: result.outcome === 'FALLBACK' || lastTry ? 1 : 0,
    sent: result.outcome === 'SENT' && messageWritten ? 1 : 0,
    failed: messageWritten && result.outcome !== 'SENT' && send?.messageStatus !== 'SKIPPED' ? 1 : 0,
  } satisfies Partial<Record<Counter, number>>;
}

/** Random extra wait after a rate-limit window resets (herds, docs/capacity.md). */
export const RATE_LIMIT_JITTER_SECONDS = 300;

/** The ChannelResult the state machine routes on, from the verdict and the step's retry policy. */
export function resultFor(
  verdict: ProviderVerdict,
  channel: ChannelResult['channel'],
  cursor: Cursor,
  messageId?: string,
): ChannelResult {
  const result: ChannelResult = { outcome: verdict.outcome, channel, reason: verdict.reason };
  if (verdict.outcome === 'SENT') result.channelUsed = channel;
  if (messageId) result.messageId = messageId;
  if (verdict.providerMessageId) result.providerMessageId = verdict.providerMessageId;
  if (verdict.detail) result.detail = verdict.detail;
  if (verdict.outcome === 'RETRY') {
    const rateLimited = verdict.reason === 'rate_limited';
    const backoff = cursor.step.retryBackoffSeconds;
    const policyWait = backoff[Math.min(cursor.retriesUsed, backoff.length - 1)] ?? 86_400;
    const usesRetry = verdict.usesRetry ?? !rateLimited;
    result.usesRetry = usesRetry;
    // A wait the lead did not cause lasts as long as the provider or the window says, plus up to 5 random minutes
    // so the leads a window refused do not all come back in its first second; otherwise the step's backoff.
    // Drawn here, once: the result is stored with the try, so a replayed invocation routes the same wait.
    if (usesRetry) {
      result.retryAfterSeconds = Math.ceil(Math.max(policyWait, verdict.retryAfterSeconds ?? 0));
    } else {
      // A closed send window spreads its leads over the first quarter hour (PRODUCT.md §2), a rate limit over 5 min.
      result.jitterSeconds =
        verdict.reason === 'outside_window' ? windowJitterSeconds() : randomInt(0, RATE_LIMIT_JITTER_SECONDS + 1);
      result.retryAfterSeconds = Math.ceil(verdict.retryAfterSeconds ?? 3600) + result.jitterSeconds;
    }
    // The instant the Wait ends, for the audit (the Wait itself counts seconds).
    result.retryAt = new Date(nowMs() + result.retryAfterSeconds * 1000).toISOString();
  }
  return result;
}

async function applyLeadEffects(
  store: StepStore,
  lead: Lead,
  verdict: ProviderVerdict,
  updates: Partial<Lead> | undefined,
  cursor?: Cursor,
): Promise<void> {
  if (updates?.linkedinProviderId && updates.linkedinProviderId !== lead.linkedinProviderId) {
    await store.indexLinkedInProfile(updates.linkedinProviderId, lead.leadId, lead.campaignId);
  }
  const inSequence = ['IN_SEQUENCE', 'NEW'] as const;
  try {
    if (verdict.outcome === 'SENT') {
      // A touch the run goes on from (onSent, a wait for a person) keeps the lead IN_SEQUENCE: the run is still
      // its to pause, stop or park; Mark Lead Contacted moves it when the run ends.
      if (cursor && continuesAfterSent(cursor.step)) await store.updateLeadFields(lead.leadId, updates ?? {});
      else await store.transitionLead(lead, inSequence, 'CONTACTED', updates);
      return;
    }
    if (updates && Object.keys(updates).length > 0) await store.updateLeadFields(lead.leadId, updates);
    if (verdict.outcome !== 'STOP') return;
    if (verdict.reason === 'max_attempts_reached' || verdict.reason === 'sequence_timeout') {
      await store.transitionLead(lead, inSequence, 'EXHAUSTED');
    } else if (verdict.reason === 'campaign_inactive' && cursor) {
      // Stopped before this step's send: resuming the campaign restarts the sequence here (launcher.ts).
      await store.transitionLead(lead, inSequence, 'PAUSED', {
        stopReason: 'campaign_inactive',
        resumeFrom: { stepIndex: cursor.stepIndex, tryCount: cursor.tryCount + 1 },
      });
    } else if (verdict.reason && PAUSING_STOPS.has(verdict.reason)) {
      await store.transitionLead(lead, inSequence, 'PAUSED', { stopReason: verdict.reason });
    }
  } catch (error) {
    // The lead moved on meanwhile (a reply or unsubscribe landed): that newer status wins.
    if (!(error instanceof LeadStatusConflictError)) throw error;
  }
}

/**
 * A retry found the try CALLING: the provider may have taken the message, so it is never sent again. The try
 * is recorded `ambiguous_send` and the lead parked; reconciliation (SES `Send` events) settles it later.
 */
export async function settleAmbiguous(store: StepStore, lead: Lead, attempt: StoredAttempt): Promise<ChannelResult> {
  const result: ChannelResult = {
    outcome: 'STOP',
    channel: attempt.channel,
    reason: 'ambiguous_send',
    messageId: attempt.messageId,
    detail: 'a previous invocation may have reached the provider; reconciliation settles it',
  };
  try {
    // Parked with what a release needs: the step to try again when the operator finds it was not sent.
    await store.transitionLead(lead, ['IN_SEQUENCE', 'NEW'], 'PAUSED', {
      stopReason: 'ambiguous_send',
      resumeFrom: { stepIndex: attempt.stepIndex, tryCount: attempt.tryNumber + 1 },
    });
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
  }
  // The run stops here (Stopped): recorded before DONE, as every try's facts are.
  const { executionName, stepIndex, channel } = attempt;
  const facts = { reason: 'ambiguous_send', step: stepIndex, channel, messageId: attempt.messageId };
  await store.recordEvent?.(leadRunFact('lead.stopped', lead, executionName, facts));
  await store.recordEvent?.(
    sequenceCompletedFact({ leadId: lead.leadId, campaignId: lead.campaignId, executionName }, 'STOPPED', facts),
  );
  await store.completeAttempt(lead.leadId, attempt.attemptKey, {
    outcome: 'STOP',
    reason: 'ambiguous_send',
    messageId: attempt.messageId,
    result: { ...result },
  });
  return result;
}
