import { describe, expect, it } from 'vitest';
import type { Lead } from '#shared/domain/schemas';
import { recordDomainEvent } from '#shared/events/domain-events';
import { createLead, transitionLead } from '#shared/store/leads';
import { runWithClock } from '#shared/time/clock';
import { bumpCounters } from '#shared/tracking/metrics-aggregates';
import { campaignBody, expectError, expectInvalid, useApiStack } from '#test/integration/functions/api/gateway';
import { testLead } from '#test/support/fixtures';

/** The console's reads (PRODUCT.md §12): campaign list with funnels, a campaign's stats, a lead's events. */
const local = useApiStack();
const { call } = local;

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function newCampaign(campaignId: string, name = `Campaign ${campaignId}`) {
  const reply = await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody(campaignId, { name }) });
  expect(reply.status).toBe(201);
}

/** A NEW lead moved along the store's own transitions (the byCampaignStatus index follows each move). */
async function leadIn(campaignId: string, name: string, path: Lead['status'][], fields: Partial<Lead> = {}) {
  const lead = testLead({ leadId: `${campaignId}-${name}`, campaignId, firstName: name });
  await createLead(lead);
  let from: Lead['status'] = 'NEW';
  for (const to of path) {
    await transitionLead(lead, [from], to, to === path.at(-1) ? fields : {});
    from = to;
  }
}

describe('GET /v1/campaigns', () => {
  it("lists every campaign in every state with its funnel counted from the leads' statuses", async () => {
    // Prepare: one lead per status, each reached by the moves the sequence makes.
    await newCampaign('funnel', 'Funnel campaign');
    await leadIn('funnel', 'fresh', []);
    await leadIn('funnel', 'running', ['IN_SEQUENCE']);
    await leadIn('funnel', 'reached', ['IN_SEQUENCE', 'CONTACTED']);
    await leadIn('funnel', 'reached2', ['IN_SEQUENCE', 'CONTACTED']);
    await leadIn('funnel', 'answered', ['IN_SEQUENCE', 'CONTACTED', 'REPLIED']);
    await leadIn('funnel', 'bounced', ['IN_SEQUENCE', 'CONTACTED', 'BOUNCED']);
    await leadIn('funnel', 'tried', ['IN_SEQUENCE', 'EXHAUSTED']);
    await leadIn('funnel', 'gone', ['IN_SEQUENCE', 'UNSUBSCRIBED']);
    await leadIn('funnel', 'parked', ['IN_SEQUENCE', 'PAUSED'], { stopReason: 'ambiguous_send' });
    await newCampaign('funnel-paused', 'Paused campaign');
    expect((await call({ method: 'POST', path: '/v1/campaigns/funnel-paused/pause' })).status).toBe(200);

    // Act
    const reply = await call({ method: 'GET', path: '/v1/campaigns' });

    // Assess
    expect(reply.status).toBe(200);
    const byId = new Map(reply.body.items.map((item: { campaignId: string }) => [item.campaignId, item]));
    expect(byId.get('funnel')).toEqual({
      campaignId: 'funnel',
      name: 'Funnel campaign',
      state: 'ACTIVE',
      createdAt: expect.any(String),
      funnel: {
        enrolled: 8,
        contacted: 4,
        replied: 1,
        bounced: 1,
        exhausted: 1,
        unsubscribed: 1,
        paused: 1,
        new: 1,
        inSequence: 1,
        total: 9,
      },
    });
    expect(byId.get('funnel-paused')).toMatchObject({
      state: 'PAUSED',
      funnel: { enrolled: 0, contacted: 0, new: 0, total: 0 },
    });
    const created = reply.body.items.map((item: { createdAt: string }) => item.createdAt);
    expect(created).toEqual([...created].sort().reverse());
  });
});

