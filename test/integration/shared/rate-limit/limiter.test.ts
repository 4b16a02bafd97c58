import { beforeAll, describe, expect, it } from 'vitest';
import type { ChannelType } from '#shared/domain/schemas';
import { counterValue, type LimitRule, release, reserve, rulesForSend } from '#shared/rate-limit/limiter';
import { DEFAULT_ACCOUNT_LIMITS } from '#shared/store/config';
import { useLocalDynamo } from '#test/support/local-dynamo';

beforeAll(async () => {
  const dynamo = await useLocalDynamo();
  return () => dynamo.close();
});

const AT = Date.parse('2026-11-24T10:15:00Z');

/** The rules of one send at AT, with the default account limits and at most 10 touches per lead. */
function sendRulesAt(channel: ChannelType, leadId: string, channelLimits: { perHour: number; perDay: number }) {
  return rulesForSend({
    channel,
    leadId,
    channelLimits,
    account: DEFAULT_ACCOUNT_LIMITS,
    maxTouchesPerLead: 10,
    atMs: AT,
  });
}

describe('rate limiter against dynalite', () => {
  it('200 concurrent reservations never exceed a limit of 37', async () => {
    // Prepare
    const rule: LimitRule = {
      kind: 'counter',
      key: 'EMAIL#H#concurrency',
      limit: 37,
      windowEndMs: AT + 45 * 60_000,
      whenFull: 'retry',
    };

    // Act
    const results = await Promise.all(Array.from({ length: 200 }, () => reserve([rule], AT)));

    // Assess
    const granted = results.filter((result) => result.ok).length;
    expect(granted).toBe(37);
    expect(await counterValue('EMAIL#H#concurrency')).toBe(37);
    const refused = results.find((result) => !result.ok);
    expect(refused).toMatchObject({ ok: false, limitedBy: 'EMAIL#H#concurrency', retryAfterSeconds: 45 * 60 });
  });

  it('a full later rule gives back the slots already taken', async () => {
    // Prepare
    const first: LimitRule = {
      kind: 'counter',
      key: 'A#rollback',
      limit: 5,
      windowEndMs: AT + 1000,
      whenFull: 'retry',
    };
    const full: LimitRule = {
      kind: 'counter',
      key: 'B#rollback',
      limit: 0,
      windowEndMs: AT + 90_000,
      whenFull: 'retry',
    };

    // Act
    const result = await reserve([first, full], AT);

    // Assess
    expect(result).toMatchObject({ ok: false, limitedBy: 'B#rollback', retryAfterSeconds: 90 });
    expect(await counterValue('A#rollback')).toBe(0);
  });

  it('per-lead cooldown refuses a second touch within 24 h and reports the time left', async () => {
    // Prepare
    const rules = sendRulesAt('LINKEDIN', 'lead-cooldown', { perHour: 5, perDay: 20 });
    const firstTouch = await reserve(rules, AT);

    // Act
    const secondTouch = await reserve(rules, AT + 3_600_000);

    // Assess
    expect(firstTouch.ok).toBe(true);
    expect(secondTouch).toMatchObject({
      ok: false,
      limitedBy: 'LEAD#lead-cooldown#COOLDOWN',
      retryAfterSeconds: 23 * 3600,
    });
  });

  it('released reservations free the slot for the next send', async () => {
    // Prepare
    const rules = sendRulesAt('CONTACT_FORM', 'lead-release', { perHour: 1, perDay: 100 });
    const reserved = await reserve(rules, AT);
    if (!reserved.ok) throw new Error('first reservation should pass');

    // Act
    await release(reserved.reservation);
    const again = await reserve(rules, AT);

    // Assess
    expect(again.ok).toBe(true);
    expect(await counterValue('CONTACT_FORM#H#2026-11-24T10')).toBe(1);
  });

  it('an hourly limit reports the seconds until the calendar hour resets', async () => {
    // Prepare
    const oneAnHour = { perHour: 1, perDay: 20 };
    await reserve(sendRulesAt('LINKEDIN', 'hour-1', oneAnHour), AT);

    // Act
    const limited = await reserve(sendRulesAt('LINKEDIN', 'hour-2', oneAnHour), AT);

    // Assess
    expect(limited).toMatchObject({ ok: false, limitedBy: 'LINKEDIN#H#2026-11-24T10', retryAfterSeconds: 45 * 60 });
    expect(await counterValue('LEAD#hour-2#TOUCHES')).toBe(0);
  });
});

describe('limits that belong to their owner (PRODUCT.md §4)', () => {
  it("two campaigns with their own limits do not consume each other's; the account's channel-wide limit holds both", async () => {
    // Prepare: campaigns A and B may send 3 an hour each; the account's channel-wide limit is 5 an hour.
    const { limitOwners } = await import('#shared/rate-limit/limit-owners');
    const own = (campaignId: string) => ({ scope: campaignId, rateLimits: { perHour: 3, perDay: 100 } });
    const accountWide = { rateLimits: { perHour: 5, perDay: 100 } };
    const rules = (campaignId: string, lead: number, withAccount: boolean) =>
      rulesForSend({
        channel: 'CONTACT_FORM',
        // A scope of its own: other tests here count CONTACT_FORM sends at the same hour.
        rateScope: 'FORM-OWNERS',
        leadId: `owner-${campaignId}-${lead}`,
        ...limitOwners(campaignId, own(campaignId), withAccount ? accountWide : undefined),
        account: DEFAULT_ACCOUNT_LIMITS,
        maxTouchesPerLead: 10,
        atMs: AT,
      });
    const sendAll = async (campaignId: string, count: number, withAccount: boolean) => {
      let granted = 0;
      for (let lead = 0; lead < count; lead++)
        if ((await reserve(rules(campaignId, lead, withAccount), AT)).ok) granted++;
      return granted;
    };

    // Act: without an account-wide config, each campaign has its own 3; with one, both share its 5.
    const alone = [await sendAll('own-a', 6, false), await sendAll('own-b', 6, false)];
    const shared = [await sendAll('own-c', 6, true), await sendAll('own-d', 6, true)];

    // Assess
    expect(alone).toEqual([3, 3]);
    expect(shared).toEqual([3, 2]);
    expect(limitOwners('x', { scope: 'ACCOUNT', rateLimits: { perHour: 7, perDay: 9 } }, undefined)).toEqual({
      channelLimits: { perHour: 7, perDay: 9 },
    });
  });
});
