import { requiredSetting } from '../config/settings';
import type { Campaign, ChannelType, Lead } from '../domain/schemas';
import { CodedError } from '../errors';
import { executionNameFor } from '../ids';
import { DEFAULT_ACCOUNT_LIMITS, resolveAccountLimits } from '../store/config';
import { countLeadsBelowGrade, getCampaign, queryLeadsByStatus, updateLeadFields } from '../store/leads';
import { claimPersonSlot, releasePersonSlot } from '../store/person-claims';
import {
  channelClosedBy,
  findSuppressionsByKeys,
  personStop,
  suppressionKeysToRead,
} from '../store/suppression-checks';
import { ChannelConfigCache, type DryRunEntry, previewLead } from './dry-run';
import { hasContactPoint } from './reachability';
import { claimAndStart, parkedAsBefore, planResume, RetryPolicyCache, startResumed } from './resume';
import { type RetryPolicies, retryPoliciesFor, sequenceRunFields } from './sequence-run';
import { buildExecutionInput } from './task-input';

export type { DryRunEntry } from './dry-run';

export class CampaignNotActiveError extends CodedError('CampaignNotActiveError', 'campaign_not_active', 'conflict') {}

export interface LaunchOptions {
  campaignId: string;
  limit?: number;
  dryRun?: boolean;
  stateMachineArn?: string;
}

export interface LaunchReport {
  campaignId: string;
  started: number;
  alreadyRunning: number;
  skipped: { belowGrade: number; suppressed: number; inOtherCampaign: number };
  /** Leads of this batch left NEW for a reason of their own (capped at MAX_SKIPPED_LISTED). */
  skippedLeads: { leadId: string; reason: 'in_other_campaign' }[];
  executions: string[];
  dryRun?: DryRunEntry[];
}

const START_CONCURRENCY = 8;
/** The skipped leads a report names one by one; the counts hold them all. */
export const MAX_SKIPPED_LISTED = 100;

/**
 * Enrols a campaign's NEW leads with grade >= minGrade: each is moved to IN_SEQUENCE (conditional
 * write) and gets one execution with a deterministic name, so a second launch of the same lead is
 * reported as already running instead of starting a second sequence.
 */
export async function launchBatch(options: LaunchOptions): Promise<LaunchReport> {
  const campaign = await getCampaign(options.campaignId);
  if (!campaign) throw new CampaignNotActiveError(`campaign ${options.campaignId} does not exist`);
  if (campaign.state !== 'ACTIVE')
    throw new CampaignNotActiveError(`campaign ${options.campaignId} is ${campaign.state}`);
  const stateMachineArn =
    options.stateMachineArn ?? (options.dryRun ? undefined : requiredSetting('CASCADE_STATE_MACHINE_ARN'));

  const report: LaunchReport = {
    campaignId: campaign.campaignId,
    started: 0,
    alreadyRunning: 0,
    skipped: {
      belowGrade: await countLeadsBelowGrade(campaign.campaignId, 'NEW', campaign.minGrade),
      suppressed: 0,
      inOtherCampaign: 0,
    },
    skippedLeads: [],
    executions: [],
    ...(options.dryRun && { dryRun: [] }),
  };
  const start: EnrolStart = {
    ...(options.dryRun && { dryRun: new ChannelConfigCache(campaign.campaignId) }),
    stateMachineArn,
    retryPolicies: await retryPoliciesFor(campaign.campaignId, campaign.sequence),
    maxActivePerPerson:
      (await resolveAccountLimits()).maxActiveSequencesPerPerson ?? DEFAULT_ACCOUNT_LIMITS.maxActiveSequencesPerPerson,
  };
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  let seen = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryLeadsByStatus(campaign.campaignId, 'NEW', {
      minGrade: campaign.minGrade,
      startKey,
      limit: 100,
    });
    const batch = page.leads.slice(0, Math.max(0, limit - seen));
    seen += batch.length;
    for (let index = 0; index < batch.length; index += START_CONCURRENCY) {
      await Promise.all(
        batch.slice(index, index + START_CONCURRENCY).map((lead) => enrol(lead, campaign, report, start)),
      );
    }
    startKey = page.nextKey;
  } while (startKey && seen < limit);
  return report;
}

/** What every lead of one batch starts with (read once per batch). */
interface EnrolStart {
  /** A dry run: the channel configs its renders resolve templates with (each read once per batch). */
  dryRun?: ChannelConfigCache;
  stateMachineArn: string | undefined;
  retryPolicies: RetryPolicies;
  /** `maxActiveSequencesPerPerson`: a person already in that many other campaigns' sequences is skipped. */
  maxActivePerPerson: number;
}

