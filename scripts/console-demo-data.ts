import { readFileSync } from 'node:fs';
import type { ApiServer } from '#cli/serve';
import { leadFromInput } from '#shared/leads/create';
import { LeadInput } from '#shared/leads/import';
import { createLead, transitionLead } from '#shared/store/leads';
import { claimAttempt, putMessage } from '#shared/store/outreach';
import { putManualTask } from '#shared/store/tasks';

/**
 * What the console is tried against: the demo's lead file imported and run through `cascade serve` (its API, its
 * state machine), plus the two things a demo batch leaves only by chance — an open call task and a lead parked by a
 * crash between a provider's acceptance and our record (seeded as the crash leaves them, as in
 * test/integration/shared/outreach/release.test.ts). The browser tests and `npm run screenshots` use it.
 */
export const DEMO_CAMPAIGN = 'console-demo';

export interface DemoData {
  campaignId: string;
  taskId: string;
  parkedLeadId: string;
  started: number;
}

/** Polls until `done()` holds, or throws after `timeoutMs`. */
async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`the demo batch did not end within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function seedDemoData(server: ApiServer, token: string): Promise<DemoData> {
  const call = async (method: string, pathname: string, body?: unknown) => {
    const response = await fetch(`${server.url}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
  await call('POST', '/v1/campaigns', {
    campaignId: DEMO_CAMPAIGN,
    name: 'Console demo',
    sender: { name: 'Ada Lovelace', email: 'ada@cascade-demo.example', company: 'Cascade Demo Co' },
  });
  await fetch(`${server.url}/v1/campaigns/${DEMO_CAMPAIGN}/leads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' },
    body: readFileSync('examples/leads.csv', 'utf8'),
  });
  const batch = await call('POST', `/v1/campaigns/${DEMO_CAMPAIGN}/batches`, {});
  await until(() => server.stack.stepFunctions.list().every((run) => run.status !== 'RUNNING'), 180_000);
  const taskId = await seedOpenTask();
  const parkedLeadId = await seedParkedLead();
  return { campaignId: DEMO_CAMPAIGN, taskId, parkedLeadId, started: batch.body.started };
}

async function seedOpenTask(): Promise<string> {
  const lead = leadFromInput(
    LeadInput.parse({ firstName: 'Cora', lastName: 'Caller', phone: '+1 555 0199', leadScore: 0.9 }),
    DEMO_CAMPAIGN,
  );
  await createLead(lead);
  const now = new Date().toISOString();
  const taskId = `task_console_${lead.leadId.slice(-6)}`;
  await putManualTask({
    taskId,
    leadId: lead.leadId,
    campaignId: DEMO_CAMPAIGN,
    kind: 'call',
    status: 'OPEN',
    instructions: 'Call Cora about the pilot; ask who owns outbound.',
    dueAt: now,
    createdAt: now,
  });
  return taskId;
}

/** PAUSED `ambiguous_send`: its try DONE with that reason, its message PENDING (SES may or may not have it). */
async function seedParkedLead(): Promise<string> {
  const lead = leadFromInput(
    LeadInput.parse({ firstName: 'Pat', lastName: 'Parked', email: 'pat.parked@release.example', leadScore: 0.9 }),
    DEMO_CAMPAIGN,
  );
  await createLead(lead);
  const executionName = `exec-console-parked-${lead.leadId.slice(-6)}`;
  const attemptKey = `${executionName}#0#1`;
  const createdAt = new Date().toISOString();
  await transitionLead(lead, ['NEW'], 'PAUSED', {
    executionName,
    stopReason: 'ambiguous_send',
    resumeFrom: { stepIndex: 0, tryCount: 2 },
  });
  const ids = { leadId: lead.leadId, campaignId: DEMO_CAMPAIGN, executionName, channel: 'EMAIL' as const };
  const messageId = `msg_console_parked_${lead.leadId.slice(-6)}`;
  await claimAttempt({
    ...ids,
    messageId,
    createdAt,
    attemptKey,
    stepIndex: 0,
    tryNumber: 1,
    state: 'DONE',
    phase: 'DONE',
    owner: 'crashed',
    outcome: 'STOP',
    reason: 'ambiguous_send',
    updatedAt: createdAt,
  });
  await putMessage({ ...ids, messageId, createdAt, attemptKey, status: 'PENDING', subject: 'Hi', body: 'Hello Pat' });
  return lead.leadId;
}
