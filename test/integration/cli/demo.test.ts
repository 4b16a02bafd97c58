import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoRun, type DemoSummary, runDemo } from '#cli/demo';
import type { LocalStack } from '#local/stack';
import type { Lead } from '#shared/domain/schemas';
import { placeOf } from '#shared/outreach/send-window';
import { DEFAULT_SCHEDULE } from '#shared/schedule/schema';
import { windowAt } from '#shared/schedule/window';
import { getLead } from '#shared/store/leads';
import { leadHistory, listLeadMessages } from '#shared/store/outreach';

type Step = [channel: string, outcome: string, reason?: string];
type Expected = { status: 'SUCCEEDED' | 'FAILED'; path: Step[]; leadStatus: Lead['status'] };

/** A channel reached the lead: the sequence ends successfully, the lead CONTACTED. */
const contacted = (...path: Step[]): Expected => ({ status: 'SUCCEEDED', path, leadStatus: 'CONTACTED' });
/** Every channel fell back: the execution fails with AllChannelsExhausted. */
const exhausted = (...path: Step[]): Expected => ({ status: 'FAILED', path, leadStatus: 'EXHAUSTED' });

const EMAIL_SENT: Step = ['EMAIL', 'SENT'];
const NO_EMAIL: Step = ['EMAIL', 'FALLBACK', 'missing_address'];
// The SES mailbox simulator bounces these after acceptance: the delivery check falls back to LinkedIn.
const EMAIL_BOUNCED: Step = ['EMAIL', 'FALLBACK', 'bounce'];
const LINKEDIN_SENT: Step = ['LINKEDIN', 'SENT'];
const NO_PROFILE: Step = ['LINKEDIN', 'FALLBACK', 'no_profile'];
const INVITE_PENDING: Step = ['LINKEDIN', 'RETRY', 'invite_pending'];
const FORM_SENT: Step = ['CONTACT_FORM', 'SENT'];
const NO_FORM: Step = ['CONTACT_FORM', 'FALLBACK', 'form_unreachable'];

/** The path each scenario of examples/leads.csv must take through the synthesized state machine. */
const EXPECTED: Record<string, Expected> = {
  email_ok: contacted(EMAIL_SENT),
  bounce_sim: contacted(EMAIL_BOUNCED, LINKEDIN_SENT),
  suppression_sim: contacted(EMAIL_BOUNCED, LINKEDIN_SENT),
  // A complaint stops the lead for good (Sequence Stopped is a successful end).
  complaint_sim: { status: 'SUCCEEDED', path: [['EMAIL', 'STOP', 'complaint']], leadStatus: 'UNSUBSCRIBED' },
  ooto_sim: contacted(EMAIL_SENT),
  long_unicode: contacted(EMAIL_SENT),
  no_email_li_connected: contacted(NO_EMAIL, LINKEDIN_SENT),
  no_email_li_not_connected: contacted(NO_EMAIL, LINKEDIN_SENT),
  bad_email: contacted(['EMAIL', 'FALLBACK', 'invalid_address'], LINKEDIN_SENT),
  no_email_no_li_form: contacted(NO_EMAIL, NO_PROFILE, FORM_SENT),
  form_honeypot: contacted(NO_EMAIL, NO_PROFILE, FORM_SENT),
  li_blocked_form: contacted(NO_EMAIL, ['LINKEDIN', 'FALLBACK', 'linkedin_blocked'], FORM_SENT),
  li_pending: contacted(NO_EMAIL, INVITE_PENDING, FORM_SENT),
  form_captcha: exhausted(NO_EMAIL, NO_PROFILE, ['CONTACT_FORM', 'FALLBACK', 'form_spam_protected']),
  nothing: exhausted(NO_EMAIL, NO_PROFILE, NO_FORM),
  li_only_pending_nothing_else: exhausted(NO_EMAIL, INVITE_PENDING, NO_FORM),
};

let summary: DemoSummary;
let runs: DemoRun[];
let leads: Lead[];
let stack: LocalStack;
const lines: string[] = [];

beforeAll(async () => {
  const demo = await runDemo({
    leadsFile: path.resolve('examples/leads.csv'),
    progress: false,
    keepStack: true,
    write: (line) => lines.push(line),
  });
  ({ summary, runs, leads, stack } = demo);
}, 300_000);

afterAll(async () => {
  await stack?.close();
});

