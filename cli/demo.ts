import { readFileSync, rmSync } from 'node:fs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_EXECUTIONS_DIR, type LocalStack, startLocalStack } from '#local/stack';
import { publicIdentifierFrom } from '#shared/channels/linkedin/provider-client';
import type { Campaign, Lead } from '#shared/domain/schemas';
import { DEFAULT_SEQUENCE } from '#shared/domain/schemas';
import { executionNameFor } from '#shared/ids';
import { type StoredImport, storeLeads } from '#shared/leads/create';
import { importLeadCsv, type LeadValidationResult } from '#shared/leads/import';
import { fetchExecution } from '#shared/outreach/audit';
import type { LaunchReport } from '#shared/outreach/launcher';
import { DEFAULT_SCHEDULE } from '#shared/schedule/schema';
import { putCampaign } from '#shared/store/leads';
import { nowIso, runWithClock } from '#shared/time/clock';
import { channelPath, formatPath, type PathStep } from './execution-path';
import { progressBar } from './output';

export interface DemoSummary {
  processed: number;
  sent: { EMAIL: number; LINKEDIN: number; CONTACT_FORM: number };
  failed: number;
  stopped: number;
  skipped: number;
  rejected: number;
}

export interface DemoRun {
  executionName: string;
  leadId: string;
  scenario?: string;
  status: string;
  path: PathStep[];
}

export interface DemoOptions {
  leadsFile: string;
  write?: (line: string) => void;
  progress?: boolean;
  /** Keep the stack running after the batch (for tests that inspect the peers); the caller closes it. */
  keepStack?: boolean;
  /** Where the virtual clock starts (epoch ms, `--clock-start`); absent: real now. */
  clockStartMs?: number;
}

export const DEMO_CAMPAIGN_ID = 'demo';

function demoCampaign(): Campaign {
  const now = nowIso();
  return {
    campaignId: DEMO_CAMPAIGN_ID,
    name: 'Cascade demo',
    sender: {
      name: 'Ada Lovelace',
      email: 'ada@cascade-demo.example',
      company: 'Cascade Demo Co',
      phone: '+1 555 0100',
    },
    templates: {},
    sequence: DEFAULT_SEQUENCE,
    minGrade: 'C',
    state: 'ACTIVE',
    // Each lead is reached in its own working hours (Mon–Fri 09–17 there, its country's holidays skipped).
    schedule: DEFAULT_SCHEDULE,
    createdAt: now,
    updatedAt: now,
  };
}

type Write = (line: string) => void;

interface DemoLeads {
  validation: LeadValidationResult;
  stored: StoredImport;
}

/** The lead file validated and stored; each lead with a LinkedIn URL is a member of the LinkedIn sandbox. */
async function importDemoLeads(stack: LocalStack, campaign: Campaign, text: string, write: Write): Promise<DemoLeads> {
  const validation = importLeadCsv(text);
  for (const rejected of validation.rejected) write(`rejected row ${rejected.row}: ${rejected.reasons.join('; ')}`);
  const stored = await storeLeads(campaign, validation.accepted);
  for (const duplicate of stored.duplicates) write(`rejected: ${duplicate.email} is already in the campaign`);
  for (const [index, lead] of stored.created.entries()) {
    const status = validation.accepted[index]?.linkedinStatus ?? lead.linkedinConnectionStatus;
    if (lead.linkedinUrl)
      stack.linkedin.seedProfile({ publicIdentifier: publicIdentifierFrom(lead.linkedinUrl), status });
  }
  return { validation, stored };
}

/** Waits for every execution of the batch to end, drawing how many have. */
async function waitForSequences(stack: LocalStack, started: number, progress: boolean): Promise<void> {
  const bar = progressBar('running sequences [{bar}] {value}/{total} ended', progress);
  bar?.start(started, 0);
  const executions = stack.stepFunctions.list();
  while (executions.some((execution) => execution.status === 'RUNNING')) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    bar?.update(executions.filter((execution) => execution.status !== 'RUNNING').length);
  }
  bar?.update(started);
  bar?.stop();
}

/** Counts one ended execution in the summary; answers how it ended, for its report line. */
function countRun(summary: DemoSummary, described: { status?: string; output?: string; error?: string }): string {
  const output = described.output
    ? (JSON.parse(described.output) as { outcome?: string; channelUsed?: keyof DemoSummary['sent'] })
    : undefined;
  summary.processed++;
  if (described.status === 'SUCCEEDED' && output?.outcome === 'SENT' && output.channelUsed) {
    summary.sent[output.channelUsed]++;
    return `sent via ${output.channelUsed}`;
  }
  if (described.status === 'SUCCEEDED') {
    summary.stopped++;
    return 'stopped';
  }
  summary.failed++;
  return `failed (${described.error ?? described.status})`;
}

