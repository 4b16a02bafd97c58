import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../aws/clients';
import type { Campaign, Lead, LeadStatus } from '../domain/schemas';
import { CodedError } from '../errors';
import { logger } from '../observability';
import { getCampaign, getLead, LeadStatusConflictError, transitionLead } from '../store/leads';
import { listExecutionAttempts } from '../store/outreach';
import {
  leadSequence,
  type NextStep,
  nextStepAfter,
  planResume,
  type ResumeFrom,
  RetryPolicyCache,
  startResumed,
} from './resume';

/**
 * An operator pausing and resuming one lead (`POST /v1/leads/{id}/pause|resume`, docs/product.md §7). A pause
 * takes the lead out of its sequence at once (PAUSED `lead_paused`, its execution stopped) and notes the step it
 * had not sent; a resume restarts it there in a new execution, in the sequence version it started with.
 */

export class LeadSteeringNotFoundError extends CodedError('LeadSteeringNotFoundError', 'not_found', 'not_found') {}
export class LeadNotPausableError extends CodedError('LeadNotPausableError', 'lead_not_pausable', 'conflict') {}
export class LeadNotResumableError extends CodedError('LeadNotResumableError', 'lead_not_resumable', 'conflict') {}
export class LeadAwaitsReleaseError extends CodedError('LeadAwaitsReleaseError', 'lead_awaits_release', 'conflict') {}
export class SendInFlightError extends CodedError('SendInFlightError', 'send_in_flight', 'conflict') {}
export class CampaignInactiveError extends CodedError('CampaignInactiveError', 'campaign_not_active', 'conflict') {}
export class UnknownStepError extends CodedError('UnknownStepError', 'unknown_step', 'conflict') {}

export interface SteeringResult {
  leadId: string;
  status: LeadStatus;
  stopReason?: Lead['stopReason'];
  resumeFrom?: ResumeFrom;
  /** Pause: the execution that was stopped; resume: the one started. */
  executionName?: string;
  parkedDetail?: string;
}

/**
 * Parked leads an operator may resume: their own pause, an out-of-office pause (early, or by the sweep at its
 * `resumeAt`), or a campaign pause the campaign's resume left behind.
 */
const RESUMABLE_REASONS: ReadonlySet<string> = new Set(['lead_paused', 'out_of_office', 'campaign_inactive']);

/** Why a lead is paused: an operator's pause, or an out-of-office auto-reply (with when it picks up again). */
export type PauseReason = { stopReason: 'lead_paused' } | { stopReason: 'out_of_office'; resumeAt: string };

/** Pauses whose run stopped between steps: the step to resume is read from the run's tries. */
const PAUSED_MID_RUN: ReadonlySet<string> = new Set(['lead_paused', 'out_of_office']);

async function requireLead(leadId: string): Promise<Lead> {
  const lead = await getLead(leadId);
  if (!lead) throw new LeadSteeringNotFoundError(`lead ${leadId}`);
  return lead;
}

