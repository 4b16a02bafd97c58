import { randomUUID } from 'node:crypto';
import type { ChannelResult, ProviderVerdict } from '../domain/outcome';
import type { Campaign, Lead, LeadStatus, ReasonCode } from '../domain/schemas';
import { LeadNotFoundError } from '../errors';
import { faultPoint } from '../faults';
import { attemptKeyFor, messageIdFor, newId } from '../ids';
import { countOutcome, raiseOperatorAlert } from '../observability';
import { type Reservation, release, reserve, rulesForSend } from '../rate-limit/limiter';
import { resolveAccountLimits, resolveChannelConfig } from '../store/config';
import {
  getCampaign,
  getLead,
  LeadStatusConflictError,
  putManualTask,
  transitionLead,
  updateLeadFields,
} from '../store/leads';
import { indexLinkedInProfile } from '../store/linkedin-index';
import { setMessageProviderFields } from '../store/message-lookup';
import {
  advanceMessage,
  claimAttempt,
  completeAttempt,
  markAttemptCalling,
  putMessage,
  recordReservation,
  type StoredAttempt,
} from '../store/outreach';
import { channelSuppressionKeys, findSuppressionsByKeys, leadSuppressionKeys } from '../store/suppression-checks';
import { buildTemplateContext, DEFAULT_TEMPLATES, renderMessage, TemplateError } from '../templates/render';
import { nowIso, nowMs } from '../time/clock';
import { bumpCounters } from '../tracking/metrics-aggregates';
import type { ChannelAdapter, SendResult, StepContext } from './channel-adapter';
import type { StepTaskInput } from './task-input';
import { unsubscribeUrl } from './unsubscribe';

/** Lead statuses that end a sequence at the next re-check, with the STOP reason they give. */
const STOPPING_STATUSES: Partial<Record<LeadStatus, ReasonCode>> = {
  REPLIED: 'replied',
  UNSUBSCRIBED: 'unsubscribed',
  BOUNCED: 'bounce',
  PAUSED: 'lead_paused',
  EXHAUSTED: 'max_attempts_reached',
};

/** STOP reasons after which the lead is parked for an operator rather than left in the sequence. */
const PAUSING_STOPS: ReadonlySet<ReasonCode> = new Set(['ambiguous_send', 'template_error', 'campaign_inactive']);

function stopReasonFor(lead: Lead, campaign: Campaign): ReasonCode | undefined {
  if (campaign.state !== 'ACTIVE') return 'campaign_inactive';
  const stop = STOPPING_STATUSES[lead.status];
  return stop && (lead.stopReason ?? stop);
}

interface Finish {
  verdict: ProviderVerdict;
  send?: SendResult;
  messageWritten: boolean;
}

/**
 * Runs one try of one sequence step for one lead, keeping the at-most-once protocol of docs/product.md §3:
 * a conditional PENDING attempt is claimed first; it turns CALLING right before the provider call, so a
 * retried invocation that finds it CALLING records `ambiguous_send` instead of sending again, and one
 * that finds it DONE replays the recorded result.
 */
