import { beforeAll, describe, expect, it } from 'vitest';
import type { ChannelResult } from '#shared/domain/outcome';
import { EmailBouncedError, LeadComplainedError } from '#shared/errors';
import { checkDelivery } from '#shared/outreach/check-delivery';
import { type LimitRule, reserve } from '#shared/rate-limit/limiter';
import { createLead } from '#shared/store/leads';
import { advanceMessage, claimAttempt, putMessage, recordReservation } from '#shared/store/outreach';
import { testLead } from '#test/support/fixtures';
import { useLocalDynamo } from '#test/support/local-dynamo';

const AT = Date.parse('2026-11-24T09:00:00.000Z');
const DAY_MS = 86_400_000;

beforeAll(async () => {
  const dynamo = await useLocalDynamo();
  return () => dynamo.close();
}, 60_000);

/** An accepted email whose send took the lead's cooldown and a channel counter, then ended as `status`. */
async function sentEmail(leadId: string, status: 'DELIVERED' | 'BOUNCED', complained = false) {
  await createLead(testLead({ leadId, campaignId: 'delivery', email: `${leadId}@acme.example`, status: 'CONTACTED' }));
  const rules: LimitRule[] = [
    { kind: 'cooldown', key: `LEAD#${leadId}#COOLDOWN`, cooldownMs: DAY_MS },
    { kind: 'counter', key: `EMAIL#D#${leadId}`, limit: 10, windowEndMs: AT + DAY_MS, whenFull: 'retry' },
  ];
  const reserved = await reserve(rules, AT);
  if (!reserved.ok) throw new Error('the first reservation must succeed');
  const attemptKey = `delivery--${leadId}#0#1`;
  const messageId = `msg_${leadId}`;
  await claimAttempt({
    attemptKey,
    leadId,
    campaignId: 'delivery',
    executionName: `delivery--${leadId}`,
    channel: 'EMAIL',
    stepIndex: 0,
    tryNumber: 1,
    state: 'PENDING',
    phase: 'PREPARED',
    owner: 'test',
    messageId,
    createdAt: new Date(AT).toISOString(),
    updatedAt: new Date(AT).toISOString(),
  });
  await recordReservation(leadId, attemptKey, reserved.reservation);
  await putMessage({
    messageId,
    leadId,
    campaignId: 'delivery',
    channel: 'EMAIL',
    status: 'SENT',
    body: 'Hello',
    executionName: `delivery--${leadId}`,
    attemptKey,
    createdAt: new Date(AT).toISOString(),
  });
  await advanceMessage(leadId, messageId, status, complained ? { complainedAt: new Date(AT).toISOString() } : {});
  const sent: ChannelResult = { outcome: 'SENT', channel: 'EMAIL', messageId };
  return { rules, sent };
}

/** Whether a new touch of the lead would pass the cooldown and the counter now, an hour after the send. */
async function touchAllowed(rules: LimitRule[]) {
  const [cooldown, counter] = rules;
  const later = AT + 3_600_000;
  return {
    cooldown: (await reserve([cooldown as LimitRule], later)).ok,
    counterUsed: counter ? (await reserve([{ ...(counter as LimitRule), limit: 1 } as LimitRule], later)).ok : null,
  };
}

describe('checkDelivery', () => {
  it('a bounced email gives back the lead cooldown (no touch happened) but keeps the send counted', async () => {
    // Prepare
    const { rules, sent } = await sentEmail('bounced', 'BOUNCED');

    // Act
    const error = await checkDelivery({ leadId: 'bounced', sent }).catch((caught: unknown) => caught);

    // Assess: the next channel may touch the lead at once; the day counter still holds the bounced send.
    expect(error).toBeInstanceOf(EmailBouncedError);
    expect(await touchAllowed(rules)).toEqual({ cooldown: true, counterUsed: false });
  });

  it('a delivered email keeps the cooldown', async () => {
    // Prepare
    const { rules, sent } = await sentEmail('delivered', 'DELIVERED');

    // Act
    const result = await checkDelivery({ leadId: 'delivered', sent });

    // Assess
    expect(result).toMatchObject({ outcome: 'SENT', confirmed: true });
    expect((await touchAllowed(rules)).cooldown).toBe(false);
  });

  it('a complaint stops the lead and keeps the cooldown', async () => {
    // Prepare
    const { rules, sent } = await sentEmail('complained', 'DELIVERED', true);

    // Act
    const error = await checkDelivery({ leadId: 'complained', sent }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(LeadComplainedError);
    expect((await touchAllowed(rules)).cooldown).toBe(false);
  });
});