describe('cascade demo on examples/leads.csv', () => {
  it('reports the acceptance totals as its last line', () => {
    // Assess
    expect(JSON.parse(lines.at(-1) ?? '{}')).toEqual({
      processed: 53,
      sent: { EMAIL: 16, LINKEDIN: 18, CONTACT_FORM: 10 },
      failed: 7,
      stopped: 2,
      skipped: 4,
      rejected: 3,
    });
    expect(summary.processed).toBe(runs.length);
  });

  it('takes every scenario through its expected path', () => {
    // Prepare
    const scenarios = new Set(runs.map((run) => run.scenario));

    // Assess
    expect([...scenarios].sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const run of runs) {
      const expected = EXPECTED[run.scenario ?? ''];
      expect(run.status, `${run.scenario} ${run.leadId}`).toBe(expected?.status);
      const path = run.path.map((step) => [step.channel, step.outcome, step.reason].filter(Boolean));
      const wanted = (expected?.path ?? []).map((step) => step.filter(Boolean));
      // A step retried until exhausted shows its last try: RETRY with the retry reason.
      expect(path, `${run.scenario} ${run.leadId}`).toEqual(wanted);
    }
  });

  it('retries a pending LinkedIn invite twice (24 h, 48 h) before falling back', () => {
    // Prepare
    const pending = runs.filter((run) => run.scenario?.startsWith('li_') && run.scenario.includes('pending'));

    // Assess
    expect(pending).toHaveLength(4);
    for (const run of pending) {
      const linkedin = run.path.find((step) => step.channel === 'LINKEDIN');
      // Waits for the lead's send window are not tries of the invite.
      expect((linkedin?.tries ?? 0) - (linkedin?.windowWaits ?? 0)).toBe(3);
    }
  });

  it("sends every touch inside the lead's own window: a working day there, not a public holiday, 09:00–17:00", async () => {
    // Prepare
    const sent = await Promise.all(
      runs.map(async (run) => ({
        lead: await getLead(run.leadId),
        messages: (await listLeadMessages(run.leadId)).filter((message) => message.sentAt),
      })),
    );

    // Act
    const outside = sent.flatMap(({ lead, messages }) =>
      messages
        .filter((message) => {
          const place = placeOf(DEFAULT_SCHEDULE, lead ?? {});
          return !windowAt(DEFAULT_SCHEDULE, place, Date.parse(String(message.sentAt))).open;
        })
        .map((message) => `${lead?.leadId} ${lead?.timezone ?? '(no zone)'} ${String(message.sentAt)}`),
    );

    // Assess: leads in six zones (and one without) were reached, none outside its window.
    const zones = new Set(sent.filter(({ messages }) => messages.length > 0).map(({ lead }) => lead?.timezone ?? ''));
    for (const zone of [
      'Pacific/Auckland',
      'Asia/Tokyo',
      'Europe/Berlin',
      'America/New_York',
      'America/Los_Angeles',
      '',
    ])
      expect(zones, zone || '(no zone)').toContain(zone);
    expect(outside).toEqual([]);
  });

  it('records one sent message and finished attempts for every lead, and the lead status', async () => {
    for (const run of runs) {
      // Act
      const history = await leadHistory(run.leadId, 200);
      const lead = await getLead(run.leadId);

      // Assess
      const expected = EXPECTED[run.scenario ?? ''];
      expect(lead?.status, run.scenario).toBe(expected?.leadStatus);
      // Messages that reached a provider: one per step that sent (a bounced or complained email did too).
      const reached = history.filter(
        (entry) => entry.kind === 'message' && ['SENT', 'DELIVERED', 'BOUNCED'].includes(entry.status),
      );
      const sendingSteps = run.path.filter(
        (step) => step.outcome === 'SENT' || ['bounce', 'complaint'].includes(step.reason ?? ''),
      );
      const attempts = history.filter((entry) => entry.kind === 'attempt');
      expect(reached, run.scenario).toHaveLength(sendingSteps.length);
      expect(attempts.every((attempt) => attempt.state === 'DONE')).toBe(true);
      expect(attempts.length).toBeGreaterThanOrEqual(run.path.reduce((sum, step) => sum + step.tries, 0));
      const times = history.map((entry) => entry.createdAt);
      expect(times).toEqual([...times].sort().reverse());
    }
  });

  it('delivered exactly one message per sent lead at the providers, and never filled a honeypot', async () => {
    // Act
    const store = (await (await fetch(`${stack.endpoints.ses}/store`)).json()) as {
      emails: { destination: { to: string[] }; headers?: { name: string; value: string }[]; body: { text?: string } }[];
    };

    // Assess
    expect(store.emails).toHaveLength(22);
    const recipients = store.emails.map((mail) => mail.destination.to[0]);
    expect(new Set(recipients).size).toBe(22);
    for (const mail of store.emails) {
      const headers = Object.fromEntries((mail.headers ?? []).map((header) => [header.name, header.value]));
      expect(headers['List-Unsubscribe']).toMatch(/^<http:\/\/127\.0\.0\.1:8787\/v1\/unsubscribe\?token=[\w.-]+>$/);
      expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
      expect(mail.body.text).toContain('/v1/unsubscribe?token=');
    }
    expect(stack.linkedin.invitations.length + stack.linkedin.messages.length).toBe(18);
    expect(stack.site.submissions).toHaveLength(10);
    const honeypot = stack.site.submissions.filter((submission) => submission.path === '/contact-honeypot');
    expect(honeypot).toHaveLength(1);
    expect(stack.site.rejected).toHaveLength(0);
  });

  it('leaves grade D leads NEW and never contacted', async () => {
    // Prepare
    const gradeD = leads.filter((lead) => lead.grade === 'D');

    // Act
    const stored = await Promise.all(gradeD.map((lead) => getLead(lead.leadId)));

    // Assess
    expect(gradeD).toHaveLength(4);
    expect(stored.map((lead) => lead?.status)).toEqual(['NEW', 'NEW', 'NEW', 'NEW']);
  });
});