export async function runChannelStep(input: StepTaskInput, adapter: ChannelAdapter): Promise<ChannelResult> {
  const { cursor } = input;
  const channel = adapter.channel;
  const tryNumber = cursor.tryCount;
  const attemptKey = attemptKeyFor(input.executionName, cursor.stepIndex, tryNumber);
  const messageId = messageIdFor(attemptKey);
  const createdAt = nowIso();
  const owner = randomUUID();

  const [lead, campaign] = await Promise.all([getLead(input.leadId), getCampaign(input.campaignId)]);
  if (!lead || !campaign) throw new LeadNotFoundError(`lead ${input.leadId} or campaign ${input.campaignId} not found`);

  const existing = await claimAttempt({
    attemptKey,
    leadId: lead.leadId,
    campaignId: campaign.campaignId,
    executionName: input.executionName,
    channel,
    stepIndex: cursor.stepIndex,
    tryNumber,
    state: 'PENDING',
    phase: 'PREPARED',
    owner,
    messageId,
    createdAt,
    updatedAt: createdAt,
  });
  if (existing?.state === 'DONE' && existing.result) return existing.result as unknown as ChannelResult;
  if (existing?.phase === 'CALLING') return settleAmbiguous(lead, existing);
  // Taking over a try that crashed before the provider call: give back the slots it had reserved, or the
  // lead's own cooldown would hold this retry back for a day.
  if (existing?.phase === 'PREPARED' && existing.reservation) await release(existing.reservation);

  const finish = async ({ verdict, send, messageWritten }: Finish): Promise<ChannelResult> => {
    const result = resultFor(verdict, channel, cursor, messageWritten ? messageId : undefined);
    countOutcome(channel, result.outcome);
    if (verdict.operatorAlert) {
      raiseOperatorAlert(verdict.operatorAlert, {
        channel,
        leadId: lead.leadId,
        campaignId: campaign.campaignId,
        detail: verdict.detail,
      });
    }
    if (messageWritten) {
      const sent = verdict.outcome === 'SENT';
      const advanced = await advanceMessage(lead.leadId, messageId, sent ? 'SENT' : (send?.messageStatus ?? 'FAILED'), {
        providerMessageId: verdict.providerMessageId,
        sentAt: sent ? nowIso() : undefined,
        reason: verdict.reason,
      });
      // A provider event (e.g. SES Delivery) may have moved the message on already; keep its id and send time.
      if (!advanced && sent && verdict.providerMessageId) {
        await setMessageProviderFields(lead.leadId, messageId, verdict.providerMessageId, nowIso(), true);
      }
    }
    if (send?.manualTask) {
      await putManualTask({
        taskId: newId('task'),
        leadId: lead.leadId,
        campaignId: campaign.campaignId,
        channel,
        reason: send.manualTask.reason,
        detail: send.manualTask.detail,
        createdAt: nowIso(),
      });
    }
    await applyLeadEffects(lead, verdict, send?.leadUpdates, cursor);
    await completeAttempt(lead.leadId, attemptKey, {
      outcome: result.outcome,
      reason: result.reason,
      messageId: messageWritten ? messageId : undefined,
      nextRetryAt:
        result.outcome === 'RETRY'
          ? new Date(nowMs() + (result.retryAfterSeconds ?? 0) * 1000).toISOString()
          : undefined,
      result: { ...result },
    });
    // Counted once: the attempt just moved PENDING → DONE, a replay never gets here.
    const lastTry =
      result.outcome === 'RETRY' && result.usesRetry === true && cursor.retriesUsed >= cursor.step.maxRetries;
    await bumpCounters(campaign.campaignId, channel, createdAt.slice(0, 10), {
      attempts: 1,
      leads: tryNumber === 1 ? 1 : 0,
      sequences: tryNumber === 1 && cursor.stepIndex === 0 ? 1 : 0,
      fallbacks: result.outcome === 'FALLBACK' || lastTry ? 1 : 0,
      sent: result.outcome === 'SENT' && messageWritten ? 1 : 0,
      failed: messageWritten && result.outcome !== 'SENT' && send?.messageStatus !== 'SKIPPED' ? 1 : 0,
    });
    return result;
  };

  // Re-check before every send, including after every Wait (docs/product.md §2): the lead, then this channel.
  // One read for both: the lead's own entries stop the sequence, the channel's entries close this channel.
  const leadKeys = new Set(leadSuppressionKeys(lead));
  const suppressions = await findSuppressionsByKeys([...leadKeys, ...channelSuppressionKeys(lead, channel)]);
  const leadSuppressed = suppressions.some((entry) => leadKeys.has(entry.key));
  const stopReason = stopReasonFor(lead, campaign) ?? (leadSuppressed ? 'suppressed' : undefined);
  if (stopReason)
    return finish({ verdict: { outcome: 'STOP', reason: stopReason, delivered: false }, messageWritten: false });
  const channelSuppressed = suppressions.find((entry) => !leadKeys.has(entry.key));
  if (channelSuppressed) {
    const detail = `${channelSuppressed.key} (${channelSuppressed.reason})`;
    return finish({
      verdict: { outcome: 'FALLBACK', reason: 'suppressed', detail, delivered: false },
      messageWritten: false,
    });
  }

  const config = await resolveChannelConfig(campaign.campaignId, channel);
  if (!config.enabled) {
    return finish({
      verdict: { outcome: 'FALLBACK', reason: 'channel_disabled', delivered: false },
      messageWritten: false,
    });
  }

  const link = unsubscribeUrl(lead.leadId, campaign.campaignId);
  let content: StepContext['content'];
  try {
    // An operator's own message is a template too: same variables, same strictness.
    const template = input.override
      ? {
          body: input.override.body,
          subject: input.override.subject ?? campaign.templates[channel]?.subject ?? DEFAULT_TEMPLATES[channel].subject,
        }
      : (campaign.templates[channel] ?? config.template);
    content = renderMessage({ channel, template, context: buildTemplateContext(lead, campaign, link) });
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return finish({
      verdict: { outcome: 'STOP', reason: 'template_error', detail: error.message, delivered: false },
      messageWritten: false,
    });
  }
  const context: StepContext = { lead, campaign, config, messageId, attemptKey, content, unsubscribeUrl: link };

  const preparation = await adapter.prepare(context);
  if ('verdict' in preparation) {
    return finish({
      verdict: preparation.verdict,
      send: { verdict: preparation.verdict, leadUpdates: preparation.leadUpdates },
      messageWritten: false,
    });
  }

  const limits = await reserve(
    rulesForSend({
      channel,
      leadId: lead.leadId,
      channelLimits: config.rateLimits,
      account: await resolveAccountLimits(),
      maxTouchesPerLead: input.maxTotalAttemptsPerLead,
      recipientDomain: preparation.plan.recipientDomain,
      rateScope: preparation.plan.rateScope,
      spacing: preparation.plan.spacing,
    }),
  );
  if (!limits.ok) {
    const verdict: ProviderVerdict =
      limits.whenFull === 'stop'
        ? { outcome: 'STOP', reason: 'max_attempts_reached', delivered: false }
        : {
            outcome: cursor.step.onRateLimit === 'fallback' ? 'FALLBACK' : 'RETRY',
            reason: 'rate_limited',
            retryAfterSeconds: limits.retryAfterSeconds,
            detail: limits.limitedBy,
            delivered: false,
          };
    return finish({ verdict, messageWritten: false });
  }
  await recordReservation(lead.leadId, attemptKey, limits.reservation);

  await putMessageOnce({
    messageId,
    leadId: lead.leadId,
    campaignId: campaign.campaignId,
    channel,
    status: 'PENDING',
    subject: content.subject,
    body: content.text,
    executionName: input.executionName,
    attemptKey,
    createdAt,
  });

  faultPoint('before-provider-call', { channel, attemptKey });
  if (!(await markAttemptCalling(lead.leadId, attemptKey, owner))) {
    // Another invocation of this same try got there first; it owns the send.
    await release(limits.reservation);
    throw new Error(`attempt ${attemptKey} was taken over by a concurrent invocation`);
  }
  const send = await sendReleasingOnFailure(adapter, preparation.plan, context, limits.reservation);
  if (send.verdict.delivered) faultPoint('after-provider-accepted', { channel, attemptKey });
  const leadUpdates = { ...preparation.leadUpdates, ...send.leadUpdates };
  const result = await finish({ verdict: send.verdict, send: { ...send, leadUpdates }, messageWritten: true });
  faultPoint('after-record', { channel, attemptKey });
  return result;
}

