import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ApiServer, startApiServer } from '#cli/serve';
import { STATE } from '#infra/state-names';
import type { ManualTask } from '#shared/domain/schemas';
import { executionNameFor } from '#shared/ids';
import { ANY_HOUR_SCHEDULE } from '#shared/schedule/schema';
import { DEFAULT_ACCOUNT_LIMITS, putAccountLimits } from '#shared/store/config';
import { getLead } from '#shared/store/leads';
import { listWaits } from '#shared/store/waits';
import { cascadeAgainst, errorLines } from '#test/support/cli';
import { callJson } from '#test/support/http-call';

/**
 * Issue 13's acceptance for the operators' queue (PRODUCT.md §2 `waitFor task_completed`): on a stack whose clock
 * runs 3600 times faster (the 24 h wait lasts 24 s), a PHONE step leaves a call task and its run waits for the
 * operator. `cascade tasks done` lets the sequence go on to its mail, `done --replied` stops the lead, and a task
 * nobody answers expires with the wait: the run ends at `onTimeout` and the task can no longer be completed.
 */

const TOKEN = 'phone-task-test-token';
const CAMPAIGN = 'phone-task';
let server: ApiServer;
const cascade = cascadeAgainst(() => ({ url: server.url, token: TOKEN }));

const SEQUENCE = {
  steps: [
    {
      id: 'call',
      channel: 'PHONE',
      onSent: 'next',
      waitFor: { event: 'task_completed', timeoutHours: 24, onTimeout: 'end' },
    },
    { id: 'mail', channel: 'EMAIL' },
  ],
};

const PEOPLE = {
  done: { firstName: 'Dora', email: 'dora@done-co.example', phone: '+1 555 0101' },
  replied: { firstName: 'Remy', email: 'remy@replied-co.example', phone: '+1 555 0102' },
  silent: { firstName: 'Sly', email: 'sly@silent-co.example', phone: '+1 555 0103' },
} as const;
type Person = keyof typeof PEOPLE;
const PERSONS = Object.keys(PEOPLE) as Person[];
const leads = {} as Record<Person, string>;

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field in the assertions.
async function call(method: string, pathname: string, json?: unknown): Promise<any> {
  const answer = await callJson(server.url, method, pathname, { body: json, token: TOKEN });
  return { status: answer.status, ...answer.body };
}

async function mailsTo(address: string): Promise<unknown[]> {
  const store = (await (await fetch(`${server.stack.endpoints.ses}/store`)).json()) as {
    emails: { destination: { to: string[] } }[];
  };
  return store.emails.filter((mail) => mail.destination.to.includes(address));
}

/** The campaign's tasks in one status, as `cascade tasks list --json` prints them. */
async function listedTasks(status: string): Promise<ManualTask[]> {
  const run = await cascade(['tasks', 'list', '--status', status, '--campaign', CAMPAIGN, '--json']);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout).items;
}

const taskOf = (tasks: ManualTask[], person: Person) => tasks.find((task) => task.leadId === leads[person]);
const execution = (person: Person) => server.stack.stepFunctions.get(executionNameFor(CAMPAIGN, leads[person]));
const entered = (person: Person) =>
  (execution(person)?.events ?? []).flatMap((event) => event.stateEnteredEventDetails?.name ?? []);

beforeAll(async () => {
  server = await startApiServer({ port: 0, token: TOKEN, timeScale: 3600 });
  // The lead's one-touch-a-day cooldown would hold the mail back a virtual day: this test is about the wait.
  await putAccountLimits({ ...DEFAULT_ACCOUNT_LIMITS, leadCooldownHours: 0 });
  const created = await call('POST', '/v1/campaigns', {
    campaignId: CAMPAIGN,
    name: 'Call, then mail',
    sender: { name: 'Ada Lovelace', email: 'ada@cascade-demo.example' },
    // Any hour: this test is about the sequence, not the send window (a closed one would hold it).
    schedule: ANY_HOUR_SCHEDULE,
    sequence: SEQUENCE,
  });
  expect(created.status).toBe(201);
  const rows = PERSONS.map((person) => ({
    ...PEOPLE[person],
    leadScore: 0.9,
    budgetRange: '$10k',
    timelineMonths: 3,
  }));
  const imported = await call('POST', `/v1/campaigns/${CAMPAIGN}/leads`, rows);
  for (const entry of imported.leads as { row: number; leadId: string }[]) {
    const person = PERSONS[entry.row - 1];
    if (person) leads[person] = entry.leadId;
  }
  expect(Object.keys(leads)).toHaveLength(3);
}, 60_000);