describe('GET /v1/campaigns/{id}/stats', () => {
  it('gives the funnel and the sends per day per channel, zeros included, oldest first', async () => {
    // Prepare: counters as the send path bumps them; `delivered` and another campaign's sends are not sends here.
    await newCampaign('stats');
    await leadIn('stats', 'reached', ['IN_SEQUENCE', 'CONTACTED']);
    const today = Date.now();
    await bumpCounters('stats', 'EMAIL', dayOf(today), { sent: 3, delivered: 2 });
    await bumpCounters('stats', 'EMAIL', dayOf(today), { sent: 1 });
    await bumpCounters('stats', 'LINKEDIN', dayOf(today - DAY_MS), { sent: 2 });
    await bumpCounters('stats', 'CONTACT_FORM', dayOf(today - 2 * DAY_MS), { sent: 1, attempts: 4 });
    await bumpCounters('stats', 'EMAIL', dayOf(today - 5 * DAY_MS), { sent: 7 }); // outside a 3-day window
    await bumpCounters('stats-other', 'EMAIL', dayOf(today), { sent: 50 });

    // Act
    const reply = await call({ method: 'GET', path: '/v1/campaigns/stats/stats?days=3' });
    const byDefault = await call({ method: 'GET', path: '/v1/campaigns/stats/stats' });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      campaignId: 'stats',
      days: 3,
      funnel: expect.objectContaining({ enrolled: 1, contacted: 1, total: 1 }),
      daily: [
        { day: dayOf(today - 2 * DAY_MS), EMAIL: 0, LINKEDIN: 0, CONTACT_FORM: 1 },
        { day: dayOf(today - DAY_MS), EMAIL: 0, LINKEDIN: 2, CONTACT_FORM: 0 },
        { day: dayOf(today), EMAIL: 4, LINKEDIN: 0, CONTACT_FORM: 0 },
      ],
    });
    expect(byDefault.body.days).toBe(14);
    expect(byDefault.body.daily).toHaveLength(14);
    expect(byDefault.body.daily.reduce((sum: number, day: { EMAIL: number }) => sum + day.EMAIL, 0)).toBe(11);
  });

  it("runs to a later day a compressed clock dated a send on (the embedded stack's fast runs)", async () => {
    // Prepare
    await newCampaign('stats-later');
    const today = Date.now();
    await bumpCounters('stats-later', 'LINKEDIN', dayOf(today + 2 * DAY_MS), { sent: 5 });

    // Act
    const reply = await call({ method: 'GET', path: '/v1/campaigns/stats-later/stats?days=1' });

    // Assess
    expect(reply.body.daily.map((day: { day: string }) => day.day)).toEqual([
      dayOf(today),
      dayOf(today + DAY_MS),
      dayOf(today + 2 * DAY_MS),
    ]);
    expect(reply.body.daily.at(-1)).toMatchObject({ LINKEDIN: 5 });
  });

  it('answers 400 for days outside 1..90 and 404 for an unknown campaign', async () => {
    // Prepare
    await newCampaign('stats-bounds');

    // Act
    const none = await call({ method: 'GET', path: '/v1/campaigns/stats-bounds/stats?days=0' });
    const tooMany = await call({ method: 'GET', path: '/v1/campaigns/stats-bounds/stats?days=91' });
    const notANumber = await call({ method: 'GET', path: '/v1/campaigns/stats-bounds/stats?days=week' });
    const most = await call({ method: 'GET', path: '/v1/campaigns/stats-bounds/stats?days=90' });
    const unknown = await call({ method: 'GET', path: '/v1/campaigns/nowhere/stats' });

    // Assess
    expectInvalid(none, 'days');
    expectInvalid(tooMany, 'days');
    expectInvalid(notANumber, 'days');
    expect(most.status).toBe(200);
    expect(most.body.daily).toHaveLength(90);
    expectError(unknown, 404, 'not_found');
  });
});

describe('GET /v1/leads/{id}/events', () => {
  it("lists the lead's recorded events newest first, and only its own", async () => {
    // Prepare: facts recorded at three instants, out of order, plus another lead's.
    await newCampaign('events');
    await leadIn('events', 'ann', ['IN_SEQUENCE', 'CONTACTED']);
    await leadIn('events', 'bob', ['IN_SEQUENCE']);
    const at = (iso: string) => ({ nowMs: () => Date.parse(iso) });
    const fact = (leadId: string, type: 'message.sent' | 'message.delivered' | 'sequence.completed', key: string) => ({
      type,
      campaignId: 'events',
      leadId,
      factKey: key,
      data: { messageId: key },
    });
    await runWithClock(at('2026-03-02T10:00:00Z'), () =>
      recordDomainEvent(fact('events-ann', 'message.delivered', 'm1')),
    );
    await runWithClock(at('2026-03-01T10:00:00Z'), () => recordDomainEvent(fact('events-ann', 'message.sent', 'm1')));
    await runWithClock(at('2026-03-03T10:00:00Z'), () =>
      recordDomainEvent(fact('events-ann', 'sequence.completed', 'run')),
    );
    await recordDomainEvent(fact('events-bob', 'message.sent', 'm2'));

    // Act
    const reply = await call({ method: 'GET', path: '/v1/leads/events-ann/events' });
    const quiet = await call({ method: 'GET', path: '/v1/leads/events-bob/events' });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((event: { type: string; createdAt: string }) => [event.type, event.createdAt])).toEqual(
      [
        ['sequence.completed', '2026-03-03T10:00:00.000Z'],
        ['message.delivered', '2026-03-02T10:00:00.000Z'],
        ['message.sent', '2026-03-01T10:00:00.000Z'],
      ],
    );
    expect(reply.body.items[2]).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'message.sent',
      createdAt: '2026-03-01T10:00:00.000Z',
      campaignId: 'events',
      leadId: 'events-ann',
      data: { messageId: 'm1' },
    });
    expect(quiet.body.items).toHaveLength(1);
  });

  it('answers an empty list for a lead without events and 404 for an unknown lead', async () => {
    // Prepare
    await newCampaign('events-none');
    await leadIn('events-none', 'cy', []);

    // Act
    const empty = await call({ method: 'GET', path: '/v1/leads/events-none-cy/events' });
    const unknown = await call({ method: 'GET', path: '/v1/leads/nobody/events' });

    // Assess
    expect(empty).toMatchObject({ status: 200, body: { items: [] } });
    expectError(unknown, 404, 'not_found');
  });
});