async function enrol(lead: Lead, campaign: Campaign, report: LaunchReport, start: EnrolStart) {
  const closed = await closedChannels(lead, campaign);
  if (closed === 'person') {
    report.skipped.suppressed++;
    return;
  }
  if (start.dryRun) {
    report.dryRun?.push(await previewLead(lead, campaign, closed, start.dryRun));
    return;
  }
  // The person's place first (one conditional write on the person's item): two campaigns' batches cannot both
  // take the last one. The lead stays NEW, for a batch after the other sequence ends.
  if ((await claimPersonSlot(lead, start.maxActivePerPerson)) === 'full') {
    report.skipped.inOtherCampaign++;
    if (report.skippedLeads.length < MAX_SKIPPED_LISTED)
      report.skippedLeads.push({ leadId: lead.leadId, reason: 'in_other_campaign' });
    return;
  }
  const executionName = executionNameFor(campaign.campaignId, lead.leadId);
  let started: Awaited<ReturnType<typeof claimAndStart>>;
  try {
    started = await claimAndStart(
      lead,
      {
        from: ['NEW'],
        fields: { executionName, sequenceVersion: campaign.sequence.version, ...sequenceRunFields(campaign) },
      },
      // Nothing started: give the lead back to the next batch.
      { status: 'NEW', fields: { executionName: undefined, sequenceDeadline: undefined } },
      {
        stateMachineArn: start.stateMachineArn,
        name: executionName,
        input: JSON.stringify(
          buildExecutionInput(
            campaign.campaignId,
            lead.leadId,
            campaign.sequence,
            null,
            undefined,
            start.retryPolicies,
          ),
        ),
      },
    );
  } catch (error) {
    await releasePersonSlot(lead);
    throw error;
  }
  if (started === 'started') {
    report.started++;
    report.executions.push(executionName);
  } else {
    report.alreadyRunning++;
  }
}

/**
 * What the suppression list closes for this lead (one BatchGet): `person` when the lead must not be enrolled —
 * the person opted out or was erased, or every channel of the sequence that could reach them is suppressed —
 * else the channels closed, whose steps will fall back with `suppressed` (a bounced address leaves LinkedIn
 * and the form open: docs/product.md §2).
 */
async function closedChannels(lead: Lead, campaign: Campaign): Promise<'person' | Set<ChannelType>> {
  const channels = [...new Set(campaign.sequence.steps.map((step) => step.channel))];
  const entries = await findSuppressionsByKeys(suppressionKeysToRead(lead, channels));
  if (personStop(lead, entries)) return 'person';
  const closed = new Set(channels.filter((channel) => channelClosedBy(lead, channel, entries)));
  const open = channels.filter((channel) => !closed.has(channel) && hasContactPoint(lead, channel));
  // A lead no channel could reach anyway is enrolled as before: its steps record why (missing_address, …).
  return closed.size > 0 && open.length === 0 ? 'person' : closed;
}

export interface ResumeReport {
  /** Sequences restarted at the step they had not sent yet (in the sequence version each started with). */
  resumed: number;
  /** Leads left PAUSED: their step is in no known sequence version, or another resume got there first. */
  keptParked: number;
  executions: string[];
  /** The leads left PAUSED because their step could not be placed, and why. */
  kept: { leadId: string; detail: string }[];
}

/**
 * After a campaign is resumed: the leads whose sequences stopped on `campaign_inactive` get a new execution that
 * starts at the step they had not sent, in the sequence version they started with (an edit made meanwhile does not
 * strand them). Each is taken PAUSED → IN_SEQUENCE with one conditional write, and the
 * execution name counts the resumes, so two concurrent resumes start one execution per lead. Leads parked for
 * any other reason (`ambiguous_send`, `template_error`) stay PAUSED for an operator.
 */
export async function resumeParkedLeads(campaignId: string, stateMachineArn?: string): Promise<ResumeReport> {
  const campaign = await getCampaign(campaignId);
  if (campaign?.state !== 'ACTIVE')
    throw new CampaignNotActiveError(`campaign ${campaignId} is ${campaign?.state ?? 'missing'}`);
  const machineArn = stateMachineArn ?? requiredSetting('CASCADE_STATE_MACHINE_ARN');
  const report: ResumeReport = { resumed: 0, keptParked: 0, executions: [], kept: [] };
  const policies = new RetryPolicyCache(campaign.campaignId);
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryLeadsByStatus(campaign.campaignId, 'PAUSED', { startKey, limit: 100 });
    const parked = page.leads.filter((lead) => lead.stopReason === 'campaign_inactive' && lead.resumeFrom);
    for (let index = 0; index < parked.length; index += START_CONCURRENCY) {
      await Promise.all(
        parked
          .slice(index, index + START_CONCURRENCY)
          .map((lead) => resumeLead(lead, campaign, report, { machineArn, policies })),
      );
    }
    startKey = page.nextKey;
  } while (startKey);
  return report;
}

/**
 * Restarts one parked lead in its own sequence version at the step it had not sent (resume.ts); a lead whose step
 * cannot be placed in any known version stays PAUSED with `parkedDetail` saying why and how to resume it by hand.
 */
async function resumeLead(
  lead: Lead,
  campaign: Campaign,
  report: ResumeReport,
  start: { machineArn: string; policies: RetryPolicyCache },
) {
  if (!lead.resumeFrom) {
    report.keptParked++;
    return;
  }
  const plan = await planResume(lead, campaign, lead.resumeFrom);
  if ('parkedDetail' in plan) {
    report.keptParked++;
    report.kept.push({ leadId: lead.leadId, detail: plan.parkedDetail });
    await updateLeadFields(lead.leadId, { parkedDetail: plan.parkedDetail });
    return;
  }
  const { started, executionName } = await startResumed(lead, campaign, plan, {
    stateMachineArn: start.machineArn,
    policies: start.policies,
    // Nothing started: parked again exactly as it was, for the next resume.
    undo: parkedAsBefore(lead),
  });
  if (started === 'claimed-elsewhere') {
    report.keptParked++;
    return;
  }
  report.resumed++;
  if (started === 'started') report.executions.push(executionName);
}
