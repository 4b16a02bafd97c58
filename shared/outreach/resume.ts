import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../aws/clients';
import { type Campaign, type Lead, type LeadStatus, type SequenceConfig, stepIdOf } from '../domain/schemas';
import { executionNameFor } from '../ids';
import { LeadStatusConflictError, transitionLead } from '../store/leads';
import type { StoredAttempt } from '../store/outreach';
import { getSequenceVersion } from '../store/sequence-versions';
import { nowMs } from '../time/clock';
import { type RetryPolicies, retryPoliciesFor, sequenceRunFields } from './sequence-run';
import { buildExecutionInput, targetIndex } from './task-input';

/**
 * Restarting a parked lead's sequence where it stopped, in a new execution `<campaign>--<lead>--r<n>`: the
 * campaign's resume (launcher.ts), an operator's lead resume (lead-steering.ts) and a release (release.ts).
 * A lead keeps the sequence version it started with (docs/product.md §2): it resumes in that version, whatever
 * the campaign's current one is.
 */

export interface ResumeFrom {
  stepIndex: number;
  tryCount: number;
}

/** Where and in which sequence a parked lead restarts; `sequenceVersion` is written on the lead with it. */
export interface ResumePlan {
  sequence: SequenceConfig;
  resumeFrom: ResumeFrom;
}

/** Why a lead could not be placed: it stays parked, the text on the lead (`parkedDetail`) for the operator. */
export interface Unplaceable {
  parkedDetail: string;
}

/** The sequence version the lead started with, when it is still known (stored, or the campaign's current one). */
export async function leadSequence(lead: Lead, campaign: Campaign): Promise<SequenceConfig | undefined> {
  return getSequenceVersion(campaign.campaignId, lead.sequenceVersion ?? campaign.sequence.version, campaign.sequence);
}

/**
 * Where the lead restarts: `resumeFrom` in its own version; when that version is no longer known (replaced before
 * versions were kept), the step with the same id in the campaign's current version — a step of such an old
 * version had no id of its own, so its id is `step-<n>` by position. `fromStep` (an operator's choice) names a step
 * of the current version instead.
 */
export async function planResume(
  lead: Lead,
  campaign: Campaign,
  resumeFrom: ResumeFrom,
  fromStep?: string,
): Promise<ResumePlan | Unplaceable> {
  const current = campaign.sequence;
  if (fromStep !== undefined) {
    const index = current.steps.findIndex((step, at) => stepIdOf(step, at) === fromStep);
    if (index === -1) return { parkedDetail: `version ${current.version} of the sequence has no step "${fromStep}"` };
    return { sequence: current, resumeFrom: { stepIndex: index, tryCount: resumeFrom.tryCount } };
  }
  const own = await leadSequence(lead, campaign);
  if (own?.steps[resumeFrom.stepIndex]) return { sequence: own, resumeFrom };
  const oldId = `step-${resumeFrom.stepIndex + 1}`;
  const index = current.steps.findIndex((step, at) => stepIdOf(step, at) === oldId);
  if (index !== -1) return { sequence: current, resumeFrom: { stepIndex: index, tryCount: resumeFrom.tryCount } };
  return {
    parkedDetail:
      `sequence version ${lead.sequenceVersion ?? '?'} is no longer stored and version ${current.version} has no ` +
      `step "${oldId}": resume it with fromStep (POST /v1/leads/${lead.leadId}/resume)`,
  };
}

/** Longer than any channel Task may run (2 min timeout, 90 s form function): a try older than this is dead. */
const TRY_LIFETIME_MS = 5 * 60_000;

/**
 * Whether an unfinished try of a stopped run may still reach the provider: CALLING, or claimed so recently that
 * its invocation (which StopExecution does not kill) may still pass its checks and call. Resuming then would send
 * the step twice; the operator resumes once it has finished.
 */
function mayStillSend(attempt: StoredAttempt, atMs: number): boolean {
  if (attempt.phase === 'CALLING') return true;
  const touched = Date.parse(attempt.updatedAt ?? attempt.createdAt);
  return Number.isNaN(touched) || atMs - touched < TRY_LIFETIME_MS;
}

/** Where a sequence goes on after its last try: a step to try, or its end (`sent`: a touch ended it). */
export type NextStep = ResumeFrom | { end: 'sent' | 'exhausted' } | { inFlight: StoredAttempt };

/**
 * The step a stopped execution had not sent yet, from its tries (listExecutionAttempts) in the sequence it ran: a
 * sent step goes on where `onSent` says; a retry, a stop (the pause's own re-check) or an unfinished try that never
 * called the provider is tried again; a fallback goes to the next step. A try still CALLING the provider is in
 * flight: its outcome decides, so it must finish first.
 */