/** Audits each execution (in lead-file order), prints its path and verdict, and counts it in `summary`. */
async function reportRuns(
  stack: LocalStack,
  leads: DemoLeads,
  executionNames: string[],
  summary: DemoSummary,
  write: Write,
): Promise<DemoRun[]> {
  const sfn = new SFNClient({});
  const leadsById = new Map<string, Lead>(leads.stored.created.map((lead) => [lead.leadId, lead]));
  const scenarioByLead = new Map(
    leads.stored.created.map((lead, index) => [lead.leadId, leads.validation.accepted[index]?.scenario]),
  );
  const runs: DemoRun[] = [];
  for (const executionName of executionNames) {
    const { described, events } = await fetchExecution(sfn, stack.stepFunctions.arnFor(executionName));
    const leadId = (JSON.parse(described.input ?? '{}') as { leadId?: string }).leadId ?? '';
    const lead = leadsById.get(leadId);
    const who = lead ? `${lead.firstName} ${lead.lastName ?? ''}`.trim() : leadId;
    const verdict = countRun(summary, described);
    const path = channelPath(events);
    const scenario = scenarioByLead.get(leadId);
    runs.push({ executionName, leadId, scenario, status: described.status ?? 'UNKNOWN', path });
    write(`${who.padEnd(30)} ${lead?.grade ?? '?'} ${(scenario ?? '').padEnd(28)} ${formatPath(path)}  ⇒ ${verdict}`);
  }
  return runs;
}

function writeTotals(summary: DemoSummary, firstExecution: string | undefined, write: Write): void {
  write('');
  if (firstExecution)
    write(`audit any run: npx cascade audit <executionName>   e.g. npx cascade audit ${firstExecution}`);
  write('');
  write('channel        sent');
  for (const [channel, count] of Object.entries(summary.sent)) write(`${channel.padEnd(14)} ${count}`);
  write(
    `failed ${summary.failed} · stopped ${summary.stopped} · skipped ${summary.skipped} · rejected ${summary.rejected}`,
  );
  write(JSON.stringify(summary));
}

/**
 * `cascade demo`: the embedded stack, a lead file imported into a campaign, one batch launched through
 * the synthesized state machine with compressed time, and a report of every lead's path.
 */
export async function runDemo(options: DemoOptions) {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const text = readFileSync(options.leadsFile, 'utf8');
  rmSync(LOCAL_EXECUTIONS_DIR, { recursive: true, force: true });
  const stack = await startLocalStack({
    executionStoreDir: LOCAL_EXECUTIONS_DIR,
    ...(options.clockStartMs !== undefined && { clockStartMs: options.clockStartMs }),
  });
  // What the demo itself does (import, launch) reads the stack's clock, as the functions do.
  return runWithClock(stack.clock, () => runOnStack(stack, text, options, write));
}

async function runOnStack(stack: LocalStack, text: string, options: DemoOptions, write: Write) {
  try {
    const campaign = demoCampaign();
    await putCampaign(campaign);
    const leads = await importDemoLeads(stack, campaign, text, write);

    const { handler: launch } = await import('#functions/launch-batch/index');
    const [report] = (await launch({ campaignId: campaign.campaignId }, lambdaContext())) as LaunchReport[];
    if (!report) throw new Error('the launcher returned no report');
    await waitForSequences(stack, report.started, options.progress !== false);

    const summary: DemoSummary = {
      processed: 0,
      sent: { EMAIL: 0, LINKEDIN: 0, CONTACT_FORM: 0 },
      failed: 0,
      stopped: 0,
      skipped: report.skipped.belowGrade + report.skipped.suppressed,
      rejected: leads.validation.rejected.length + leads.stored.duplicates.length,
    };
    const inFileOrder = leads.stored.created
      .map((lead) => executionNameFor(campaign.campaignId, lead.leadId))
      .filter((name) => report.executions.includes(name));
    const runs = await reportRuns(stack, leads, inFileOrder, summary, write);
    writeTotals(summary, inFileOrder[0], write);
    return { summary, report, stack, runs, leads: leads.stored.created };
  } finally {
    if (!options.keepStack) await stack.close();
  }
}

function lambdaContext() {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'LaunchBatchFunction',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:LaunchBatchFunction',
    memoryLimitInMB: '512',
    awsRequestId: 'demo',
    logGroupName: '/aws/lambda/LaunchBatchFunction',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 300_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
