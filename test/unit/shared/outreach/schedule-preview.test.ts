import { describe, expect, it } from 'vitest';
import { type Campaign, type ChannelConfig, type Lead, SequenceConfig } from '#shared/domain/schemas';
import { type PreviewInput, previewSchedule } from '#shared/outreach/schedule-preview';
import { DEFAULT_SCHEDULE } from '#shared/schedule/schema';
import { DEFAULT_ACCOUNT_LIMITS, defaultChannelConfig } from '#shared/store/config';
import { testCampaign, testLead } from '#test/support/fixtures';

/** Friday 9 January 2026, 06:00 UTC: 15:00 in Tokyo, 07:00 in Berlin, 01:00 in New York. */
const FRIDAY_0600 = Date.parse('2026-01-09T06:00:00Z');
const HOUR_MS = 3_600_000;

const EMAIL_ONLY = SequenceConfig.parse({ steps: [{ channel: 'EMAIL' }] });

function emailConfig(perHour: number, perDay: number): ChannelConfig {
  return { ...defaultChannelConfig('EMAIL', 'cmp'), rateLimits: { perHour, perDay } };
}

/** `count` leads in one zone and country, each at a domain of its own unless `domain` is given. */
function leadsIn(prefix: string, count: number, place: Partial<Lead>, domain?: string): Lead[] {
  return Array.from({ length: count }, (_, index) =>
    testLead({
      leadId: `${prefix}-${index + 1}`,
      campaignId: 'cmp',
      email: `${prefix}${index + 1}@${domain ?? `${prefix}${index + 1}.example`}`,
      ...place,
    }),
  );
}

function input(campaign: Campaign, leads: Lead[], overrides: Partial<PreviewInput> = {}): PreviewInput {
  return {
    campaign,
    configs: { EMAIL: emailConfig(3, 3) },
    leads,
    inFlight: 0,
    account: DEFAULT_ACCOUNT_LIMITS,
    nowMs: FRIDAY_0600,
    days: 5,
    ...overrides,
  };
}

/** One channel × sender cell per day: the date, what goes out, and only the held-back reasons that are not 0. */
function cells(preview: ReturnType<typeof previewSchedule>, channel = 'EMAIL') {
  return preview.days.map((day) => {
    const cell = day.channels.find((entry) => entry.channel === channel);
    const held = Object.fromEntries(Object.entries(cell?.heldBack ?? {}).filter(([, count]) => count > 0));
    return { date: day.date, scheduled: cell?.scheduled, held };
  });
}

const TOKYO = { timezone: 'Asia/Tokyo', country: 'JP' };
const BERLIN = { timezone: 'Europe/Berlin', country: 'DE' };
const NEW_YORK = { timezone: 'America/New_York', country: 'US' };

