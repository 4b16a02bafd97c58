import { describe, expect, it } from 'vitest';
import { expectError, expectInvalid, useApiStack } from '#test/integration/functions/api/gateway';

/**
 * Senders and LinkedIn accounts through the operator API on the embedded stack (PRODUCT.md §7, §10): create,
 * conflicts, validation, reads, pause and resume, and the health check answering `unknown` where the local
 * stack has no DNS records or SES identity to read.
 */

const local = useApiStack();
const { call } = local;

const senderBody = (senderId: string, fields: Record<string, unknown> = {}) => ({
  senderId,
  name: 'Ada Lovelace',
  email: `${senderId}@cascade-health.invalid`,
  ...fields,
});

describe('POST /v1/senders', () => {
  it('creates a sender with the §10 defaults and refuses the same id again', async () => {
    // Prepare
    const body = senderBody('snd-create', { warmup: {} });

    // Act
    const created = await call({ method: 'POST', path: '/v1/senders', json: body });
    const again = await call({ method: 'POST', path: '/v1/senders', json: { ...body, name: 'Someone Else' } });

    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe('/v1/senders/snd-create');
    expect(created.body).toMatchObject({
      senderId: 'snd-create',
      dailyLimit: 50,
      warmup: { startPerDay: 10, increasePerDay: 5 },
      state: 'ACTIVE',
    });
    expect(created.body.firstSendDay).toBeUndefined();
    expectError(again, 409, 'sender_exists');
  });

  it('names the field of a bad address, a header-breaking name and a key the API does not know', async () => {
    // Act
    const badEmail = await call({
      method: 'POST',
      path: '/v1/senders',
      json: senderBody('snd-bad', { email: 'nope' }),
    });
    const badName = await call({
      method: 'POST',
      path: '/v1/senders',
      json: senderBody('snd-bad', { name: 'Ada\r\nBcc: all@example.com' }),
    });
    const firstSend = await call({
      method: 'POST',
      path: '/v1/senders',
      json: senderBody('snd-bad', { firstSendDay: '2026-01-01' }),
    });

    // Assess
    expectInvalid(badEmail, 'email');
    expectInvalid(badName, 'name');
    expectInvalid(firstSend, 'firstSendDay');
  });
});

describe('GET and PUT /v1/senders/{id}', () => {
  it('reads and lists senders; an unknown id is a 404', async () => {
    // Prepare
    await call({ method: 'POST', path: '/v1/senders', json: senderBody('snd-read-a') });
    await call({ method: 'POST', path: '/v1/senders', json: senderBody('snd-read-b', { dailyLimit: 20 }) });

    // Act
    const one = await call({ method: 'GET', path: '/v1/senders/snd-read-b' });
    const all = await call({ method: 'GET', path: '/v1/senders' });
    const missing = await call({ method: 'GET', path: '/v1/senders/snd-nobody' });
    const missingPut = await call({ method: 'PUT', path: '/v1/senders/snd-nobody', json: { dailyLimit: 5 } });
    const missingHealth = await call({ method: 'GET', path: '/v1/senders/snd-nobody/health' });

    // Assess
    expect(one.body).toMatchObject({ senderId: 'snd-read-b', dailyLimit: 20 });
    const ids = all.body.items.map((sender: { senderId: string }) => sender.senderId);
    expect(ids).toEqual(expect.arrayContaining(['snd-read-a', 'snd-read-b']));
    expect(ids).toEqual([...ids].sort());
    for (const reply of [missing, missingPut, missingHealth]) expectError(reply, 404, 'not_found');
  });

  it('pauses with a reason and resumes; a repeated PAUSED keeps the first pause', async () => {
    // Prepare
    await call({
      method: 'POST',
      path: '/v1/senders',
      json: senderBody('snd-pause', { replyTo: 'r@cascade.invalid' }),
    });

    // Act
    const paused = await call({
      method: 'PUT',
      path: '/v1/senders/snd-pause',
      json: { state: 'PAUSED', pausedReason: 'domain moving' },
    });
    const pausedAgain = await call({ method: 'PUT', path: '/v1/senders/snd-pause', json: { state: 'PAUSED' } });
    const resumed = await call({
      method: 'PUT',
      path: '/v1/senders/snd-pause',
      json: { state: 'ACTIVE', replyTo: null, warmup: { startPerDay: 3 } },
    });

    // Assess
    expect(paused.body).toMatchObject({ state: 'PAUSED', pausedReason: 'domain moving' });
    expect(paused.body.pausedAt).toEqual(expect.any(String));
    expect(pausedAgain.body).toMatchObject({ pausedReason: 'domain moving', pausedAt: paused.body.pausedAt });
    expect(resumed.body).toMatchObject({ state: 'ACTIVE', warmup: { startPerDay: 3, increasePerDay: 5 } });
    expect(resumed.body).not.toHaveProperty('pausedReason');
    expect(resumed.body).not.toHaveProperty('pausedAt');
    expect(resumed.body).not.toHaveProperty('replyTo');
  });

  it('refuses an empty change and a change of the address', async () => {
    // Prepare
    await call({ method: 'POST', path: '/v1/senders', json: senderBody('snd-put-bad') });

    // Act
    const empty = await call({ method: 'PUT', path: '/v1/senders/snd-put-bad', json: {} });
    const email = await call({ method: 'PUT', path: '/v1/senders/snd-put-bad', json: { email: 'x@cascade.invalid' } });

    // Assess
    expectError(empty, 400, 'validation_error');
    expectInvalid(email, 'email');
  });
});

