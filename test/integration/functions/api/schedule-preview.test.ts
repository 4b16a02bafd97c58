import { describe, expect, it } from 'vitest';
import { SequenceConfig } from '#shared/domain/schemas';
import { counterValue, reserve } from '#shared/rate-limit/limiter';
import { DEFAULT_SCHEDULE } from '#shared/schedule/schema';
import type { Sender } from '#shared/senders/schema';
import { putChannelConfig } from '#shared/store/config';
import { createLead, getLead, putCampaign, transitionLead } from '#shared/store/leads';
import { putSender } from '#shared/store/senders';
import { OffsetClock, runWithClock } from '#shared/time/clock';
import { campaignBody, expectError, expectInvalid, useApiStack } from '#test/integration/functions/api/gateway';
import { testCampaign, testLead } from '#test/support/fixtures';

const local = useApiStack();
const { call } = local;

/** Friday 9 January 2026, 06:00 UTC: 15:00 in Tokyo, 07:00 in Berlin, 01:00 in New York. */
const FRIDAY_0600 = Date.parse('2026-01-09T06:00:00Z');
const atFriday = <T>(work: () => Promise<T>) => runWithClock(new OffsetClock(FRIDAY_0600 - Date.now()), work);

const PLACES = [
  { prefix: 'tyo', timezone: 'Asia/Tokyo', country: 'JP' },
  { prefix: 'ber', timezone: 'Europe/Berlin', country: 'DE' },
  { prefix: 'nyc', timezone: 'America/New_York', country: 'US' },
];

/** Four well-graded leads in each place, each at a domain of its own. */
const LEADS = PLACES.flatMap(({ prefix, timezone, country }) =>
  [1, 2, 3, 4].map((n) => ({
    firstName: `${prefix}${n}`,
    email: `${prefix}${n}@${prefix}${n}.example`,
    leadScore: 0.95,
    budgetRange: '10k-50k',
    timelineMonths: 3,
    painPoints: ['manual outreach'],
    timezone,
    country,
  })),
);

/** An EMAIL-only campaign with the default schedule (Mon–Fri 09–17, holidays skipped), 3 mails a day, the 12 leads, one running and one away. */
async function seedCampaign(campaignId: string): Promise<{ leadIds: string[] }> {
  const created = await call({
    method: 'POST',
    path: '/v1/campaigns',
    json: campaignBody(campaignId, { sequence: { steps: [{ channel: 'EMAIL' }] }, schedule: DEFAULT_SCHEDULE }),
  });
  expect(created.status).toBe(201);
  const config = await call({
    method: 'PUT',
    path: `/v1/channels/EMAIL/config?campaignId=${campaignId}`,
    json: { rateLimits: { perHour: 3, perDay: 3 } },
  });
  expect(config.status).toBe(200);
  const extra = [
    { firstName: 'Running', email: 'running@running.example', leadScore: 0.95 },
    { firstName: 'Away', email: 'away@away.example', leadScore: 0.95, timezone: 'Europe/Berlin', country: 'DE' },
  ];
  const imported = await call({
    method: 'POST',
    path: `/v1/campaigns/${campaignId}/leads`,
    json: [...LEADS, ...extra],
  });
  expect(imported.body).toMatchObject({ imported: 14, rejected: 0 });
  const leadIds: string[] = imported.body.leads.map((lead: { leadId: string }) => lead.leadId);
  const [running, away] = leadIds.slice(12).map((leadId) => ({ leadId, campaignId }));
  if (!running || !away) throw new Error('the import did not answer every lead');
  await transitionLead(running, ['NEW'], 'IN_SEQUENCE');
  await transitionLead(away, ['NEW'], 'PAUSED', { stopReason: 'out_of_office', resumeAt: '2026-01-20T08:00:00.000Z' });
  return { leadIds };
}

