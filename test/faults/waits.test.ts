import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE } from '#infra/state-names';
import { type LocalStack, startLocalStack } from '#local/stack';
import type { LocalExecution } from '#local/stepfunctions/executions';
import { sfnClient } from '#shared/aws/clients';
import { type Lead, SequenceConfig } from '#shared/domain/schemas';
import { armFaults, disarmFaults, FAULT_POINTS, injectedFaults } from '#shared/faults';
import { launchBatch } from '#shared/outreach/launcher';
import { ANY_HOUR_SCHEDULE } from '#shared/schedule/schema';
import { putAccountLimits, putChannelConfig } from '#shared/store/config';
import { createLead, putCampaign } from '#shared/store/leads';
import { listWaits } from '#shared/store/waits';
import { testCampaign, testLead } from '../support/fixtures';
import { type AwaitPersonPlan, apiOf, hookAwaitPerson, memberAccepts, serve } from './support/waits';

/**
 * The waits for a person (`waitFor`, a `.waitForTaskToken` Task) under fire: a token answered twice or after
 * its timeout changes nothing, Lambda faults in Wait For Person and in the channel Tasks around it never send a
 * step twice, and a crash while a run waits loses nothing (the run waits again after the restart).
 */

const SEQUENCE = SequenceConfig.parse({
  steps: [
    {
      id: 'invite',
      channel: 'LINKEDIN',
      linkedinAction: 'invite',
      onSent: 'next',
      waitFor: { event: 'invite_accepted', timeoutHours: 48, onTimeout: 'end' },
    },
    { id: 'message', channel: 'LINKEDIN', linkedinAction: 'message' },
  ],
});
const ACCEPTED = { outcome: 'SENT', reason: 'invite_accepted', channel: 'LINKEDIN' };

let stack: LocalStack;
const plans = new Map<string, AwaitPersonPlan>();
let hook: ReturnType<typeof hookAwaitPerson>;

/** A campaign of `count` leads, each its own LinkedIn member not yet connected. */
async function seedCampaign(campaignId: string, count: number): Promise<Lead[]> {
  await putCampaign(testCampaign(campaignId, { sequence: SEQUENCE, minGrade: 'D' }));
  await putChannelConfig({
    channel: 'LINKEDIN',
    scope: campaignId,
    enabled: true,
    rateLimits: { perHour: 100_000, perDay: 100_000 },
    retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 48] },
    settings: { minSpacingSeconds: 0, maxSpacingSeconds: 0, accountId: campaignId },
  });
  const leads: Lead[] = [];
  for (let index = 0; index < count; index++) {
    const member = memberOf(`${campaignId}-${index}`);
    const lead = testLead({ leadId: `${campaignId}-${index}`, campaignId, linkedinUrl: urlOf(member) });
    await createLead(lead);
    stack.linkedin.seedProfile({ publicIdentifier: member, status: 'NOT_CONNECTED' });
    leads.push(lead);
  }
  return leads;
}
const memberOf = (leadId: string) => `member-${leadId}`;
const urlOf = (member: string) => `https://www.linkedin.com/in/${member}`;

/** What the LinkedIn provider did for one lead's member: invitations and messages. */
const sentTo = (lead: Lead) => ({
  invitations: stack.linkedin.invitations.filter((each) => each.publicIdentifier === memberOf(lead.leadId)).length,
  messages: stack.linkedin.messages.filter((each) => each.publicIdentifier === memberOf(lead.leadId)).length,
});

async function launch(campaignId: string): Promise<LocalExecution[]> {
  const report = await launchBatch({ campaignId });
  await stack.stepFunctions.drain();
  return report.executions.map((name) => stack.stepFunctions.get(name) as LocalExecution);
}

const entered = (execution: LocalExecution | undefined) =>
  (execution?.events ?? []).flatMap((event) => event.stateEnteredEventDetails?.name ?? []);
const scheduledIn = (execution: LocalExecution | undefined, state: string) => {
  let current = '';
  let count = 0;
  for (const event of execution?.events ?? []) {
    if (event.type === 'TaskStateEntered') current = event.stateEnteredEventDetails?.name ?? '';
    if (event.type === 'TaskScheduled' && current === state) count++;
  }
  return count;
};
const executionOf = (executions: LocalExecution[], lead: Lead) =>
  executions.find((execution) => execution.name.endsWith(`--${lead.leadId}`));

beforeAll(async () => {
  process.env.CASCADE_FAULT_INJECTION = '1';
  stack = await startLocalStack({ pauseMs: 1 });
  // The lead's one-touch-a-day cooldown would defer the message a virtual day: these tests are about the wait.
  await putAccountLimits({ globalPerDay: 1_000_000, perDomainPerDay: 1_000, leadCooldownHours: 0 });
  hook = hookAwaitPerson(stack, plans);
}, 120_000);

afterAll(async () => {
  disarmFaults();
  delete process.env.CASCADE_FAULT_INJECTION;
  await stack?.close();
});