const executionArnOf = (stateMachineArn: string, executionName: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;

/** Stops an execution; one that already ended is fine (its last step saw the lead PAUSED and stopped anyway). */
export async function stopExecution(stateMachineArn: string, executionName: string, cause: string): Promise<void> {
  try {
    await sfnClient().send(
      new StopExecutionCommand({ executionArn: executionArnOf(stateMachineArn, executionName), error: cause, cause }),
    );
  } catch (error) {
    // The step re-check before every send stops it anyway: a failed stop costs a transition, never a send.
    logger.warn('could not stop an execution', { executionName, error: (error as Error).message });
  }
}

/**
 * Pauses a lead: NEW → PAUSED (a batch, which enrols NEW leads only, skips it); IN_SEQUENCE → PAUSED first (one
 * conditional write: from then on every step's re-check stops the run), then its execution is stopped and the step
 * it had not sent noted in `resumeFrom`. Any other status is a conflict that names it.
 */
export async function pauseLead(
  leadId: string,
  stateMachineArn: string,
  why: PauseReason = { stopReason: 'lead_paused' },
): Promise<SteeringResult> {
  const lead = await requireLead(leadId);
  if (lead.status !== 'NEW' && lead.status !== 'IN_SEQUENCE')
    throw new LeadNotPausableError(`lead ${leadId} is ${lead.status}: only NEW and IN_SEQUENCE leads can be paused`);
  try {
    await transitionLead(lead, [lead.status], 'PAUSED', { ...why });
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
    const now = await getLead(leadId);
    throw new LeadNotPausableError(`lead ${leadId} moved to ${now?.status ?? 'nothing'} meanwhile`);
  }
  const { stopReason } = why;
  if (lead.status === 'NEW' || !lead.executionName) return { leadId, status: 'PAUSED', stopReason };
  await stopExecution(
    stateMachineArn,
    lead.executionName,
    stopReason === 'out_of_office' ? 'OutOfOffice' : 'LeadPaused',
  );
  const campaign = await getCampaign(lead.campaignId);
  const next = campaign ? await nextStepOf(lead, campaign) : undefined;
  // A try still calling the provider: resume reads its outcome then; meanwhile the step itself is the guess.
  const resumeFrom = next && 'stepIndex' in next ? next : next && 'inFlight' in next ? againOf(next) : undefined;
  if (resumeFrom) await moveParked(lead, { resumeFrom });
  return {
    leadId,
    status: 'PAUSED',
    stopReason,
    executionName: lead.executionName,
    ...(resumeFrom && { resumeFrom }),
  };
}

const againOf = (next: { inFlight: { stepIndex: number; tryNumber: number } }): ResumeFrom => ({
  stepIndex: next.inFlight.stepIndex,
  tryCount: next.inFlight.tryNumber + 1,
});

/** Writes on a lead still PAUSED by its own pause (a reply landing meanwhile wins). */
async function moveParked(lead: Lead, fields: Partial<Lead>, to: LeadStatus = 'PAUSED'): Promise<void> {
  try {
    await transitionLead(lead, ['PAUSED'], to, fields);
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
  }
}

/** The step the lead's last execution had not sent, from its tries, in the sequence that execution ran. */
async function nextStepOf(lead: Lead, campaign: Campaign): Promise<NextStep | undefined> {
  if (!lead.executionName) return undefined;
  // A version replaced before versions were kept: its steps' places are read in the current one (planResume then
  // maps them by their positional ids).
  const sequence = (await leadSequence(lead, campaign)) ?? campaign.sequence;
  return nextStepAfter(await listExecutionAttempts(lead.leadId, lead.executionName), sequence);
}

/**
 * Resumes a lead an operator (or a campaign pause) parked. A lead paused while NEW goes back to NEW; a lead paused
 * in its sequence restarts at the step it had not sent — read again from its tries now, so a send that landed after
 * the pause moves it on — in a new execution `<campaign>--<lead>--r<n>` of its own sequence version (`fromStep`:
 * a step of the current version instead). A lead parked on an ambiguous send is settled by a release instead.
 */
export async function resumeLeadById(
  leadId: string,
  options: { stateMachineArn: string; fromStep?: string },
): Promise<SteeringResult> {
  const lead = await requireLead(leadId);
  if (lead.status !== 'PAUSED') throw new LeadNotResumableError(`lead ${leadId} is ${lead.status}, not PAUSED`);
  if (lead.stopReason === 'ambiguous_send')
    throw new LeadAwaitsReleaseError(
      `lead ${leadId} is parked on an ambiguous send: settle it with POST /v1/leads/${leadId}/release`,
    );
  if (!RESUMABLE_REASONS.has(lead.stopReason ?? 'lead_paused'))
    throw new LeadNotResumableError(`lead ${leadId} is PAUSED for ${lead.stopReason}, not by a pause`);
  const campaign = await getCampaign(lead.campaignId);
  if (campaign?.state !== 'ACTIVE')
    throw new CampaignInactiveError(`campaign ${lead.campaignId} is ${campaign?.state ?? 'missing'}`);
  if (PAUSED_MID_RUN.has(lead.stopReason ?? '') && !lead.executionName) {
    // Paused while NEW: it never ran, so it goes back to the batches.
    await transitionLead(lead, ['PAUSED'], 'NEW', { stopReason: undefined, resumeAt: undefined });
    return { leadId, status: 'NEW' };
  }
  const next = PAUSED_MID_RUN.has(lead.stopReason ?? '') ? await nextStepOf(lead, campaign) : undefined;
  if (next && 'inFlight' in next)
    throw new SendInFlightError(`lead ${leadId}: a send of its last run is still in flight; resume it in a minute`);
  if (next && 'end' in next) {
    // The run had reached its end before the pause took hold (its last touch sent, or its last step fell back).
    const status = next.end === 'sent' ? 'CONTACTED' : 'EXHAUSTED';
    await moveParked(lead, { stopReason: undefined, resumeFrom: undefined, resumeAt: undefined }, status);
    return { leadId, status };
  }
  const resumeFrom = next ?? lead.resumeFrom ?? { stepIndex: 0, tryCount: 1 };
  return restart(lead, campaign, resumeFrom, options);
}

async function restart(
  lead: Lead,
  campaign: Campaign,
  resumeFrom: ResumeFrom,
  options: { stateMachineArn: string; fromStep?: string },
): Promise<SteeringResult> {
  const plan = await planResume(lead, campaign, resumeFrom, options.fromStep);
  if ('parkedDetail' in plan) {
    if (options.fromStep !== undefined) throw new UnknownStepError(plan.parkedDetail);
    await moveParked(lead, { parkedDetail: plan.parkedDetail });
    throw new LeadNotResumableError(plan.parkedDetail);
  }
  const { started, executionName } = await startResumed(lead, campaign, plan, {
    stateMachineArn: options.stateMachineArn,
    policies: new RetryPolicyCache(campaign.campaignId),
    // Nothing started: parked again as it was, with the step it restarts at.
    undo: { status: 'PAUSED', fields: { stopReason: lead.stopReason, resumeFrom, executionName: lead.executionName } },
  });
  if (started === 'claimed-elsewhere') {
    const now = await getLead(lead.leadId);
    throw new LeadNotResumableError(`lead ${lead.leadId} moved to ${now?.status ?? 'nothing'} meanwhile`);
  }
  return { leadId: lead.leadId, status: 'IN_SEQUENCE', executionName, resumeFrom: plan.resumeFrom };
}
