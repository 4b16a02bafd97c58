import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient } from '#shared/store/client';
import {
  DEFAULT_ACCOUNT_LIMITS,
  DEFAULT_CHANNEL_LIMITS,
  putAccountLimits,
  resolveAccountLimits,
  updateAccountLimits,
} from '#shared/store/config';
import { tableName } from '#shared/store/tables';
import { expectInvalid, useApiStack } from '#test/integration/functions/api/gateway';

/** `GET|PUT /v1/limits`: the account-wide limits (docs/product.md §4, §7). Tests share one stack: each sets its own. */

const local = useApiStack();
const { call } = local;

const putLimits = (json: unknown) => call({ method: 'PUT', path: '/v1/limits', json });

/** No limits stored, as in a new account. */
async function forgetLimits(): Promise<void> {
  await documentClient().send(
    new DeleteCommand({ TableName: tableName('config'), Key: { pk: 'ACCOUNT', sk: 'LIMITS' } }),
  );
}

describe('GET /v1/limits', () => {
  it('shows every account limit at its default, and each channel at its built-in rate limits', async () => {
    // Prepare
    await forgetLimits();

    // Act
    const reply = await call({ method: 'GET', path: '/v1/limits' });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      ...DEFAULT_ACCOUNT_LIMITS,
      channels: {
        EMAIL: { ...DEFAULT_CHANNEL_LIMITS.EMAIL, source: 'default' },
        LINKEDIN: { ...DEFAULT_CHANNEL_LIMITS.LINKEDIN, source: 'default' },
        CONTACT_FORM: { ...DEFAULT_CHANNEL_LIMITS.CONTACT_FORM, source: 'default' },
        PHONE: { ...DEFAULT_CHANNEL_LIMITS.PHONE, source: 'default' },
      },
    });
  });

  it("shows a channel's stored account-wide rate limits, read-only", async () => {
    // Prepare
    const stored = await call({
      method: 'PUT',
      path: '/v1/channels/LINKEDIN/config',
      json: { enabled: true, rateLimits: { perHour: 3, perDay: 12 } },
    });
    expect(stored.status).toBe(200);

    // Act
    const reply = await call({ method: 'GET', path: '/v1/limits' });
    const ignored = await putLimits({ channels: { LINKEDIN: { perHour: 1, perDay: 1 } } });

    // Assess
    expect(reply.body.channels.LINKEDIN).toEqual({ perHour: 3, perDay: 12, source: 'account' });
    expect(reply.body.channels.EMAIL.source).toBe('default');
    expectInvalid(ignored, 'channels');
  });
});

describe('PUT /v1/limits', () => {
  it('changes only the limits given and keeps the others', async () => {
    // Prepare
    await putAccountLimits({ globalPerDay: 900, perDomainPerDay: 30, leadCooldownHours: 12 });

    // Act
    const reply = await putLimits({ perDomainPerDay: 45, maxActiveSequencesPerPerson: 3 });
    const read = await call({ method: 'GET', path: '/v1/limits' });

    // Assess
    const merged = { globalPerDay: 900, perDomainPerDay: 45, leadCooldownHours: 12, maxActiveSequencesPerPerson: 3 };
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject(merged);
    expect(reply.body.channels.EMAIL).toMatchObject({ perHour: expect.any(Number), perDay: expect.any(Number) });
    expect(read.body).toMatchObject(merged);
  });

  it('stores the first change when no limits were stored yet, with defaults for the rest', async () => {
    // Prepare
    await forgetLimits();

    // Act
    const reply = await putLimits({ globalPerDay: 0 });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ ...DEFAULT_ACCOUNT_LIMITS, globalPerDay: 0 });
    expect(await resolveAccountLimits()).toEqual({ ...DEFAULT_ACCOUNT_LIMITS, globalPerDay: 0 });
  });

  it('makes a new lead cooldown what the send path reads', async () => {
    // Prepare
    await putAccountLimits({ ...DEFAULT_ACCOUNT_LIMITS });

    // Act
    const reply = await putLimits({ leadCooldownHours: 72 });

    // Assess
    expect(reply.status).toBe(200);
    expect((await resolveAccountLimits()).leadCooldownHours).toBe(72);
  });

  it.each([
    ['stored limits', () => putAccountLimits({ ...DEFAULT_ACCOUNT_LIMITS })],
    ['no limits stored yet (the writes race to create them)', forgetLimits],
  ])('keeps every one of concurrent changes of different limits, from %s', async (_case, prepare) => {
    // Prepare
    await prepare();

    // Act
    const replies = await Promise.all([
      putLimits({ globalPerDay: 1_234 }),
      putLimits({ perDomainPerDay: 56 }),
      putLimits({ leadCooldownHours: 7 }),
    ]);

    // Assess
    expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200]);
    expect(await resolveAccountLimits()).toEqual({
      ...DEFAULT_ACCOUNT_LIMITS,
      globalPerDay: 1_234,
      perDomainPerDay: 56,
      leadCooldownHours: 7,
    });
  });

  it('refuses a negative, fractional or out-of-bounds value and changes nothing', async () => {
    // Prepare
    await putAccountLimits({ ...DEFAULT_ACCOUNT_LIMITS, perDomainPerDay: 33 });

    // Act
    const reply = await putLimits({
      globalPerDay: -1,
      perDomainPerDay: 2.5,
      leadCooldownHours: 8_761,
      maxActiveSequencesPerPerson: 0,
    });

    // Assess
    expectInvalid(reply, 'globalPerDay', 'perDomainPerDay', 'leadCooldownHours', 'maxActiveSequencesPerPerson');
    expect(await resolveAccountLimits()).toEqual({ ...DEFAULT_ACCOUNT_LIMITS, perDomainPerDay: 33 });
  });

  it('refuses an unknown limit, naming it', async () => {
    // Act
    const reply = await putLimits({ leadCooldownHours: 5, maxTouches: 4 });

    // Assess
    expectInvalid(reply, 'maxTouches');
    expect(reply.body.error.details[0].message).toBe('is not a known field');
  });

  it('accepts every bound itself', async () => {
    // Act
    const low = await putLimits({
      globalPerDay: 0,
      perDomainPerDay: 0,
      leadCooldownHours: 0,
      maxActiveSequencesPerPerson: 1,
    });
    const high = await putLimits({
      globalPerDay: 1_000_000,
      perDomainPerDay: 100_000,
      leadCooldownHours: 8_760,
      maxActiveSequencesPerPerson: 100,
    });

    // Assess
    expect([low.status, high.status]).toEqual([200, 200]);
    expect(high.body).toMatchObject({ globalPerDay: 1_000_000, maxActiveSequencesPerPerson: 100 });
  });
});

describe('updateAccountLimits', () => {
  it('answers the stored limits when given no change', async () => {
    // Prepare
    await putAccountLimits({ globalPerDay: 10, perDomainPerDay: 5, leadCooldownHours: 1 });

    // Act
    const limits = await updateAccountLimits({});

    // Assess
    expect(limits).toEqual({ ...DEFAULT_ACCOUNT_LIMITS, globalPerDay: 10, perDomainPerDay: 5, leadCooldownHours: 1 });
  });
});
