import { describe, expect, it } from 'vitest';
import { LinkedInAccount, Sender, warmupLimitOn } from '#shared/senders/schema';

/** The sender and LinkedIn account records (PRODUCT.md §10): defaults, header safety and the warm-up ramp. */

const STAMPS = { createdAt: '2026-03-01T00:00:00.000Z', updatedAt: '2026-03-01T00:00:00.000Z' };

describe('warmupLimitOn', () => {
  const warming = { dailyLimit: 40, warmup: { startPerDay: 10, increasePerDay: 5 }, firstSendDay: '2026-03-30' };

  it.each([
    ['2026-03-30', 10], // the first sending day
    ['2026-03-31', 15], // across a month end
    ['2026-04-01', 20],
    ['2026-04-05', 40], // 10 + 5 × 6 = 40: exactly the limit
    ['2026-04-06', 40], // 45 capped by dailyLimit
    ['2027-01-01', 40],
    ['2026-03-29', 10], // a day before the first send is never below the start
  ])('on %s allows %i', (day, expected) => {
    // Act
    const limit = warmupLimitOn(warming, day);

    // Assess
    expect(limit).toBe(expected);
  });

  it('is the start allowance every day until the first send is recorded', () => {
    // Prepare
    const unsent = { ...warming, firstSendDay: undefined };

    // Act
    const limits = ['2026-03-30', '2026-06-01'].map((day) => warmupLimitOn(unsent, day));

    // Assess
    expect(limits).toEqual([10, 10]);
  });

  it('is the daily limit without a warm-up, and the limit when it is below the start', () => {
    // Act
    const plain = warmupLimitOn({ dailyLimit: 30 }, '2026-03-30');
    const low = warmupLimitOn({ ...warming, dailyLimit: 7 }, '2026-03-30');

    // Assess
    expect([plain, low]).toEqual([30, 7]);
  });

  it('counts UTC calendar days over a daylight-saving change', () => {
    // Act
    const limit = warmupLimitOn({ ...warming, dailyLimit: 1000, firstSendDay: '2026-03-28' }, '2026-03-30');

    // Assess
    expect(limit).toBe(20);
  });

  it('refuses a day that is not YYYY-MM-DD', () => {
    // Act / Assess
    expect(() => warmupLimitOn(warming, '30/03/2026')).toThrow(RangeError);
  });
});

describe('Sender', () => {
  it('fills the PRODUCT.md §10 defaults', () => {
    // Act
    const sender = Sender.parse({ senderId: 's-1', name: 'Ada', email: 'ada@example.com', warmup: {}, ...STAMPS });

    // Assess
    expect(sender).toMatchObject({ dailyLimit: 50, warmup: { startPerDay: 10, increasePerDay: 5 }, state: 'ACTIVE' });
  });

  it.each([
    ['a name with a line break', { name: 'Ada\r\nBcc: x@example.com' }, 'name'],
    ['an id with a slash', { senderId: 'a/b' }, 'senderId'],
    ['an address that is not one', { email: 'not-an-address' }, 'email'],
    ['a zero daily limit', { dailyLimit: 0 }, 'dailyLimit'],
  ])('refuses %s', (_, fields, path) => {
    // Act
    const result = Sender.safeParse({ senderId: 's-1', name: 'Ada', email: 'ada@example.com', ...STAMPS, ...fields });

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });
});

describe('LinkedInAccount', () => {
  it('fills the PRODUCT.md §10 defaults', () => {
    // Act
    const account = LinkedInAccount.parse({ accountId: 'li-1', ...STAMPS });

    // Assess
    expect(account).toMatchObject({ dailyInvites: 20, weeklyInvites: 100, dailyMessages: 50, state: 'ACTIVE' });
  });
});
