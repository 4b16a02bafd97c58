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
