import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ApiServer, startApiServer } from '#cli/serve';
import { STATE } from '#infra/state-names';
import { executionNameFor } from '#shared/ids';
import { ANY_HOUR_SCHEDULE } from '#shared/schedule/schema';
import { DEFAULT_ACCOUNT_LIMITS, putAccountLimits } from '#shared/store/config';
import { getLead } from '#shared/store/leads';
import { listWaits } from '#shared/store/waits';
import { cascadeAgainst } from '#test/support/cli';
import { callJson } from '#test/support/http-call';

/**
 * Issue 13's acceptance run: a four-touch conversation on a stack whose clock runs 3600 times faster (a virtual
 * hour per real second). Intro mail, a threaded follow-up 24 h later, a LinkedIn invitation that waits 48 h for
 * the acceptance, then a LinkedIn message. One lead replies during the first wait, one never answers, one
 * accepts the invitation.
 */

const TOKEN = 'conversation-test-token';
const CAMPAIGN = 'conversation';
let server: ApiServer;
const cascade = cascadeAgainst(() => ({ url: server.url, token: TOKEN }));

const SEQUENCE = {
  steps: [
    { id: 'intro', channel: 'EMAIL', onSent: 'next', confirmDeliveryMinutes: 0 },
    { id: 'bump', channel: 'EMAIL', waitHoursBefore: 24, threadWith: 'intro', onSent: 'next' },
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

const PEOPLE = {
  replier: { firstName: 'Rhea', email: 'rhea@replier-co.example', member: 'rhea-replier-4711' },
  silent: { firstName: 'Sid', email: 'sid@silent-co.example', member: 'sid-silent-4711' },
  acceptor: { firstName: 'Ace', email: 'ace@acceptor-co.example', member: 'ace-acceptor-4711' },
} as const;
type Person = keyof typeof PEOPLE;
const leads = {} as Record<Person, string>;

interface StoredMail {
  messageId: string;
  subject: string;
  destination: { to: string[] };
  headers?: { name: string; value: string }[];
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field in the assertions.
async function call(method: string, pathname: string, json?: unknown): Promise<any> {
  const answer = await callJson(server.url, method, pathname, { body: json, token: TOKEN });
  return { status: answer.status, ...answer.body };
}

async function mailsTo(address: string): Promise<StoredMail[]> {
  const store = (await (await fetch(`${server.stack.endpoints.ses}/store`)).json()) as { emails: StoredMail[] };
  return store.emails.filter((mail) => mail.destination.to.includes(address));
}

const header = (mail: StoredMail | undefined, name: string) =>
  mail?.headers?.find((entry) => entry.name.toLowerCase() === name.toLowerCase())?.value;
const linkedinActions = (member: string) => ({
  invitations: server.stack.linkedin.invitations.filter((each) => each.publicIdentifier === member).length,
  messages: server.stack.linkedin.messages.filter((each) => each.publicIdentifier === member).length,
});
const execution = (person: Person) => server.stack.stepFunctions.get(executionNameFor(CAMPAIGN, leads[person]));
const entered = (person: Person) =>
  (execution(person)?.events ?? []).flatMap((event) => event.stateEnteredEventDetails?.name ?? []);

beforeAll(async () => {
  server = await startApiServer({ port: 0, token: TOKEN, timeScale: 3600 });
  // One touch a day per lead would push the invitation a virtual day after the follow-up: not what this tests.
  await putAccountLimits({ ...DEFAULT_ACCOUNT_LIMITS, leadCooldownHours: 0 });
  const created = await call('POST', '/v1/campaigns', {
    campaignId: CAMPAIGN,
    name: 'A conversation',
    sender: { name: 'Ada Lovelace', email: 'ada@cascade-demo.example' },
    // Any hour: this test is about the sequence, not the send window (a closed one would hold it).
    schedule: ANY_HOUR_SCHEDULE,
    sequence: SEQUENCE,
  });
  expect(created.status).toBe(201);
  const people = Object.entries(PEOPLE) as [Person, (typeof PEOPLE)[Person]][];
  for (const [, person] of people)
    server.stack.linkedin.seedProfile({ publicIdentifier: person.member, status: 'NOT_CONNECTED' });
  const rows = people.map(([, person]) => ({
    firstName: person.firstName,
    email: person.email,
    linkedinUrl: `https://www.linkedin.com/in/${person.member}`,
    leadScore: 0.9,
    budgetRange: '$10k',
    timelineMonths: 3,
  }));
  const imported = await call('POST', `/v1/campaigns/${CAMPAIGN}/leads`, rows);
  for (const entry of imported.leads as { row: number; leadId: string }[]) {
    const [key] = people[entry.row - 1] ?? [];
    if (key) leads[key] = entry.leadId;
  }
}, 60_000);

afterAll(async () => {
  for (const each of server?.stack.stepFunctions.list() ?? [])
    if (each.status === 'RUNNING') server.stack.stepFunctions.stop(each.name);
  await server?.close();
});

describe('a four-touch conversation at --time-scale 3600', () => {
  it('stops at a reply, threads the follow-up, messages on acceptance, and ends at the wait timeout', async () => {
    // Prepare: every lead gets its intro mail.
    const batch = await call('POST', `/v1/campaigns/${CAMPAIGN}/batches`, {});
    expect(batch.status).toBe(202);
    await vi.waitFor(async () => expect(await mailsTo(PEOPLE.replier.email)).toHaveLength(1), { timeout: 20_000 });

    // Act: one lead replies during the 24 h wait; one accepts the invitation while its run waits for it.
    const reply = await cascade(['simulate', 'reply', leads.replier]);
    await vi.waitFor(
      async () => expect((await listWaits(leads.acceptor)).map((wait) => wait.event)).toEqual(['invite_accepted']),
      { timeout: 60_000, interval: 200 },
    );
    const accepted = await cascade(['simulate', 'invite-accepted', leads.acceptor]);
    await Promise.all((['replier', 'silent', 'acceptor'] as const).map((person) => execution(person)?.done));

    // Assess: the replier got one mail and nothing on LinkedIn.
    expect(reply.code).toBe(0);
    expect(accepted.code).toBe(0);
    expect(await mailsTo(PEOPLE.replier.email)).toHaveLength(1);
    expect(linkedinActions(PEOPLE.replier.member)).toEqual({ invitations: 0, messages: 0 });
    expect((await getLead(leads.replier))?.status).toBe('REPLIED');

    // The others got two mails, the second in the first one's thread.
    for (const person of ['silent', 'acceptor'] as const) {
      const [intro, bump] = await mailsTo(PEOPLE[person].email);
      const introId = `<${intro?.messageId}@email.amazonses.com>`;
      expect(bump?.subject).toBe(`Re: ${intro?.subject}`);
      expect(header(bump, 'In-Reply-To')).toBe(introId);
      expect(header(bump, 'References')).toBe(introId);
    }

    // The acceptor was messaged after the acceptance; the silent lead's run ended at the 48 h timeout.
    expect(linkedinActions(PEOPLE.acceptor.member)).toEqual({ invitations: 1, messages: 1 });
    expect(entered('acceptor')).not.toContain(STATE.personDidNotAnswer);
    expect(linkedinActions(PEOPLE.silent.member)).toEqual({ invitations: 1, messages: 0 });
    expect(entered('silent')).toContain(STATE.personDidNotAnswer);
    expect(execution('silent')?.status).toBe('SUCCEEDED');
    expect((await getLead(leads.silent))?.status).toBe('CONTACTED');

    // An acceptance after the timeout answers nothing: the run went on at onTimeout; the stale wait is removed.
    const late = await cascade(['simulate', 'invite-accepted', leads.silent, '--json']);
    expect(JSON.parse(late.stdout)).toMatchObject({ answeredWaits: [] });
    expect(linkedinActions(PEOPLE.silent.member)).toEqual({ invitations: 1, messages: 0 });
    expect(await listWaits(leads.silent)).toEqual([]);
  }, 180_000);
});
