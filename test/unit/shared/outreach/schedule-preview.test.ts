import { describe, expect, it } from 'vitest';
import { type Campaign, type ChannelConfig, type Lead, SequenceConfig } from '#shared/domain/schemas';
import { type PreviewInput, previewSchedule } from '#shared/outreach/schedule-preview';
import { DEFAULT_SCHEDULE } from '#shared/schedule/schema';
import type { LinkedInAccount, Sender } from '#shared/senders/schema';
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

  describe('with sender pools', () => {
    const CREATED = '2026-01-01T00:00:00.000Z';
    const sender = (senderId: string, fields: Partial<Sender> = {}): Sender => ({
      senderId,
      name: senderId,
      email: `${senderId}@cascade-demo.example`,
      dailyLimit: 50,
      state: 'ACTIVE',
      createdAt: CREATED,
      updatedAt: CREATED,
      ...fields,
    });
    const account = (accountId: string, fields: Partial<LinkedInAccount>): LinkedInAccount => ({
      accountId,
      dailyInvites: 20,
      weeklyInvites: 100,
      dailyMessages: 50,
      state: 'ACTIVE',
      createdAt: CREATED,
      updatedAt: CREATED,
      ...fields,
    });
    const records = (senders: Sender[], accounts: LinkedInAccount[] = []) => ({
      senders: new Map(senders.map((each) => [each.senderId, each])),
      linkedinAccounts: new Map(accounts.map((each) => [each.accountId, each])),
    });

    /** Per day, per sender of the channel: `scheduled` and the held-back reasons that are not 0. */
    function perSender(preview: ReturnType<typeof previewSchedule>, channel = 'EMAIL') {
      return preview.days.map((day) => ({
        date: day.date,
        ...Object.fromEntries(
          day.channels
            .filter((cell) => cell.channel === channel)
            .map((cell) => {
              const held = Object.entries(cell.heldBack).filter(([, count]) => count > 0);
              return [cell.sender, held.length > 0 ? [cell.scheduled, Object.fromEntries(held)] : cell.scheduled];
            }),
        ),
      }));
    }

    it('gives each lead the sender with the most room at its touch, under daily limits and a warm-up ramp', () => {
      // Prepare: any hour; a warm-up sender that has never sent (1 mail on its first day, 2 on the next), then
      // senders of 2 and 1 mails a day, in that pool order (ties go to the earlier one).
      const pool = [
        sender('warm', { warmup: { startPerDay: 1, increasePerDay: 1 } }),
        sender('steady', { dailyLimit: 2 }),
        sender('small', { dailyLimit: 1 }),
      ];
      const campaign = testCampaign('cmp', { sequence: EMAIL_ONLY, senderIds: pool.map((each) => each.senderId) });
      const configs = { EMAIL: emailConfig(50, 200) };

      // Act
      const preview = previewSchedule(
        input(campaign, leadsIn('lead', 8, {}), { configs, identities: records(pool), days: 3 }),
      );

      // Assess: Friday, rooms warm 1, steady 2, small 1: steady, warm (tie, pool order), steady, small; the other
      // four find every sender full. Saturday, warm (first sent Friday) may send 2: warm (tie with steady), steady,
      // warm, steady; small, with the least room, gets none.
      expect(perSender(preview)).toEqual([
        {
          date: '2026-01-09',
          'small@cascade-demo.example': 1,
          'steady@cascade-demo.example': 2,
          'warm@cascade-demo.example': 1,
          '*': [0, { senderLimit: 4 }],
        },
        {
          date: '2026-01-10',
          'small@cascade-demo.example': 0,
          'steady@cascade-demo.example': 2,
          'warm@cascade-demo.example': 2,
          '*': 0,
        },
        {
          date: '2026-01-11',
          'small@cascade-demo.example': 0,
          'steady@cascade-demo.example': 0,
          'warm@cascade-demo.example': 0,
          '*': 0,
        },
      ]);
      expect(preview.days[0]?.channels.map((cell) => cell.sender).at(-1)).toBe('*');
      expect(preview.unscheduled).toBe(0);
      expect(preview.senders.map(({ id, state, limitToday, usedToday }) => [id, state, limitToday, usedToday])).toEqual(
        [
          ['warm', 'ACTIVE', 1, 0],
          ['steady', 'ACTIVE', 2, 0],
          ['small', 'ACTIVE', 1, 0],
        ],
      );
    });

    it('holds the leads of a paused or missing sender as senderPaused; the pool takes the others', () => {
      // Prepare: one lead holds the paused sender, one a sender that no longer exists, one is not assigned yet.
      const pool = [sender('paused', { state: 'PAUSED', pausedReason: 'bounce rate 7%' }), sender('active')];
      const campaign = testCampaign('cmp', { sequence: EMAIL_ONLY, senderIds: ['paused', 'active'] });
      const [held, gone, free] = leadsIn('lead', 3, {});
      if (!held || !gone || !free) throw new Error('three leads expected');
      const leads = [{ ...held, senderId: 'paused' }, { ...gone, senderId: 'ghost' }, free];

      // Act
      const preview = previewSchedule(
        input(campaign, leads, { configs: { EMAIL: emailConfig(50, 200) }, identities: records(pool), days: 2 }),
      );

      // Assess
      const day = {
        'active@cascade-demo.example': 0,
        ghost: [0, { senderPaused: 1 }],
        'paused@cascade-demo.example': [0, { senderPaused: 1 }],
        '*': 0,
      };
      expect(perSender(preview)).toEqual([
        { date: '2026-01-09', ...day, 'active@cascade-demo.example': 1 },
        { date: '2026-01-10', ...day },
      ]);
      expect(preview).toMatchObject({ waiting: 3, unscheduled: 2 });
      expect(preview.senders).toEqual([
        expect.objectContaining({ id: 'paused', state: 'PAUSED', pausedReason: 'bounce rate 7%', inPool: true }),
        expect.objectContaining({ id: 'active', state: 'ACTIVE', inPool: true, limitToday: 50 }),
        expect.objectContaining({ id: 'ghost', sender: 'ghost', state: 'MISSING', inPool: false, limitToday: 0 }),
      ]);
    });

    it('spreads LinkedIn invitations over two accounts until their daily and weekly caps', () => {
      // Prepare: acct-a may invite 3 a day and 4 a week (2 already this week, ISO week from Monday 5 January),
      // acct-b 2 a day and 3 a week; ten leads not connected yet; any hour.
      const sequence = SequenceConfig.parse({ steps: [{ channel: 'LINKEDIN' }] });
      const campaign = testCampaign('cmp', { sequence, linkedinAccountIds: ['acct-a', 'acct-b'] });
      const accounts = [
        account('acct-a', { dailyInvites: 3, weeklyInvites: 4 }),
        account('acct-b', { dailyInvites: 2, weeklyInvites: 3 }),
      ];
      const leads = Array.from({ length: 10 }, (_, index) =>
        testLead({
          leadId: `li-${index + 1}`,
          campaignId: 'cmp',
          linkedinUrl: `https://www.linkedin.com/in/li-${index + 1}`,
        }),
      );
      const linkedin = { ...defaultChannelConfig('LINKEDIN', 'cmp'), rateLimits: { perHour: 50, perDay: 200 } };
      const rates = {
        counters: new Map([['LIACCOUNT#acct-a#INV#W2026-01-05', 2]]),
        lastTouches: new Map<string, number>(),
      };

      // Act
      const preview = previewSchedule(
        input(campaign, leads, {
          configs: { LINKEDIN: linkedin },
          identities: records([], accounts),
          rates,
          days: 4,
        }),
      );

      // Assess: Friday, a, a (its week is then full), b, b (its day is full); the rest wait for b's day. Saturday,
      // a's week is still full: b once (its week full), the rest wait for Monday's new week. Monday: a, a, b, a, b.
      expect(perSender(preview, 'LINKEDIN')).toEqual([
        { date: '2026-01-09', 'acct-a': 2, 'acct-b': 2, '*': [0, { senderLimit: 6 }] },
        { date: '2026-01-10', 'acct-a': 0, 'acct-b': 1, '*': [0, { senderLimit: 5 }] },
        { date: '2026-01-11', 'acct-a': 0, 'acct-b': 0, '*': [0, { senderLimit: 5 }] },
        { date: '2026-01-12', 'acct-a': 3, 'acct-b': 2, '*': 0 },
      ]);
      expect(preview.senders[0]).toMatchObject({
        channel: 'LINKEDIN',
        id: 'acct-a',
        limitToday: 3,
        usedToday: 0,
        weeklyInvites: 4,
        usedThisWeek: 2,
      });
    });
  });
});