afterAll(async () => {
  for (const each of server?.stack.stepFunctions.list() ?? [])
    if (each.status === 'RUNNING') server.stack.stepFunctions.stop(each.name);
  await server?.close();
});

describe('a PHONE step that waits for its task, at --time-scale 3600', () => {
  it('goes on when the task is done, stops on a reply, and expires the task nobody answers', async () => {
    // Prepare: every lead's call task is listed and its run waits for it.
    const batch = await call('POST', `/v1/campaigns/${CAMPAIGN}/batches`, {});
    expect(batch.status).toBe(202);
    await vi.waitFor(
      async () => {
        for (const person of PERSONS)
          expect((await listWaits(leads[person])).map((wait) => wait.event)).toEqual(['task_completed']);
      },
      { timeout: 20_000, interval: 200 },
    );
    const open = await listedTasks('OPEN');
    const table = await cascade(['tasks', 'list', '--campaign', CAMPAIGN]);

    // Act: the operator calls two of them; the third is never answered.
    const done = await cascade(['tasks', 'done', taskOf(open, 'done')?.taskId ?? '-']);
    const replied = await cascade(['tasks', 'done', taskOf(open, 'replied')?.taskId ?? '-', '--replied']);
    await Promise.all(PERSONS.map((person) => execution(person)?.done));

    // Assess: one call task per lead, each with the number to call.
    expect(open.map((task) => task.leadId).sort()).toEqual(PERSONS.map((person) => leads[person]).sort());
    expect(open.every((task) => task.kind === 'call' && task.status === 'OPEN')).toBe(true);
    expect(taskOf(open, 'done')?.instructions).toContain(PEOPLE.done.phone);
    expect(table.stdout).toContain(taskOf(open, 'silent')?.taskId);

    // The task done: the sequence went on to its mail.
    expect(done.code).toBe(0);
    expect(done.stdout.trim()).toContain(`sequence ${executionNameFor(CAMPAIGN, leads.done)} goes on`);
    expect(execution('done')?.status).toBe('SUCCEEDED');
    expect(entered('done')).toContain(STATE.sendEmail);
    expect(entered('done')).not.toContain(STATE.personDidNotAnswer);
    expect(await mailsTo(PEOPLE.done.email)).toHaveLength(1);
    expect((await getLead(leads.done))?.status).toBe('CONTACTED');

    // The person answered the call: the lead stopped, no mail.
    expect(replied.code).toBe(0);
    expect(replied.stdout.trim()).toContain(`lead ${leads.replied} REPLIED`);
    expect(entered('replied')).not.toContain(STATE.sendEmail);
    expect(await mailsTo(PEOPLE.replied.email)).toEqual([]);
    expect((await getLead(leads.replied))?.status).toBe('REPLIED');

    // Nobody called: after the 24 h the run ended at onTimeout, without a mail, the lead contacted once.
    expect(execution('silent')?.status).toBe('SUCCEEDED');
    expect(entered('silent')).toContain(STATE.personDidNotAnswer);
    expect(entered('silent')).not.toContain(STATE.sendEmail);
    expect(await mailsTo(PEOPLE.silent.email)).toEqual([]);
    expect((await getLead(leads.silent))?.status).toBe('CONTACTED');
  }, 120_000);

  it('lists the unanswered task EXPIRED and refuses to complete it', async () => {
    // Act
    const expired = await listedTasks('EXPIRED');
    const stillOpen = await listedTasks('OPEN');
    const late = await cascade(['tasks', 'done', taskOf(expired, 'silent')?.taskId ?? '-']);

    // Assess
    expect(expired.map((task) => task.leadId)).toEqual([leads.silent]);
    expect(expired[0]?.status).toBe('EXPIRED');
    expect(stillOpen).toEqual([]);
    expect(late.code).not.toBe(0);
    expect(errorLines(late)).toEqual([expect.stringContaining('task_expired')]);
    expect(await mailsTo(PEOPLE.silent.email)).toEqual([]);
  });
});