describe('previewSchedule', () => {
  it('spreads 12 leads in Tokyo, Berlin and New York over windows, a weekend, a holiday and 3 mails a day', () => {
    // Prepare: windows 09–17 local = Tokyo 00–08 UTC, Berlin 08–16 UTC, New York 14–22 UTC; Monday 12 January is
    // Coming of Age Day in Japan.
    const campaign = testCampaign('cmp', { sequence: EMAIL_ONLY, schedule: DEFAULT_SCHEDULE });
    const leads = [...leadsIn('tyo', 4, TOKYO), ...leadsIn('ber', 4, BERLIN), ...leadsIn('nyc', 4, NEW_YORK)];

    // Act
    const preview = previewSchedule(input(campaign, leads));

    // Assess: Friday — 3 Tokyo leads go at 06:00, the day's 3 are used up before Berlin (08:00) and New York
    // (14:00) open. Weekend — the 9 others wait. Monday — Berlin's window takes 3, New York is over the limit, Tokyo
    // has a holiday. Tuesday — Tokyo, Berlin and one New York lead; 3 are still waiting after the horizon.
    expect(cells(preview)).toEqual([
      { date: '2026-01-09', scheduled: 3, held: { dailyLimit: 9 } },
      { date: '2026-01-10', scheduled: 0, held: { outsideWindow: 9 } },
      { date: '2026-01-11', scheduled: 0, held: { outsideWindow: 9 } },
      { date: '2026-01-12', scheduled: 3, held: { dailyLimit: 5, holiday: 1 } },
      { date: '2026-01-13', scheduled: 3, held: { dailyLimit: 3 } },
    ]);
    expect(preview).toMatchObject({
      campaignId: 'cmp',
      from: '2026-01-09T06:00:00.000Z',
      to: '2026-01-14T00:00:00.000Z',
      horizonDays: 5,
      waiting: 12,
      unreachable: 0,
      unscheduled: 3,
    });
    expect(preview.days[0]?.channels).toHaveLength(1);
    expect(preview.days[0]?.channels[0]).toMatchObject({ channel: 'EMAIL', sender: 'ada@cascade-demo.example' });
  });

  it("starts from today's stored counters", () => {
    // Prepare: 2 of today's 3 mails already went out.
    const campaign = testCampaign('cmp', { sequence: EMAIL_ONLY, schedule: DEFAULT_SCHEDULE });
    // The campaign's own limits count its own sends (CAMPAIGN#…, PRODUCT.md §4).
    const rates = {
      counters: new Map([['CAMPAIGN#cmp#EMAIL#D#2026-01-09', 2]]),
      lastTouches: new Map<string, number>(),
    };

    // Act
    const preview = previewSchedule(input(campaign, leadsIn('tyo', 4, TOKYO), { rates, days: 1 }));

    // Assess
    expect(cells(preview)).toEqual([{ date: '2026-01-09', scheduled: 1, held: { dailyLimit: 3 } }]);
  });

  it('holds leads over an hourly limit to the next hour until the window closes', () => {
    // Prepare: Friday 14:30 UTC is 15:30 in Berlin; the window closes at 16:00 UTC.
    const campaign = testCampaign('cmp', { sequence: EMAIL_ONLY, schedule: DEFAULT_SCHEDULE });
    const configs = { EMAIL: emailConfig(1, 200) };

    // Act
    const preview = previewSchedule(
      input(campaign, leadsIn('ber', 3, BERLIN), { configs, nowMs: FRIDAY_0600 + 8.5 * HOUR_MS, days: 4 }),
    );

    // Assess: 14:30 and 15:00 send one each; the third is over the hour at 15:00, then the window is shut.
    expect(cells(preview)).toEqual([
      { date: '2026-01-09', scheduled: 2, held: { rateLimit: 1 } },
      { date: '2026-01-10', scheduled: 0, held: { outsideWindow: 1 } },
      { date: '2026-01-11', scheduled: 0, held: { outsideWindow: 1 } },
      { date: '2026-01-12', scheduled: 1, held: {} },
    ]);
  });

  it('counts the global and per-domain daily limits under their own names', () => {
    // Prepare: no schedule (any hour); two leads at one domain, two at domains of their own; 1 mail per domain and
    // 2 in all a day.
    const campaign = testCampaign('cmp', { sequence: EMAIL_ONLY });
    const leads = [...leadsIn('same', 2, {}, 'acme.example'), ...leadsIn('other', 2, {})];
    const account = { ...DEFAULT_ACCOUNT_LIMITS, perDomainPerDay: 1, globalPerDay: 2 };

    // Act
    const preview = previewSchedule(input(campaign, leads, { configs: { EMAIL: emailConfig(50, 200) }, account }));

    // Assess: same-2 finds its domain full, other-2 the account's day full; both go at the next UTC midnight.
    expect(cells(preview).slice(0, 2)).toEqual([
      { date: '2026-01-09', scheduled: 2, held: { domainLimit: 1, globalLimit: 1 } },
      { date: '2026-01-10', scheduled: 2, held: {} },
    ]);
  });

  it('falls back to the channel that can reach the lead, resumes out-of-office leads, and waits out cooldowns', () => {
    // Prepare: no schedule; EMAIL then LINKEDIN (account acct-1).
    const sequence = SequenceConfig.parse({ steps: [{ channel: 'EMAIL' }, { channel: 'LINKEDIN' }] });
    const campaign = testCampaign('cmp', { sequence });
    const linkedin = { ...defaultChannelConfig('LINKEDIN', 'cmp'), settings: { accountId: 'acct-1' } };
    const lead = (leadId: string, fields: Partial<Lead>) => testLead({ leadId, campaignId: 'cmp', ...fields });
    const leads = [
      lead('mail', { email: 'mail@mail.example' }),
      lead('profile-only', { linkedinUrl: 'https://www.linkedin.com/in/profile-only' }),
      lead('below-grade', { email: 'low@low.example', grade: 'D' }),
      lead('nowhere', {}),
      lead('away', {
        status: 'PAUSED',
        stopReason: 'out_of_office',
        resumeAt: '2026-01-13T09:00:00.000Z',
        resumeFrom: { stepIndex: 1, tryCount: 1 },
        email: 'away@away.example',
        linkedinUrl: 'https://www.linkedin.com/in/away',
      }),
      lead('paused-campaign', { status: 'PAUSED', stopReason: 'campaign_inactive', email: 'p@p.example' }),
      lead('touched', { email: 'touched@touched.example' }),
      lead('worn-out', { email: 'worn@worn.example' }),
    ];
    const rates = {
      counters: new Map([['LEAD#worn-out#TOUCHES', 10]]),
      lastTouches: new Map([['LEAD#touched#COOLDOWN', FRIDAY_0600 - 2 * HOUR_MS]]),
    };

    // Act
    const preview = previewSchedule(
      input(campaign, leads, { configs: { EMAIL: emailConfig(50, 200), LINKEDIN: linkedin }, rates, inFlight: 4 }),
    );

    // Assess
    expect(cells(preview, 'EMAIL')).toEqual([
      { date: '2026-01-09', scheduled: 1, held: { cooldown: 1 } },
      { date: '2026-01-10', scheduled: 1, held: {} },
      { date: '2026-01-11', scheduled: 0, held: {} },
      { date: '2026-01-12', scheduled: 0, held: {} },
      { date: '2026-01-13', scheduled: 0, held: {} },
    ]);
    expect(cells(preview, 'LINKEDIN').map((day) => day.scheduled)).toEqual([1, 0, 0, 0, 1]);
    expect(preview.days[0]?.channels.map(({ channel, sender }) => `${channel} ${sender}`)).toEqual([
      'EMAIL ada@cascade-demo.example',
      'LINKEDIN acct-1',
    ]);
    expect(preview).toMatchObject({ waiting: 6, inFlight: 4, unreachable: 1, atMaxTouches: 1, unscheduled: 0 });
  });
});
