import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { sfnClient } from '../aws/clients';
import { requiredSetting } from '../config/settings';
import type { Campaign, Lead, OutreachMessage } from '../domain/schemas';
import { executionNameFor } from '../ids';
import { logger } from '../observability';
import { getCampaign, getLead, LeadStatusConflictError, transitionLead } from '../store/leads';
import { listExecutionAttempts } from '../store/outreach';
import { executionArnFor } from './audit';
import { retryPoliciesFor, sequenceRunFields } from './sequence-run';
import { buildExecutionInput } from './task-input';

/**
 * What a permanent bounce of an email did to its lead's sequence (docs/product.md §2: a hard bounce that
 * arrives after the execution ended still closes EMAIL; if that mail was the touch that ended the sequence, the
 * lead continues at its next non-EMAIL step in a new execution).
 * - `started`: a new execution runs the next non-EMAIL step (or had already been started by a replay);
 * - `parked`: the campaign is not active: the lead waits PAUSED `campaign_inactive` for its resume;
 * - `bounced`: nothing follows the email in the sequence: the lead is BOUNCED;
 * - `none`: the mail did not end the lead's sequence (or the sequence still runs and its own delivery check
 *   decides, or the run is no longer known, or the lead's company replied), `why` says which.
 */
export type LateBounceResult =
  | { action: 'started'; executionName: string }
  | { action: 'parked' | 'bounced' }
  | { action: 'none'; why: string };

const none = (why: string): LateBounceResult => ({ action: 'none', why });

/**
 * Continues a lead whose sequence ended SENT on `message` (an EMAIL that has now bounced permanently). Every
 * move of the lead is conditional on its being CONTACTED on that execution, so a duplicate or replayed bounce
 * event starts nothing twice.
 */
export async function continueAfterLateBounce(
  message: OutreachMessage,
  options: { stateMachineArn?: string } = {},
): Promise<LateBounceResult> {
  if (message.channel !== 'EMAIL') return none('not_email');
  const lead = await getLead(message.leadId);
  if (lead?.status !== 'CONTACTED') return none('lead_not_contacted');
  // A colleague at the same company replied (stopOnCompanyReply): the lead's sequence is over for good. A lead parked
  // on an ambiguous send when that happened is only marked, and this very bounce settles it CONTACTED first.
  if (lead.companyRepliedAt || lead.stopReason === 'company_replied') return none('company_replied');
  // The lead's last execution sent this mail; a later one (an operator's send, a resume) owns the lead now.
  if (lead.executionName !== message.executionName) return none('not_last_execution');
  const attempts = await listExecutionAttempts(lead.leadId, message.executionName);
  const emailStep = attempts.find((attempt) => attempt.attemptKey === message.attemptKey)?.stepIndex;
  if (emailStep === undefined) return none('no_attempt');
  if (attempts.some((attempt) => attempt.outcome === 'SENT' && attempt.stepIndex > emailStep))
    return none('later_touch');

  const stateMachineArn = options.stateMachineArn ?? requiredSetting('CASCADE_STATE_MACHINE_ARN');
  const ended = await endedExecution(stateMachineArn, message.executionName);
  if (!ended) return none('execution_not_ended');
  // An operator's own message (an override) ran outside the campaign's sequence: nothing to continue.
  if ((JSON.parse(ended.input ?? '{}') as { override?: unknown }).override) return none('operator_send');

  const campaign = await getCampaign(lead.campaignId);
  if (!campaign) return none('no_campaign');
  // Step indexes of an edited sequence no longer mean what they meant to this run (the launcher's resume keeps
  // such leads parked for the same reason): the mail bounced and nothing follows it.
  const edited = lead.sequenceVersion !== undefined && lead.sequenceVersion !== campaign.sequence.version;
  const next = edited
    ? -1
    : campaign.sequence.steps.findIndex((step, index) => index > emailStep && step.channel !== 'EMAIL');
  if (next < 0)
    return (await moveFromContacted(lead, 'BOUNCED', { stopReason: 'bounce' }))
      ? { action: 'bounced' }
      : none('lead_moved');
  const resumeFrom = { stepIndex: next, tryCount: 1 };
  if (campaign.state !== 'ACTIVE') {
    // The campaign's own resume starts it at that step (launcher.ts resumes `campaign_inactive` leads).
    const parked = await moveFromContacted(lead, 'PAUSED', { stopReason: 'campaign_inactive', resumeFrom });
    return parked ? { action: 'parked' } : none('lead_moved');
  }
  return startFrom(lead, campaign, resumeFrom, stateMachineArn);
}

/** The execution as DescribeExecution reports it once it has ended; undefined while it runs or if unknown. */
async function endedExecution(
  stateMachineArn: string,
  executionName: string,
): Promise<DescribeExecutionCommandOutput | undefined> {
  try {
    const described = await sfnClient().send(
      new DescribeExecutionCommand({ executionArn: executionArnFor(stateMachineArn, executionName) }),
    );
    // While it runs, its own `Check Delivery` sees the bounce and falls back within the run.
    return described.status === 'RUNNING' ? undefined : described;
  } catch (error) {
    // Gone (kept 90 days after it closed): what it was is unknown, so nothing is continued.
    if ((error as { name?: string }).name === 'ExecutionDoesNotExist') return undefined;
    throw error;
  }
}

/** CONTACTED → `to`, once: false when the lead moved meanwhile (a reply, or another copy of this event). */
async function moveFromContacted(lead: Lead, to: Lead['status'], fields: Partial<Lead>): Promise<boolean> {
  try {
    await transitionLead(lead, ['CONTACTED'], to, fields);
    return true;
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
    return false;
  }
}

/** As release.ts's retryStep starts one: `<campaign>--<lead>--r<n>`, claimed by one conditional move of the lead. */
async function startFrom(
  lead: Lead,
  campaign: Campaign,
  resumeFrom: { stepIndex: number; tryCount: number },
  stateMachineArn: string,
): Promise<LateBounceResult> {
  const { leadId } = lead;
  const retryPolicies = await retryPoliciesFor(campaign.campaignId, campaign.sequence);
  const resumeCount = (lead.resumeCount ?? 0) + 1;
  const executionName = executionNameFor(campaign.campaignId, `${leadId}--r${resumeCount}`);
  const claimed = await moveFromContacted(lead, 'IN_SEQUENCE', {
    executionName,
    stopReason: undefined,
    resumeFrom: undefined,
    resumeCount,
    sequenceVersion: campaign.sequence.version,
    ...sequenceRunFields(campaign),
  });
  if (!claimed) return none('lead_moved');
  const input = buildExecutionInput(campaign.campaignId, leadId, campaign.sequence, null, resumeFrom, retryPolicies);
  try {
    await sfnClient().send(
      new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify(input) }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'ExecutionAlreadyExists') {
      // Nothing started: the lead is as the bounce found it, so the event's retry continues it.
      await transitionLead(lead, ['IN_SEQUENCE'], 'CONTACTED', {
        executionName: lead.executionName,
        resumeCount: lead.resumeCount,
        sequenceVersion: lead.sequenceVersion,
        sequenceDeadline: lead.sequenceDeadline,
      });
      throw error;
    }
  }
  logger.info('late bounce: the sequence continues after the email', { leadId, executionName, resumeFrom });
  return { action: 'started', executionName };
}
