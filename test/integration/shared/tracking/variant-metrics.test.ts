import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { type OutreachMessage, SequenceConfig } from '#shared/domain/schemas';
import { createLead } from '#shared/store/leads';
import { putMessage } from '#shared/store/outreach';
import { METRICS_SHARDS } from '#shared/tracking/metrics-aggregates';
import { recordReply } from '#shared/tracking/replies';
import { handleSesEvent } from '#shared/tracking/ses-events';
import { bumpVariantCounters, readVariantMetrics } from '#shared/tracking/variant-metrics';
import { testLead } from '#test/support/fixtures';
import { useLocalDynamo } from '#test/support/local-dynamo';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

const TODAY = Date.parse('2026-11-24T12:00:00Z');
const DAYS = ['2026-11-22', '2026-11-23', '2026-11-24'];

beforeAll(async () => {
  const dynamo = await useLocalDynamo();
  return () => dynamo.close();
});

const sentOn = (day: string, variantId: string | undefined, stepId: string | undefined = 'intro') => ({
  campaignId: 'ab',
  createdAt: `${day}T09:00:00.000Z`,
  channel: 'EMAIL' as const,
  ...(stepId && { stepId }),
  ...(variantId && { variantId }),
});

const stepOf = (steps: Awaited<ReturnType<typeof readVariantMetrics>>['steps'], stepId: string) =>
  steps.find((step) => step.stepId === stepId);

describe('variant counters', () => {
  it('sums every day and shard of the window per step × variant, with rates and P(best)', async () => {
    // Prepare: 60 sends per variant over three days, one bump each so they land on many shards; "a" answers
    // 1 in 5, "b" 1 in 20 with 3 bounces. A bump before the window must not count.
    const expected = {
      a: { sent: 0, delivered: 0, replied: 0, bounced: 0 },
      b: { sent: 0, delivered: 0, replied: 0, bounced: 0 },
    };
    for (let index = 0; index < 60; index++) {
      const day = DAYS[index % DAYS.length] as string;
      const a = { sent: 1, delivered: 1, replied: index % 5 === 0 ? 1 : 0 };
      const bounced = index < 3 ? 1 : 0;
      const b = { sent: 1, delivered: 1 - bounced, bounced, replied: index % 20 === 5 ? 1 : 0 };
      await bumpVariantCounters(sentOn(day, 'a'), a);
      await bumpVariantCounters(sentOn(day, 'b'), b);
      for (const key of ['sent', 'delivered', 'replied'] as const) {
        expected.a[key] += a[key];
        expected.b[key] += b[key];
      }
      expected.b.bounced += bounced;
    }
    await bumpVariantCounters(sentOn('2026-11-10', 'a'), { sent: 500, delivered: 500 });

    // Act
    const { steps, itemsRead } = await readVariantMetrics('ab', 7, TODAY);

    // Assess
    const intro = stepOf(steps, 'intro');
    const [a, b] = ['a', 'b'].map((id) => intro?.variants.find((variant) => variant.variantId === id));
    expect(intro?.channel).toBe('EMAIL');
    expect(a).toMatchObject({ ...expected.a, weight: null, replyRate: expected.a.replied / expected.a.delivered });
    expect(b).toMatchObject({ ...expected.b, bounceRate: expected.b.bounced / expected.b.sent });
    expect(b?.replyRate).toBeCloseTo(expected.b.replied / expected.b.delivered, 4);
    expect((a?.probabilityBest ?? 0) + (b?.probabilityBest ?? 0)).toBeCloseTo(1, 3);
    expect(a?.probabilityBest).toBeGreaterThan(0.95);
    // 120 bumps over 2 variants × 3 days reach more than one shard of each, and never more than all of them.
    expect(itemsRead).toBeGreaterThan(2 * DAYS.length);
    expect(itemsRead).toBeLessThanOrEqual(2 * DAYS.length * METRICS_SHARDS);
  });

  it('bumps nothing for a message without a variant or a step', async () => {
    // Prepare
    const noVariant = { ...sentOn('2026-11-24', undefined), campaignId: 'plain' };
    const noStep = { ...sentOn('2026-11-24', 'a', ''), campaignId: 'plain' };

    // Act
    await bumpVariantCounters(noVariant, { sent: 1, delivered: 1 });
    await bumpVariantCounters(noStep, { sent: 1, replied: 1 });
    const read = await readVariantMetrics('plain', 7, TODAY);

    // Assess
    expect(read).toEqual({ steps: [], itemsRead: 0 });
  });

  it("lists the sequence's variants at zero, then variants counted but since removed", async () => {
    // Prepare: step "intro" now has a and b (weights 3:1); "old" was dropped from it; "hello" is a LinkedIn step.
    const sequence = SequenceConfig.parse({
      steps: [
        {
          id: 'intro',
          channel: 'EMAIL',
          onSent: 'next',
          variants: [
            { id: 'a', weight: 3, body: 'A' },
            { id: 'b', weight: 1, body: 'B' },
          ],
        },
        {
          id: 'hello',
          channel: 'LINKEDIN',
          variants: [
            { id: 'short', body: 'Hi' },
            { id: 'long', body: 'Hello there' },
          ],
        },
      ],
    }).steps;
    await bumpVariantCounters({ ...sentOn('2026-11-24', 'old'), campaignId: 'listing' }, { sent: 4, delivered: 4 });
    const linkedin = { ...sentOn('2026-11-24', 'short', 'hello'), campaignId: 'listing', channel: 'LINKEDIN' as const };
    await bumpVariantCounters(linkedin, { sent: 10, replied: 2 });

    // Act
    const { steps } = await readVariantMetrics('listing', 7, TODAY, sequence);

    // Assess
    expect(
      steps.map((step) => [step.stepId, step.variants.map((variant) => [variant.variantId, variant.weight])]),
    ).toEqual([
      [
        'intro',
        [
          ['a', 3],
          ['b', 1],
          ['old', null],
        ],
      ],
      [
        'hello',
        [
          ['short', 1],
          ['long', 1],
        ],
      ],
    ]);
    expect(stepOf(steps, 'intro')?.variants[0]).toMatchObject({ sent: 0, delivered: 0, replyRate: 0, bounceRate: 0 });
    // LinkedIn sends no receipt: its accepted sends are its deliveries, as in the channel metrics.
    expect(stepOf(steps, 'hello')?.variants[0]).toMatchObject({ sent: 10, delivered: 10, replied: 2, replyRate: 0.2 });
    const total = (stepId: string) =>
      stepOf(steps, stepId)?.variants.reduce((sum, variant) => sum + variant.probabilityBest, 0) ?? 0;
    expect(total('intro')).toBeCloseTo(1, 3);
    expect(total('hello')).toBeCloseTo(1, 3);
  });
});