describe('a task token answered twice', () => {
  it('resumes the run once: the message goes once, the second answer is refused and changes nothing', async () => {
    // Prepare: one run answered by two concurrent SendTaskSuccess, one by the provider's webhook replayed.
    const [direct, replayed] = await seedCampaign('twice', 2);
    if (!direct || !replayed) throw new Error('no leads');
    let answers: PromiseSettledResult<unknown>[] = [];
    let webhookStatuses: number[] = [];
    plans.set(direct.leadId, {
      async whileWaiting() {
        const [wait] = await listWaits(direct.leadId);
        stack.linkedin.seedProfile({ publicIdentifier: memberOf(direct.leadId), status: 'CONNECTED' });
        const success = () =>
          sfnClient().send(
            new SendTaskSuccessCommand({ taskToken: wait?.taskToken ?? '', output: JSON.stringify(ACCEPTED) }),
          );
        answers = await Promise.allSettled([success(), success()]);
      },
    });
    plans.set(replayed.leadId, {
      async whileWaiting() {
        const member = memberOf(replayed.leadId);
        webhookStatuses = await Promise.all([memberAccepts(stack, member), memberAccepts(stack, member)]);
      },
    });

    // Act
    const executions = await launch('twice');

    // Assess
    expect(hook.errors).toEqual([]);
    expect(answers.map((answer) => answer.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = answers.find((answer) => answer.status === 'rejected') as PromiseRejectedResult | undefined;
    expect((refused?.reason as Error | undefined)?.name).toBe('TaskTimedOut');
    expect(webhookStatuses).toEqual([200, 200]);
    for (const lead of [direct, replayed]) {
      const execution = executionOf(executions, lead);
      expect(execution?.status, lead.leadId).toBe('SUCCEEDED');
      expect(entered(execution).filter((state) => state === STATE.waitForPerson)).toHaveLength(1);
      expect(entered(execution).filter((state) => state === STATE.sendLinkedIn)).toHaveLength(2);
      expect(sentTo(lead), lead.leadId).toEqual({ invitations: 1, messages: 1 });
    }
    expect(await listWaits(replayed.leadId)).toEqual([]);
  });
});

describe('an answer after the wait timed out', () => {
  it('changes nothing: the run went on at onTimeout, the late acceptance sends nothing and starts nothing', async () => {
    // Prepare: nobody answers; the 48 h wait passes (the instant clock) and the run ends at onTimeout.
    const [late] = await seedCampaign('late', 1);
    if (!late) throw new Error('no lead');
    const [execution] = await launch('late');
    const [stale] = await listWaits(late.leadId);
    const eventsBefore = execution?.events.length;
    const executionsBefore = stack.stepFunctions.list().length;

    // Act: the member accepts now (the provider's webhook), and the old token is answered directly too.
    const status = await memberAccepts(stack, memberOf(late.leadId));
    const direct = await sfnClient()
      .send(new SendTaskSuccessCommand({ taskToken: stale?.taskToken ?? '', output: JSON.stringify(ACCEPTED) }))
      .then(
        () => 'answered',
        (error: Error) => error.name,
      );
    await stack.stepFunctions.drain();

    // Assess
    expect(entered(execution)).toContain(STATE.personDidNotAnswer);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(stale?.event).toBe('invite_accepted');
    expect(status).toBe(200);
    expect(direct).toBe('TaskTimedOut');
    expect(execution?.events.length).toBe(eventsBefore);
    expect(stack.stepFunctions.list().length).toBe(executionsBefore);
    expect(sentTo(late)).toEqual({ invitations: 1, messages: 0 });
    expect(await listWaits(late.leadId)).toEqual([]);
  });
});

describe('Lambda faults in Wait For Person and the channel Tasks around it', () => {
  it('retries a wait whose function failed before or after recording it: the new token is the one answered', async () => {
    // Prepare: the first invocation dies before the function runs, or the first two after it recorded the wait.
    const leads = await seedCampaign('await-faults', 4);
    leads.forEach((lead, index) => {
      plans.set(lead.leadId, {
        ...(index % 2 === 0 ? { failBefore: (n: number) => n === 1 } : { failAfter: (n: number) => n <= 2 }),
        async whileWaiting() {
          await memberAccepts(stack, memberOf(lead.leadId));
        },
      });
    });

    // Act
    const executions = await launch('await-faults');

    // Assess
    expect(hook.errors).toEqual([]);
    for (const [index, lead] of leads.entries()) {
      const execution = executionOf(executions, lead);
      expect(execution?.status, lead.leadId).toBe('SUCCEEDED');
      expect(scheduledIn(execution, STATE.waitForPerson), lead.leadId).toBe(index % 2 === 0 ? 2 : 3);
      expect(entered(execution)).not.toContain(STATE.personDidNotAnswer);
      expect(sentTo(lead), lead.leadId).toEqual({ invitations: 1, messages: 1 });
      expect(await listWaits(lead.leadId)).toEqual([]);
    }
  });

  it('with the channel services crashing too, every lead gets each step at most once and every run ends', async () => {
    // Prepare: faults at every point of the invite and the message, and in a third of the waits' invocations.
    const leads = await seedCampaign('mixed-faults', 24);
    leads.forEach((lead, index) => {
      plans.set(lead.leadId, {
        failAfter: (n) => index % 3 === 0 && n === 1,
        async whileWaiting() {
          await memberAccepts(stack, memberOf(lead.leadId));
        },
      });
    });
    armFaults({ probability: 0.4, points: FAULT_POINTS, timeoutShare: 0.2 });

    // Act
    const executions = await launch('mixed-faults');
    const faults = [...injectedFaults];
    disarmFaults();

    // Assess
    expect(hook.errors).toEqual([]);
    expect(faults.length).toBeGreaterThan(0);
    expect(executions.filter((execution) => execution.status === 'RUNNING')).toEqual([]);
    for (const lead of leads) {
      const sent = sentTo(lead);
      expect(sent.invitations, lead.leadId).toBeLessThanOrEqual(1);
      expect(sent.messages, lead.leadId).toBeLessThanOrEqual(1);
      // A message only ever follows an invitation the member accepted.
      if (sent.messages === 1) expect(sent.invitations).toBe(1);
    }
    const messaged = leads.filter((lead) => sentTo(lead).messages === 1).length;
    console.info(`waits under channel faults: ${faults.length} faults, ${messaged}/${leads.length} leads messaged`);
    expect(messaged).toBeGreaterThan(0);
  });
});

describe('a crash while a run waits for a person', () => {
  const TOKEN = 'waits-restart-token';
  const dir = mkdtempSync(path.join(tmpdir(), 'cascade-waits-restart-'));
  const journal = path.join(dir, 'ses-sent.jsonl');
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  const mailsTo = (address: string) =>
    existsSync(journal)
      ? readFileSync(journal, 'utf8')
          .split('\n')
          .filter(Boolean)
          .filter((line) => (JSON.parse(line) as { to: string[] }).to.includes(address)).length
      : 0;

  afterAll(() => {
    server?.process.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('after a restart on the same data the run waits again; the answer continues it; nothing is sent twice', async () => {
    // Prepare: email → call task waited for (240 h) → threaded follow-up, on a clock 36,000 times faster.
    const address = 'walt@waits-restart.example';
    server = await serve(dir, TOKEN, 36_000);
    let api = apiOf(server.url, TOKEN);
    const created = await api('POST', '/v1/campaigns', {
      campaignId: 'waits-restart',
      name: 'Waits restart',
      sender: { name: 'Ada', email: 'ada@cascade-demo.example' },
      // Any hour: this test is about the sequence, not the send window (a closed one would hold it).
      schedule: ANY_HOUR_SCHEDULE,
      sequence: {
        steps: [
          { id: 'intro', channel: 'EMAIL', onSent: 'next' },
          {
            id: 'call',
            channel: 'PHONE',
            onSent: 'next',
            waitFor: { event: 'task_completed', timeoutHours: 240, onTimeout: 'end' },
          },
          { id: 'bump', channel: 'EMAIL', threadWith: 'intro' },
        ],
      },
    });
    expect(created.status).toBe(201);
    const lead = { firstName: 'Walt', email: address, phone: '+1 555 0199', leadScore: 0.9 };
    expect((await api('POST', '/v1/campaigns/waits-restart/leads', [lead])).status).toBeLessThan(300);
    const batch = await api('POST', '/v1/campaigns/waits-restart/batches', {});
    const [name] = batch.body.executions as string[];
    const waitingTask = async (after?: string) => {
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
        const tasks = (await api('GET', '/v1/tasks?campaignId=waits-restart')).body.items as {
          taskId: string;
          status: string;
          expiresAt?: string;
        }[];
        const task = tasks.find((each) => each.expiresAt && each.expiresAt !== after);
        if (task) return task;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the run never waited for its task');
    };
    const first = await waitingTask();

    // Act: kill -9 while the run waits, start again on the same data, answer the task once it waits again.
    server.process.kill('SIGKILL');
    await new Promise((resolve) => server?.process.once('exit', resolve));
    server = await serve(dir, TOKEN, 36_000);
    api = apiOf(server.url, TOKEN);
    const again = await waitingTask(first.expiresAt);
    const completed = await api('POST', `/v1/tasks/${again.taskId}/complete`, { outcome: 'done' });
    let audit: { status?: string } = {};
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      audit = (await api('GET', `/v1/executions/${name}`)).body;
      if (audit.status !== 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // Assess
    expect(again.taskId).toBe(first.taskId);
    expect(completed.status).toBe(200);
    expect(audit.status).toBe('SUCCEEDED');
    expect(mailsTo(address)).toBe(2);
  });
});
