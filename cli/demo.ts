import { readFileSync, rmSync } from 'node:fs';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SingleBar } from 'cli-progress';
import { LOCAL_EXECUTIONS_DIR, startLocalStack } from '#local/stack';
import { publicIdentifierFrom } from '#shared/channels/linkedin/provider-client';
import type { Campaign, Lead } from '#shared/domain/schemas';
import { DEFAULT_SEQUENCE } from '#shared/domain/schemas';
import { executionNameFor } from '#shared/ids';
import { storeLeads } from '#shared/leads/create';
import { importLeadCsv } from '#shared/leads/import';
import { fetchExecution } from '#shared/outreach/audit';
import type { LaunchReport } from '#shared/outreach/launcher';
import { putCampaign } from '#shared/store/leads';
import { nowIso } from '#shared/time/clock';
import { channelPath, formatPath, type PathStep } from './execution-path';

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
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * `cascade demo`: the embedded stack, a lead file imported into a campaign, one batch launched through
 * the synthesized state machine with compressed time, and a report of every lead's path.
 */
export async function runDemo(options: DemoOptions) {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const text = readFileSync(options.leadsFile, 'utf8');
  rmSync(LOCAL_EXECUTIONS_DIR, { recursive: true, force: true });
  const stack = await startLocalStack({ executionStoreDir: LOCAL_EXECUTIONS_DIR });
  try {
    const campaign = demoCampaign();
    await putCampaign(campaign);

    const validation = importLeadCsv(text);
    for (const rejected of validation.rejected) write(`rejected row ${rejected.row}: ${rejected.reasons.join('; ')}`);
    const stored = await storeLeads(campaign, validation.accepted);
    for (const duplicate of stored.duplicates) write(`rejected: ${duplicate.email} is already in the campaign`);
    for (const [index, lead] of stored.created.entries()) {
      const status = validation.accepted[index]?.linkedinStatus ?? lead.linkedinConnectionStatus;
      if (lead.linkedinUrl)
        stack.linkedin.seedProfile({ publicIdentifier: publicIdentifierFrom(lead.linkedinUrl), status });
    }

    const { handler: launch } = await import('#functions/launch-batch/index');
    const [report] = (await launch({ campaignId: campaign.campaignId }, lambdaContext())) as LaunchReport[];
    if (!report) throw new Error('the launcher returned no report');

    const bar =
      options.progress === false
        ? undefined
        : new SingleBar({
            format: 'running sequences [{bar}] {value}/{total} ended',
            stream: process.stderr,
            hideCursor: true,
            noTTYOutput: true,
            notTTYSchedule: 1000,
          });
    bar?.start(report.started, 0);
    const executions = stack.stepFunctions.list();
    while (executions.some((execution) => execution.status === 'RUNNING')) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      bar?.update(executions.filter((execution) => execution.status !== 'RUNNING').length);
    }
    bar?.update(report.started);
    bar?.stop();

    const leadsById = new Map<string, Lead>(stored.created.map((lead) => [lead.leadId, lead]));
    const summary: DemoSummary = {
      processed: 0,
      sent: { EMAIL: 0, LINKEDIN: 0, CONTACT_FORM: 0 },
      failed: 0,
      stopped: 0,
      skipped: report.skipped.belowGrade + report.skipped.suppressed,
      rejected: validation.rejected.length + stored.duplicates.length,
    };
    const sfn = new SFNClient({});
    const scenarioByLead = new Map(
      stored.created.map((lead, index) => [lead.leadId, validation.accepted[index]?.scenario]),
    );
    const inFileOrder = stored.created
      .map((lead) => executionNameFor(campaign.campaignId, lead.leadId))
      .filter((name) => report.executions.includes(name));
    const runs: DemoRun[] = [];
    for (const executionName of inFileOrder) {
      const executionArn = stack.stepFunctions.arnFor(executionName);
      const { described, events } = await fetchExecution(sfn, executionArn);
      const leadId = (JSON.parse(described.input ?? '{}') as { leadId?: string }).leadId ?? '';
      const lead = leadsById.get(leadId);
      const who = lead ? `${lead.firstName} ${lead.lastName ?? ''}`.trim() : leadId;
      const output = described.output
        ? (JSON.parse(described.output) as { outcome?: string; channelUsed?: keyof DemoSummary['sent'] })
        : undefined;
      summary.processed++;
      let verdict: string;
      if (described.status === 'SUCCEEDED' && output?.outcome === 'SENT' && output.channelUsed) {
        summary.sent[output.channelUsed]++;
        verdict = `sent via ${output.channelUsed}`;
      } else if (described.status === 'SUCCEEDED') {
        summary.stopped++;
        verdict = 'stopped';
      } else {
        summary.failed++;
        verdict = `failed (${described.error ?? described.status})`;
      }
      const path = channelPath(events);
      const scenario = scenarioByLead.get(leadId);
      runs.push({ executionName, leadId, scenario, status: described.status ?? 'UNKNOWN', path });
      write(`${who.padEnd(30)} ${lead?.grade ?? '?'} ${(scenario ?? '').padEnd(28)} ${formatPath(path)}  ⇒ ${verdict}`);
    }
    write('');
    if (inFileOrder[0])
      write(`audit any run: npx cascade audit <executionName>   e.g. npx cascade audit ${inFileOrder[0]}`);
    write('');
    write('channel        sent');
    for (const [channel, count] of Object.entries(summary.sent)) write(`${channel.padEnd(14)} ${count}`);
    write(
      `failed ${summary.failed} · stopped ${summary.stopped} · skipped ${summary.skipped} · rejected ${summary.rejected}`,
    );
    write(JSON.stringify(summary));
    return { summary, report, stack, runs, leads: stored.created };
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