let sequence = 0;

/** A sent EMAIL message of variant "a" of step "intro" in campaign `campaignId`, with its SES ids. */
async function variantMessage(campaignId: string) {
  sequence++;
  const leadId = `lead_variant_${sequence}`;
  const messageId = `msg_variant_${sequence}`;
  const recipient = `person${sequence}@variant-test.example`;
  const sesId = `0100-variant-${sequence}`;
  await createLead(testLead({ leadId, campaignId, email: recipient, status: 'CONTACTED' }));
  const message: OutreachMessage = {
    messageId,
    leadId,
    campaignId,
    channel: 'EMAIL',
    status: 'SENT',
    body: 'Hello',
    executionName: `exec-variant-${sequence}`,
    attemptKey: `exec-variant-${sequence}#0#1`,
    providerMessageId: sesId,
    stepId: 'intro',
    variantId: 'a',
    createdAt: '2026-11-24T08:00:00.000Z',
  };
  await putMessage(message);
  return { leadId, messageId, sesId, recipient };
}

/** An SES fixture re-addressed to the message (tags and SES id), as ses-events.test.ts does. */
function sesEvent(name: string, ids: Awaited<ReturnType<typeof variantMessage>>) {
  const event = JSON.parse(readFileSync(`test/fixtures/ses-events/${name}.json`, 'utf8'));
  event.detail.mail.messageId = ids.sesId;
  event.detail.mail.destination = [ids.recipient];
  event.detail.mail.tags.lead = [ids.leadId];
  event.detail.mail.tags.message = [ids.messageId];
  return event;
}

async function variantA(campaignId: string) {
  const { steps } = await readVariantMetrics(campaignId, 1, TODAY);
  return stepOf(steps, 'intro')?.variants.find((variant) => variant.variantId === 'a');
}

describe('variant counters through the event handlers', () => {
  it('counts a delivery once when SES delivers the event twice', async () => {
    // Prepare
    const ids = await variantMessage('ses-twice');
    const delivery = sesEvent('delivery', ids);

    // Act
    const first = await handleSesEvent(delivery);
    const again = await handleSesEvent(delivery);

    // Assess
    expect([first.effect, again.effect]).toEqual(['status', 'ignored']);
    expect(await variantA('ses-twice')).toMatchObject({ delivered: 1, bounced: 0 });
  });

  it('moves a late bounce from delivered to bounced, once', async () => {
    // Prepare
    const ids = await variantMessage('ses-late-bounce');
    await handleSesEvent(sesEvent('delivery', ids));

    // Act
    await handleSesEvent(sesEvent('bounce-permanent', ids));
    await handleSesEvent(sesEvent('bounce-permanent', ids));

    // Assess
    expect(await variantA('ses-late-bounce')).toMatchObject({ delivered: 0, bounced: 1 });
  });

  it('counts a reply once when it is recorded twice', async () => {
    // Prepare
    const ids = await variantMessage('replied-twice');
    await handleSesEvent(sesEvent('delivery', ids));

    // Act
    const options = { messageId: ids.messageId, channel: 'EMAIL' as const, at: '2026-11-24T10:00:00.000Z' };
    await recordReply(ids.leadId, options);
    await recordReply(ids.leadId, options);

    // Assess
    expect(await variantA('replied-twice')).toMatchObject({ delivered: 1, replied: 1, replyRate: 1 });
  });
});
