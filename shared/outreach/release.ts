import type { Lead } from '../domain/schemas';
import { CodedError } from '../errors';
import { logger } from '../observability';
import { release as releaseSlots } from '../rate-limit/limiter';
import { getCampaign, getLead, LeadStatusConflictError, transitionLead } from '../store/leads';
import {
  advanceMessage,
  getAttempt,
  getMessage,
  listExecutionAttempts,
  markAttemptSettled,
  type StoredAttempt,
} from '../store/outreach';
import { nowIso } from '../time/clock';
import { bumpCounters } from '../tracking/metrics-aggregates';
import { bumpVariantCounters } from '../tracking/variant-metrics';
import { planResume, RetryPolicyCache, startResumed } from './resume';

export class LeadNotParkedError extends CodedError('LeadNotParkedError', 'lead_not_parked', 'conflict') {}
export class ReleaseNotFoundError extends CodedError('ReleaseNotFoundError', 'not_found', 'not_found') {}

export type ReleaseDecision = 'sent' | 'not_sent';

export interface ReleaseResult {
  leadId: string;
  decision: ReleaseDecision;
  /** The lead's status afterwards. */
  status: Lead['status'];
  messageId?: string;
  /** For `not_sent`: the execution that tries the step again. */
  executionName?: string;
}

/** The ambiguous try a parked lead waits on: the newest unsettled `ambiguous_send` of its last execution. */
export async function parkedTry(lead: Lead): Promise<StoredAttempt | undefined> {
  if (lead.status !== 'PAUSED' || !lead.executionName) return undefined;
  if (lead.stopReason !== undefined && lead.stopReason !== 'ambiguous_send') return undefined;
  const attempts = await listExecutionAttempts(lead.leadId, lead.executionName);
  return attempts
    .filter((attempt) => attempt.reason === 'ambiguous_send' && attempt.settledAs === undefined)
    .sort((a, b) => a.stepIndex - b.stepIndex || a.tryNumber - b.tryNumber)
    .at(-1);
}

/**
 * `POST /v1/leads/{id}/release`: an operator settles what evidence could not. `sent` → the message is SENT and
 * the lead CONTACTED (a sent touch ends the sequence); `not_sent` → the message is FAILED and the step is tried
 * again in a new execution (`<campaign>--<lead>--r<n>`), or, while the campaign is paused, when it resumes.
 */
export async function releaseParkedLead(
  leadId: string,
  decision: ReleaseDecision,
  options: { campaignId?: string; stateMachineArn: string },
): Promise<ReleaseResult> {
  const lead = await getLead(leadId);
  if (!lead || (options.campaignId && lead.campaignId !== options.campaignId))
    throw new ReleaseNotFoundError(`lead ${leadId}${options.campaignId ? ` in campaign ${options.campaignId}` : ''}`);
  const attempt = await parkedTry(lead);
  if (!attempt) throw new LeadNotParkedError(`lead ${leadId} is ${lead.status}: it is not parked on an ambiguous send`);
  if (!(await markAttemptSettled(leadId, attempt.attemptKey, decision, 'operator')))
    throw new LeadNotParkedError(`lead ${leadId}: its ambiguous send was settled meanwhile`);
  if (decision === 'sent') return settleSent(lead, attempt);
  return retryStep(lead, attempt, options.stateMachineArn);
}

/**
 * Evidence that the provider took an ambiguous try's message (an SES `Send`, `Delivery` or `Bounce` event, or the
 * message read again after parking): the try is settled as sent, once. A lead parked on it becomes a sent touch;
 * a lead that moved on meanwhile (a slow first invocation recorded the send) keeps its status.
 */