describe('GET /v1/campaigns/{id}/schedule-preview', () => {
  it('answers per day × channel × sender what the window, holidays and limits let go out, writing nothing', async () => {
    await atFriday(async () => {
      // Prepare
      const { leadIds } = await seedCampaign('preview');
      const executionsBefore = local.stack.stepFunctions.list().length;

      // Act
      const reply = await call({ method: 'GET', path: '/v1/campaigns/preview/schedule-preview?days=5' });

      // Assess: the hand-computed plan of the unit test; the away lead resumes after the horizon.
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({
        campaignId: 'preview',
        horizonDays: 5,
        waiting: 13,
        inFlight: 1,
        unreachable: 0,
        atMaxTouches: 0,
        unscheduled: 4,
        to: '2026-01-14T00:00:00.000Z',
        model: expect.stringContaining('out_of_office'),
      });
      expect(Date.parse(reply.body.from)).toBeGreaterThanOrEqual(FRIDAY_0600);
      const days = reply.body.days.map(
        (day: {
          date: string;
          channels: { channel: string; sender: string; scheduled: number; heldBack: object }[];
        }) => {
          expect(day.channels.map(({ channel, sender }) => `${channel} ${sender}`)).toEqual([
            'EMAIL ada@cascade-demo.example',
          ]);
          const [cell] = day.channels;
          const held = Object.fromEntries(Object.entries(cell?.heldBack ?? {}).filter(([, count]) => count > 0));
          return [day.date, cell?.scheduled, held];
        },
      );
      expect(days).toEqual([
        ['2026-01-09', 3, { dailyLimit: 9 }],
        ['2026-01-10', 0, { outsideWindow: 9 }],
        ['2026-01-11', 0, { outsideWindow: 9 }],
        ['2026-01-12', 3, { dailyLimit: 5, holiday: 1 }],
        ['2026-01-13', 3, { dailyLimit: 3 }],
      ]);
      expect(local.stack.stepFunctions.list()).toHaveLength(executionsBefore);
      const statuses = await Promise.all(leadIds.map(async (leadId) => (await getLead(leadId))?.status));
      expect(statuses).toEqual([...Array(12).fill('NEW'), 'IN_SEQUENCE', 'PAUSED']);
      expect(await counterValue('EMAIL#D#2026-01-09')).toBe(0);
    });
  });

  it('simulates 14 days by default', async () => {
    await atFriday(async () => {
      // Prepare
      await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('preview-default') });

      // Act
      const reply = await call({ method: 'GET', path: '/v1/campaigns/preview-default/schedule-preview' });

      // Assess: no leads, so no channel cells, but every day of the horizon.
      expect(reply.status).toBe(200);
      expect(reply.body.days.map((day: { date: string }) => day.date)).toHaveLength(14);
      expect(reply.body.days[0]).toEqual({ date: '2026-01-09', channels: [] });
      expect(reply.body).toMatchObject({ waiting: 0, inFlight: 0, unscheduled: 0 });
    });
  });

  it("starts from the stored counters of today's sends", async () => {
    await atFriday(async () => {
      // Prepare: two of today's three mails went out already (the limiter's own reservation).
      await seedCampaign('preview-counted');
      // The campaign has its own EMAIL limits: its own sends count (CAMPAIGN#…, PRODUCT.md §4).
      const key = 'CAMPAIGN#preview-counted#EMAIL#D#2026-01-09';
      const today = { kind: 'counter', key, limit: 200, whenFull: 'retry' } as const;
      const reserved = await reserve([{ ...today, windowEndMs: Date.parse('2026-01-10T00:00:00Z') }]);
      await reserve([{ ...today, windowEndMs: Date.parse('2026-01-10T00:00:00Z') }]);
      expect(reserved.ok).toBe(true);

      // Act
      const reply = await call({ method: 'GET', path: '/v1/campaigns/preview-counted/schedule-preview?days=1' });

      // Assess
      expect(reply.status).toBe(200);
      expect(reply.body.days).toEqual([
        {
          date: '2026-01-09',
          channels: [expect.objectContaining({ scheduled: 1, heldBack: expect.objectContaining({ dailyLimit: 11 }) })],
        },
      ]);
      expect(await counterValue(key)).toBe(2);
    });
  });

  it("spreads a sender pool's leads by each sender's room, from the stored senders and their counters", async () => {
    await atFriday(async () => {
      // Prepare: int-a (2 a day) sent 1 mail today already; int-b warms up from 1 + 1 a day since Thursday (2
      // today, 3 tomorrow); int-p is paused and holds one lead. Five unassigned leads, any hour, 2 days.
      const stamp = '2026-01-01T00:00:00.000Z';
      const sender = (senderId: string, fields: Partial<Sender>): Sender => ({
        senderId,
        name: senderId,
        email: `${senderId}@cascade-demo.example`,
        dailyLimit: 50,
        state: 'ACTIVE',
        createdAt: stamp,
        updatedAt: stamp,
        ...fields,
      });
      await putSender(sender('int-a', { dailyLimit: 2 }));
      await putSender(sender('int-b', { warmup: { startPerDay: 1, increasePerDay: 1 }, firstSendDay: '2026-01-08' }));
      await putSender(sender('int-p', { state: 'PAUSED', pausedReason: 'operator' }));
      const campaign = testCampaign('preview-pool', {
        sequence: SequenceConfig.parse({ steps: [{ channel: 'EMAIL' }] }),
        senderIds: ['int-a', 'int-b', 'int-p'],
      });
      await putCampaign(campaign);
      await putChannelConfig({
        channel: 'EMAIL',
        scope: campaign.campaignId,
        enabled: true,
        rateLimits: { perHour: 50, perDay: 200 },
        retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 48] },
        settings: {},
      });
      for (let index = 1; index <= 6; index++)
        await createLead(
          testLead({
            leadId: `pool-${index}`,
            campaignId: campaign.campaignId,
            email: `p${index}@pool-${index}.example`,
            ...(index === 6 && { senderId: 'int-p' }),
          }),
        );
      const key = 'SENDER#int-a#D#2026-01-09';
      await reserve([{ kind: 'counter', key, limit: 2, whenFull: 'retry', windowEndMs: Date.parse('2026-01-10') }]);

      // Act
      const reply = await call({ method: 'GET', path: '/v1/campaigns/preview-pool/schedule-preview?days=2' });

      // Assess: Friday, rooms a 1, b 2: b, a (tie, pool order), b; two wait for a sender's day. Saturday, rooms a 2,
      // b 3: b, a. The paused sender's lead waits both days.
      expect(reply.status).toBe(200);
      const cells = reply.body.days.map(
        (day: { channels: { sender: string; scheduled: number; heldBack: object }[] }) =>
          Object.fromEntries(
            day.channels.map((cell) => {
              const held = Object.entries(cell.heldBack).filter(([, count]) => count > 0);
              return [cell.sender.split('@')[0], [cell.scheduled, Object.fromEntries(held)]];
            }),
          ),
      );
      expect(cells).toEqual([
        { 'int-a': [1, {}], 'int-b': [2, {}], 'int-p': [0, { senderPaused: 1 }], '*': [0, { senderLimit: 2 }] },
        { 'int-a': [1, {}], 'int-b': [1, {}], 'int-p': [0, { senderPaused: 1 }], '*': [0, {}] },
      ]);
      expect(reply.body).toMatchObject({ waiting: 6, unscheduled: 1 });
      expect(reply.body.senders).toEqual([
        expect.objectContaining({ channel: 'EMAIL', id: 'int-a', state: 'ACTIVE', limitToday: 2, usedToday: 1 }),
        expect.objectContaining({ id: 'int-b', limitToday: 2, usedToday: 0, firstSendDay: '2026-01-08' }),
        expect.objectContaining({ id: 'int-p', state: 'PAUSED', pausedReason: 'operator', inPool: true }),
      ]);
      expect(await counterValue(key)).toBe(1);
    });
  });

  it.each(['0', '32', '1.5', 'soon'])('answers days=%s with 400 naming days', async (days) => {
    // Act
    const reply = await call({ method: 'GET', path: `/v1/campaigns/preview/schedule-preview?days=${days}` });

    // Assess
    expectInvalid(reply, 'days');
  });

  it('answers an unknown campaign with 404', async () => {
    // Act
    const reply = await call({ method: 'GET', path: '/v1/campaigns/ghost/schedule-preview' });

    // Assess
    expectError(reply, 404, 'not_found');
  });
});
