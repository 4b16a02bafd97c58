import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ApiServer, startApiServer } from '#cli/serve';
import { STATE } from '#infra/state-names';
import { executionNameFor } from '#shared/ids';
import { ANY_HOUR_SCHEDULE } from '#shared/schedule/schema';
import { DEFAULT_ACCOUNT_LIMITS, putAccountLimits } from '#shared/store/config';
import { getLead } from '#shared/store/leads';
import { listWaits } from '#shared/store/waits';
import { cascadeAgainst, errorLines } from '#test/support/cli';
import { callJson } from '#test/support/http-call';

/**
 * "Invite → wait until accepted → message" end to end (PRODUCT.md §2 `waitFor`): on a stack whose clock runs
 * 3600 times faster (the 48 h wait lasts 48 s), a LinkedIn invitation waits for the acceptance; `cascade
 * simulate invite-accepted` delivers the provider's `new_relation` webhook through the API function, which
 * answers the run's task token, and the next LinkedIn step messages the member at once.
 */

const TOKEN = 'invite-accepted-test-token';
const MEMBER = 'ivy-invitee-4711';
let server: ApiServer;
const cascade = cascadeAgainst(() => ({ url: server.url, token: TOKEN }));

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field in the assertions.
async function call(method: string, pathname: string, json?: unknown): Promise<any> {
  const answer = await callJson(server.url, method, pathname, { body: json, token: TOKEN });
  return { status: answer.status, ...answer.body };
}

const SEQUENCE = {
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
};

const leads: Record<string, string> = {};

beforeAll(async () => {
  server = await startApiServer({ port: 0, token: TOKEN, timeScale: 3600 });
  // The lead's one-touch-a-day cooldown would hold the message back a virtual day: this test is about the wait.
  await putAccountLimits({ ...DEFAULT_ACCOUNT_LIMITS, leadCooldownHours: 0 });
  server.stack.linkedin.seedProfile({ publicIdentifier: MEMBER, status: 'NOT_CONNECTED' });
  const created = await call('POST', '/v1/campaigns', {
    campaignId: 'invite-wait',
    name: 'Invite and wait',
    sender: { name: 'Ada Lovelace', email: 'ada@cascade-demo.example' },
    // Any hour: this test is about the sequence, not the send window (a closed one would hold it).
    schedule: ANY_HOUR_SCHEDULE,
    sequence: SEQUENCE,
  });
  expect(created.status).toBe(201);
  const people = [
    { key: 'invitee', firstName: 'Ivy', linkedinUrl: `https://www.linkedin.com/in/${MEMBER}` },
    { key: 'mailOnly', firstName: 'Mo', email: 'mo@invite-wait.example' },
  ];
  const imported = await call(
    'POST',
    '/v1/campaigns/invite-wait/leads',
    people.map(({ key: _key, ...person }) => ({ ...person, leadScore: 0.9, budgetRange: '$10k', timelineMonths: 3 })),
  );
  for (const entry of imported.leads as { row: number; leadId: string }[])
    leads[people[entry.row - 1]?.key ?? ''] = entry.leadId;
}, 60_000);

afterAll(async () => {
  for (const execution of server?.stack.stepFunctions.list() ?? [])
    if (execution.status === 'RUNNING') server.stack.stepFunctions.stop(execution.name);
  await server?.close();
});

describe('cascade simulate invite-accepted', () => {
  it('resumes the run waiting for the acceptance: the next LinkedIn step messages the member at once', async () => {
    // Prepare: the invitation goes out and the run waits for the member.
    const leadId = leads.invitee ?? '';
    const batch = await call('POST', '/v1/campaigns/invite-wait/batches', {});
    expect(batch.status).toBe(202);
    const name = executionNameFor('invite-wait', leadId);
    await vi.waitFor(
      async () => expect((await listWaits(leadId)).map((wait) => wait.event)).toEqual(['invite_accepted']),
      { timeout: 20_000, interval: 100 },
    );
    expect(server.stack.linkedin.invitations.map((invite) => invite.publicIdentifier)).toEqual([MEMBER]);
    expect(server.stack.linkedin.messages).toEqual([]);

    // Act
    const run = await cascade(['simulate', 'invite-accepted', leadId]);
    const execution = server.stack.stepFunctions.get(name);
    await execution?.done;

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(`invite accepted by lead ${leadId}: CONNECTED; resumed ${name}`);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(server.stack.linkedin.messages.map((message) => message.publicIdentifier)).toEqual([MEMBER]);
    expect(server.stack.linkedin.invitations).toHaveLength(1);
    const entered = (execution?.events ?? []).flatMap((event) => event.stateEnteredEventDetails?.name ?? []);
    expect(entered).toContain(STATE.waitForPerson);
    expect(entered).not.toContain(STATE.personDidNotAnswer);
    expect(entered.filter((state) => state === STATE.sendLinkedIn)).toHaveLength(2);
    expect((await getLead(leadId))?.linkedinConnectionStatus).toBe('CONNECTED');
    expect(await listWaits(leadId)).toEqual([]);
  }, 90_000);

  it('accepting again answers nothing and says so (--json)', async () => {
    // Act
    const run = await cascade(['simulate', 'invite-accepted', leads.invitee ?? '', '--json']);

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      via: 'linkedin-webhook',
      leadId: leads.invitee,
      linkedinConnectionStatus: 'CONNECTED',
      answeredWaits: [],
    });
  });

  it('refuses a lead the LinkedIn channel never reached, in one line', async () => {
    // Act
    const run = await cascade(['simulate', 'invite-accepted', leads.mailOnly ?? '']);

    // Assess
    expect(run.code).not.toBe(0);
    expect(errorLines(run)).toEqual([expect.stringContaining('has no LinkedIn provider id yet')]);
  });
});