export async function settleParkedBySend(leadId: string, messageId: string, source: string): Promise<boolean> {
  const message = await getMessage(leadId, messageId, true);
  if (!message?.attemptKey) return false;
  const attempt = await getAttempt(leadId, message.attemptKey);
  if (attempt?.reason !== 'ambiguous_send' || attempt.settledAs !== undefined) return false;
  if (!(await markAttemptSettled(leadId, attempt.attemptKey, 'sent', source))) return false;
  const lead = await getLead(leadId);
  const parkedOnIt = lead?.status === 'PAUSED' && lead.stopReason === 'ambiguous_send';
  if (lead && parkedOnIt && attempt.attemptKey.startsWith(`${lead.executionName}#`)) await settleSent(lead, attempt);
  logger.info('ambiguous send settled from evidence: sent', { leadId, messageId, source, parkedOnIt });
  return true;
}

async function settleSent(lead: Lead, attempt: StoredAttempt): Promise<ReleaseResult> {
  const { leadId } = lead;
  const messageId = attempt.messageId;
  if (messageId) await advanceMessage(leadId, messageId, 'SENT', { sentAt: nowIso() });
  // Never counted when it was parked: the touch counts now.
  await bumpCounters(lead.campaignId, attempt.channel, attempt.createdAt.slice(0, 10), { sent: 1 });
  const message = messageId ? await getMessage(leadId, messageId, true) : undefined;
  if (message) await bumpVariantCounters(message, { sent: 1 });
  const status = await moveLead(lead, 'CONTACTED', { stopReason: undefined, resumeFrom: undefined });
  return { leadId, decision: 'sent', status, ...(messageId && { messageId }) };
}

/**
 * `not_sent`: the step is tried again in a new execution, in the sequence version the lead started with (resume.ts);
 * while the campaign is not active the lead waits PAUSED `campaign_inactive` for its resume. A step no known version
 * has any more leaves the lead PAUSED `lead_paused` with `parkedDetail`, for an operator's resume with `fromStep`.
 */
async function retryStep(lead: Lead, attempt: StoredAttempt, stateMachineArn: string): Promise<ReleaseResult> {
  const { leadId } = lead;
  const messageId = attempt.messageId;
  const notSent = { leadId, decision: 'not_sent' as const, ...(messageId && { messageId }) };
  if (messageId) await advanceMessage(leadId, messageId, 'FAILED', { reason: 'ambiguous_send' });
  if (attempt.reservation) await releaseSlots(attempt.reservation);
  const resumeFrom = { stepIndex: attempt.stepIndex, tryCount: attempt.tryNumber + 1 };
  const campaign = await getCampaign(lead.campaignId);
  if (campaign?.state !== 'ACTIVE') {
    // The campaign's own resume restarts it at this step (launcher.ts resumes `campaign_inactive` leads).
    const status = await moveLead(lead, 'PAUSED', { stopReason: 'campaign_inactive', resumeFrom });
    return { ...notSent, status };
  }
  if (lead.companyRepliedAt) {
    // A colleague replied while this lead was parked: its sequence is over (stopOnCompanyReply).
    const status = await moveLead(lead, 'EXHAUSTED', { stopReason: 'company_replied', resumeFrom: undefined });
    return { ...notSent, status };
  }
  const plan = await planResume(lead, campaign, resumeFrom);
  if ('parkedDetail' in plan) {
    const status = await moveLead(lead, 'PAUSED', {
      stopReason: 'lead_paused',
      resumeFrom,
      parkedDetail: plan.parkedDetail,
    });
    return { ...notSent, status };
  }
  const { started, executionName } = await startResumed(lead, campaign, plan, {
    stateMachineArn,
    policies: new RetryPolicyCache(campaign.campaignId),
    // Nothing started: parked again for the campaign's resume or an operator's.
    undo: { status: 'PAUSED', fields: { stopReason: 'campaign_inactive', resumeFrom } },
  });
  if (started === 'claimed-elsewhere') return { ...notSent, status: (await getLead(leadId))?.status ?? lead.status };
  return { ...notSent, status: 'IN_SEQUENCE', executionName };
}

/** A conditional move from the lead's current status; a newer status (a reply landed) wins. */
async function moveLead(lead: Lead, to: Lead['status'], fields: Partial<Lead>): Promise<Lead['status']> {
  try {
    await transitionLead(lead, [lead.status], to, fields);
    return to;
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
    return (await getLead(lead.leadId))?.status ?? lead.status;
  }
}