describe('GET /v1/senders/{id}/health', () => {
  it('answers 200 with unknown SES parts and the warm-up of today on the local stack', async () => {
    // Prepare
    await call({
      method: 'POST',
      path: '/v1/senders',
      json: senderBody('snd-health', { dailyLimit: 30, warmup: { startPerDay: 5, increasePerDay: 5 } }),
    });

    // Act
    const reply = await call({ method: 'GET', path: '/v1/senders/snd-health/health' });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({
      senderId: 'snd-health',
      domain: 'cascade-health.invalid',
      sesVerifiedForSending: null,
      sesDkimStatus: 'unknown',
      dkim: 'unknown',
      aligned: null,
      state: 'ACTIVE',
      warmupLimitToday: 5,
      sent7d: 0,
      bounceRate7d: null,
    });
    expect(['none', 'unknown']).toContain(reply.body.spf);
    expect(reply.body.overall).not.toBe('pass');
  }, 30_000);
});

describe('/v1/linkedin-accounts', () => {
  it('creates with the §10 caps, refuses a duplicate, reads, lists, pauses and resumes', async () => {
    // Act
    const created = await call({ method: 'POST', path: '/v1/linkedin-accounts', json: { accountId: 'li-main' } });
    const duplicate = await call({ method: 'POST', path: '/v1/linkedin-accounts', json: { accountId: 'li-main' } });
    const one = await call({ method: 'GET', path: '/v1/linkedin-accounts/li-main' });
    const all = await call({ method: 'GET', path: '/v1/linkedin-accounts' });
    const paused = await call({
      method: 'PUT',
      path: '/v1/linkedin-accounts/li-main',
      json: { state: 'PAUSED', weeklyInvites: 80 },
    });
    const resumed = await call({ method: 'PUT', path: '/v1/linkedin-accounts/li-main', json: { state: 'ACTIVE' } });
    const missing = await call({ method: 'GET', path: '/v1/linkedin-accounts/li-nobody' });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ dailyInvites: 20, weeklyInvites: 100, dailyMessages: 50, state: 'ACTIVE' });
    expectError(duplicate, 409, 'linkedin_account_exists');
    expect(one.body.accountId).toBe('li-main');
    expect(all.body.items.map((account: { accountId: string }) => account.accountId)).toContain('li-main');
    expect(paused.body).toMatchObject({ state: 'PAUSED', pausedReason: 'operator', weeklyInvites: 80 });
    expect(resumed.body).toMatchObject({ state: 'ACTIVE', weeklyInvites: 80 });
    expect(resumed.body).not.toHaveProperty('pausedReason');
    expectError(missing, 404, 'not_found');
  });

  it('refuses a negative cap with its field', async () => {
    // Act
    const reply = await call({ method: 'POST', path: '/v1/linkedin-accounts', json: { dailyInvites: -1 } });

    // Assess
    expectInvalid(reply, 'dailyInvites');
  });
});