async function putMessageOnce(message: Parameters<typeof putMessage>[0]): Promise<void> {
  try {
    await putMessage(message);
  } catch (error) {
    // A crashed earlier invocation of this try may have written it already.
    if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
  }
}

async function sendReleasingOnFailure(
  adapter: ChannelAdapter,
  plan: Parameters<ChannelAdapter['send']>[0],
  context: StepContext,
  reservation: Reservation,
): Promise<SendResult> {
  const send = await adapter.send(plan, context);
  if (!send.verdict.delivered) await release(reservation);
  return send;
}

function resultFor(
  verdict: ProviderVerdict,
  channel: ChannelResult['channel'],
  cursor: StepTaskInput['cursor'],
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
    // A wait the lead did not cause lasts as long as the provider or the window says; otherwise the step's backoff.
    // Whole seconds: the state machine adds jitter with States.MathAdd, which takes integers.
    result.retryAfterSeconds = Math.ceil(
      usesRetry ? Math.max(policyWait, verdict.retryAfterSeconds ?? 0) : (verdict.retryAfterSeconds ?? 3600),
    );
  }
  return result;
}

async function applyLeadEffects(
  lead: Lead,
  verdict: ProviderVerdict,
  updates: Partial<Lead> | undefined,
  cursor?: StepTaskInput['cursor'],
): Promise<void> {
  if (updates?.linkedinProviderId && updates.linkedinProviderId !== lead.linkedinProviderId) {
    await indexLinkedInProfile(updates.linkedinProviderId, lead.leadId, lead.campaignId);
  }
  try {
    if (verdict.outcome === 'SENT') {
      await transitionLead(lead, ['IN_SEQUENCE', 'NEW'], 'CONTACTED', updates);
      return;
    }
    if (updates && Object.keys(updates).length > 0) await updateLeadFields(lead.leadId, updates);
    if (verdict.outcome === 'STOP' && verdict.reason === 'max_attempts_reached') {
      await transitionLead(lead, ['IN_SEQUENCE', 'NEW'], 'EXHAUSTED');
    } else if (verdict.outcome === 'STOP' && verdict.reason === 'campaign_inactive' && cursor) {
      // Stopped before this step's send: resuming the campaign restarts the sequence here (launcher.ts).
      await transitionLead(lead, ['IN_SEQUENCE', 'NEW'], 'PAUSED', {
        stopReason: 'campaign_inactive',
        resumeFrom: { stepIndex: cursor.stepIndex, tryCount: cursor.tryCount + 1 },
      });
    } else if (verdict.outcome === 'STOP' && verdict.reason && PAUSING_STOPS.has(verdict.reason)) {
      await transitionLead(lead, ['IN_SEQUENCE', 'NEW'], 'PAUSED');
    }
  } catch (error) {
    // The lead moved on meanwhile (a reply or unsubscribe landed): that newer status wins.
    if (!(error instanceof LeadStatusConflictError)) throw error;
  }
}

async function settleAmbiguous(lead: Lead, attempt: StoredAttempt): Promise<ChannelResult> {
  const result: ChannelResult = {
    outcome: 'STOP',
    channel: attempt.channel,
    reason: 'ambiguous_send',
    messageId: attempt.messageId,
    detail: 'a previous invocation may have reached the provider; reconciliation settles it',
  };
  await applyLeadEffects(lead, { outcome: 'STOP', reason: 'ambiguous_send', delivered: true }, undefined);
  await completeAttempt(lead.leadId, attempt.attemptKey, {
    outcome: 'STOP',
    reason: 'ambiguous_send',
    messageId: attempt.messageId,
    result: { ...result },
  });
  return result;
}