export function nextStepAfter(
  attempts: readonly StoredAttempt[],
  sequence: SequenceConfig,
  atMs: number = nowMs(),
): NextStep {
  const last = [...attempts].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.stepIndex - b.stepIndex || a.tryNumber - b.tryNumber,
  )[attempts.length - 1];
  if (!last) return { stepIndex: 0, tryCount: 1 };
  const again = { stepIndex: last.stepIndex, tryCount: last.tryNumber + 1 };
  if (last.state !== 'DONE') return mayStillSend(last, atMs) ? { inFlight: last } : again;
  const step = sequence.steps[last.stepIndex];
  if (last.outcome === 'SENT') {
    const next = step ? targetIndex(sequence.steps, last.stepIndex, step.onSent) : -1;
    return next === -1 ? { end: 'sent' } : { stepIndex: next, tryCount: 1 };
  }
  if (last.outcome === 'FALLBACK')
    return last.stepIndex + 1 < sequence.steps.length
      ? { stepIndex: last.stepIndex + 1, tryCount: 1 }
      : { end: 'exhausted' };
  return again;
}

/**
 * Takes the lead for one execution with a conditional status change, then starts it. `claimed-elsewhere`: the
 * lead was not in `claim.from` (another launch or resume has it); `exists`: Step Functions already has this
 * execution name. Any other failure to start puts the lead back as `undo` says and rethrows.
 */
export async function claimAndStart(
  lead: Lead,
  claim: { from: LeadStatus[]; fields: Partial<Lead> },
  undo: { status: LeadStatus; fields: Partial<Lead> },
  start: { stateMachineArn: string | undefined; name: string; input: string },
): Promise<'started' | 'claimed-elsewhere' | 'exists'> {
  try {
    await transitionLead(lead, claim.from, 'IN_SEQUENCE', claim.fields);
  } catch (error) {
    if (error instanceof LeadStatusConflictError) return 'claimed-elsewhere';
    throw error;
  }
  try {
    await sfnClient().send(new StartExecutionCommand(start));
    return 'started';
  } catch (error) {
    if ((error as { name?: string }).name === 'ExecutionAlreadyExists') return 'exists';
    await transitionLead(lead, ['IN_SEQUENCE'], undo.status, undo.fields);
    throw error;
  }
}

/** Retry policies per sequence version, read once per batch of resumes. */
export class RetryPolicyCache {
  private readonly byVersion = new Map<number, Promise<RetryPolicies>>();
  constructor(private readonly campaignId: string) {}
  for(sequence: SequenceConfig): Promise<RetryPolicies> {
    let policies = this.byVersion.get(sequence.version);
    if (!policies) {
      policies = retryPoliciesFor(this.campaignId, sequence);
      this.byVersion.set(sequence.version, policies);
    }
    return policies;
  }
}

export interface ResumeStart {
  stateMachineArn: string;
  policies: RetryPolicyCache;
  /** The status the lead is parked in (PAUSED), and how it goes back there when nothing started. */
  undo: { status: LeadStatus; fields: Partial<Lead> };
}

/** Starts the resumed execution of a parked lead as `plan` says (one conditional PAUSED → IN_SEQUENCE claim). */
export async function startResumed(
  lead: Lead,
  campaign: Campaign,
  plan: ResumePlan,
  start: ResumeStart,
): Promise<{ started: 'started' | 'claimed-elsewhere' | 'exists'; executionName: string }> {
  const resumeCount = (lead.resumeCount ?? 0) + 1;
  const executionName = executionNameFor(campaign.campaignId, `${lead.leadId}--r${resumeCount}`);
  const input = buildExecutionInput(
    campaign.campaignId,
    lead.leadId,
    plan.sequence,
    null,
    plan.resumeFrom,
    await start.policies.for(plan.sequence),
  );
  const started = await claimAndStart(
    lead,
    {
      from: [lead.status],
      fields: {
        executionName,
        stopReason: undefined,
        resumeFrom: undefined,
        parkedDetail: undefined,
        resumeAt: undefined,
        resumeCount,
        sequenceVersion: plan.sequence.version,
        ...sequenceRunFields({ sequence: plan.sequence }),
      },
    },
    start.undo,
    { stateMachineArn: start.stateMachineArn, name: executionName, input: JSON.stringify(input) },
  );
  return { started, executionName };
}

/** How a parked lead is put back exactly as it was when its resume started nothing. */
export function parkedAsBefore(lead: Lead): { status: LeadStatus; fields: Partial<Lead> } {
  return {
    status: lead.status,
    fields: {
      executionName: lead.executionName,
      stopReason: lead.stopReason,
      resumeFrom: lead.resumeFrom,
      resumeCount: lead.resumeCount,
      sequenceVersion: lead.sequenceVersion,
      sequenceDeadline: lead.sequenceDeadline,
    },
  };
}
