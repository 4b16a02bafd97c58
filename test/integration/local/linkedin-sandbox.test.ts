import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LinkedInSandbox, startLinkedInSandbox } from '#local/linkedin-sandbox/server';
import { LinkedInProviderClient, LinkedInProviderError } from '#shared/channels/linkedin/provider-client';
import {
  checkNoteLength,
  verdictForError,
  verdictForInvitationSent,
  verdictForMessageSent,
  verdictForRelation,
} from '#shared/channels/linkedin/verdict';

const API_KEY = 'sandbox-key';

let sandbox: LinkedInSandbox;
let client: LinkedInProviderClient;
const previousAllow = process.env.CASCADE_ALLOW_PRIVATE_NETWORK;

// The sandbox listens on loopback, which the outbound guard refuses unless told this is local testing.
beforeAll(() => {
  process.env.CASCADE_ALLOW_PRIVATE_NETWORK = '1';
});
afterAll(() => {
  if (previousAllow === undefined) delete process.env.CASCADE_ALLOW_PRIVATE_NETWORK;
  else process.env.CASCADE_ALLOW_PRIVATE_NETWORK = previousAllow;
});

beforeEach(async () => {
  sandbox = await startLinkedInSandbox({ port: 0, apiKey: API_KEY });
  client = new LinkedInProviderClient({
    baseUrl: sandbox.url,
    apiKey: API_KEY,
    accountId: 'acc_sandbox',
    timeoutMs: 5000,
  });
});

afterEach(async () => {
  await sandbox.close();
});

/** Runs `work`, expecting a LinkedInProviderError, and returns it. */
async function providerFailure(work: () => Promise<unknown>): Promise<LinkedInProviderError> {
  try {
    await work();
  } catch (error) {
    if (error instanceof LinkedInProviderError) return error;
    throw error;
  }
  throw new Error('expected a LinkedInProviderError, the call succeeded');
}

describe('resolveProfile', () => {
  it('maps each seeded connection status back to the same relation', async () => {
    // Prepare
    const connected = sandbox.seedProfile({ publicIdentifier: 'hiro-moreau-1', status: 'CONNECTED' });
    const stranger = sandbox.seedProfile({
      publicIdentifier: 'ana-li',
      status: 'NOT_CONNECTED',
      providerId: 'ACoAAana',
    });
    const pending = sandbox.seedProfile({ publicIdentifier: 'pending-pat', status: 'CONNECTION_REQUESTED' });
    sandbox.seedProfile({ publicIdentifier: 'blocked-bo', status: 'BLOCKED' });
    // Act
    const [a, b, c, d] = await Promise.all([
      client.resolveProfile('https://www.linkedin.com/in/hiro-moreau-1'),
      client.resolveProfile('ana-li'),
      client.resolveProfile('https://www.linkedin.com/in/pending-pat/'),
      client.resolveProfile('blocked-bo'),
    ]);
    // Assess
    expect(a).toEqual({ providerId: connected.providerId, publicIdentifier: 'hiro-moreau-1', relation: 'CONNECTED' });
    expect(b).toEqual({ providerId: stranger.providerId, publicIdentifier: 'ana-li', relation: 'NOT_CONNECTED' });
    expect(b.providerId).toBe('ACoAAana');
    expect(c).toEqual({
      providerId: pending.providerId,
      publicIdentifier: 'pending-pat',
      relation: 'CONNECTION_REQUESTED',
    });
    expect(d.relation).toBe('BLOCKED');
    expect(verdictForRelation(d.relation)).toMatchObject({
      verdict: { outcome: 'FALLBACK', reason: 'linkedin_blocked' },
    });
  });

  it('also resolves by provider id', async () => {
    // Prepare
    const seeded = sandbox.seedProfile({ publicIdentifier: 'hiro-moreau-1', status: 'CONNECTED' });
    // Act
    const profile = await client.resolveProfile(seeded.providerId);
    // Assess
    expect(profile.publicIdentifier).toBe('hiro-moreau-1');
  });

  it('an unknown member is not_found → FALLBACK no_profile', async () => {
    // Prepare: nothing seeded
    // Act
    const error = await providerFailure(() => client.resolveProfile('https://www.linkedin.com/in/nobody-here'));
    // Assess
    expect(error.failure).toBe('not_found');
    expect(error.status).toBe(404);
    expect(verdictForError(error)).toMatchObject({ outcome: 'FALLBACK', reason: 'no_profile', delivered: false });
  });

  it('a wrong API key is unauthorized → RETRY provider_error account_disconnected', async () => {
    // Prepare
    sandbox.seedProfile({ publicIdentifier: 'hiro-moreau-1', status: 'CONNECTED' });
    const intruder = new LinkedInProviderClient({ baseUrl: sandbox.url, apiKey: 'wrong', accountId: 'acc_sandbox' });
    // Act
    const error = await providerFailure(() => intruder.resolveProfile('hiro-moreau-1'));
    // Assess
    expect(error.failure).toBe('unauthorized');
    expect(error.status).toBe(401);
    // The verdict's waits are the unit tests' concern; here: the sandbox's 401 reads as a disconnected account.
    expect(verdictForError(error)).toMatchObject({
      outcome: 'RETRY',
      detail: 'account_disconnected',
      operatorAlert: 'linkedin_account_disconnected',
    });
  });
});

describe('sendInvitation', () => {
  it('records an invitation to a NOT_CONNECTED member exactly once and moves them to CONNECTION_REQUESTED', async () => {
    // Prepare
    const member = sandbox.seedProfile({ publicIdentifier: 'ana-li', status: 'NOT_CONNECTED' });
    const note = 'Hi Ana, loved your talk on outbound.';
    // Act
    const result = await client.sendInvitation(member.providerId, note);
    const after = await client.resolveProfile('ana-li');
    // Assess
    expect(verdictForInvitationSent(result)).toMatchObject({ outcome: 'SENT', delivered: true });
    expect(sandbox.invitations).toHaveLength(1);
    expect(sandbox.invitations[0]).toMatchObject({
      invitationId: result.invitationId,
      providerId: member.providerId,
      publicIdentifier: 'ana-li',
      text: note,
    });
    expect(Number.isNaN(Date.parse(sandbox.invitations[0]?.timestamp ?? ''))).toBe(false);
    expect(after.relation).toBe('CONNECTION_REQUESTED');
    expect(sandbox.messages).toHaveLength(0);
  });

  it('a second invitation is already_invited → RETRY invite_pending, still one recorded', async () => {
    // Prepare
    const member = sandbox.seedProfile({ publicIdentifier: 'ana-li', status: 'NOT_CONNECTED' });
    await client.sendInvitation(member.providerId, 'Hi Ana');
    // Act
    const error = await providerFailure(() => client.sendInvitation(member.providerId, 'Hi Ana'));
    // Assess
    expect(error.failure).toBe('already_invited');
    expect(error.providerType).toBe('errors/already_invited_recently');
    expect(verdictForError(error)).toMatchObject({ outcome: 'RETRY', reason: 'invite_pending', delivered: false });
    expect(sandbox.invitations).toHaveLength(1);
  });

  it('an invitation to a BLOCKED member → FALLBACK linkedin_blocked, nothing recorded', async () => {
    // Prepare
    const member = sandbox.seedProfile({ publicIdentifier: 'blocked-bo', status: 'BLOCKED' });
    // Act
    const error = await providerFailure(() => client.sendInvitation(member.providerId, 'Hi'));
    // Assess
    expect(error.failure).toBe('blocked');
    expect(verdictForError(error)).toMatchObject({ outcome: 'FALLBACK', reason: 'linkedin_blocked' });
    expect(sandbox.invitations).toHaveLength(0);
  });

  it('a 301-character note is caught before sending; the provider would refuse it too', async () => {
    // Prepare
    const member = sandbox.seedProfile({ publicIdentifier: 'ana-li', status: 'NOT_CONNECTED' });
    const note = 'x'.repeat(301);
    // Act
    const preflight = checkNoteLength(note);
    const error = await providerFailure(() => client.sendInvitation(member.providerId, note));
    // Assess
    expect(preflight).toMatchObject({ outcome: 'FALLBACK', reason: 'content_too_long', delivered: false });
    expect(error.failure).toBe('content_too_long');
    expect(verdictForError(error)).toMatchObject({ outcome: 'FALLBACK', reason: 'content_too_long' });
    expect(sandbox.invitations).toHaveLength(0);
    expect(sandbox.getProfile('ana-li')?.status).toBe('NOT_CONNECTED');
  });

  it('429 carries Retry-After → RETRY provider_throttled with the wait; the next call goes through', async () => {
    // Prepare
    const member = sandbox.seedProfile({ publicIdentifier: 'ana-li', status: 'NOT_CONNECTED' });
    sandbox.failNext('invite', 429, undefined, 1, { 'retry-after': '90' });
    // Act
    const error = await providerFailure(() => client.sendInvitation(member.providerId, 'Hi'));
    const retried = await client.sendInvitation(member.providerId, 'Hi');
    // Assess
    expect(error.failure).toBe('throttled');
    expect(error.retryAfterSeconds).toBe(90);
    expect(verdictForError(error)).toMatchObject({
      outcome: 'RETRY',
      reason: 'provider_throttled',
      retryAfterSeconds: 90,
      delivered: false,
    });
    expect(sandbox.invitations.map((invitation) => invitation.invitationId)).toEqual([retried.invitationId]);
  });

  it('a default 429 still sends a Retry-After header', async () => {
    // Prepare
    sandbox.seedProfile({ publicIdentifier: 'ana-li', status: 'NOT_CONNECTED' });
    sandbox.failNext('profile', 429);
    // Act
    const error = await providerFailure(() => client.resolveProfile('ana-li'));
    // Assess
    expect(error.retryAfterSeconds).toBe(30);
  });
});

describe('sendMessage', () => {
  it('records a message to a CONNECTED member exactly once, text intact', async () => {
    // Prepare
    const member = sandbox.seedProfile({ publicIdentifier: 'hiro-moreau-1', status: 'CONNECTED' });
    const text = 'Bonjour Hiro — quick question about Q3 ✨\nLine two & "quotes".';
    // Act
    const result = await client.sendMessage(member.providerId, text);
    // Assess
    expect(verdictForMessageSent(result)).toMatchObject({
      outcome: 'SENT',
      providerMessageId: result.messageId,
      delivered: true,
    });
    expect(sandbox.messages).toHaveLength(1);
    expect(sandbox.messages[0]).toMatchObject({
      chatId: result.chatId,
      messageId: result.messageId,
      providerId: member.providerId,
      text,
    });
    expect(sandbox.invitations).toHaveLength(0);
  });

  it('a message to a member who is not a relation → not_connected, nothing recorded', async () => {
    // Prepare
    const member = sandbox.seedProfile({ publicIdentifier: 'ana-li', status: 'NOT_CONNECTED' });
    // Act
    const error = await providerFailure(() => client.sendMessage(member.providerId, 'Hello'));
    // Assess
    expect(error.failure).toBe('not_connected');
    expect(verdictForError(error)).toMatchObject({ outcome: 'RETRY', detail: 'not_connected', delivered: false });
    expect(sandbox.messages).toHaveLength(0);
  });

  it('5xx twice → RETRY provider_error each time, nothing recorded; the third call is accepted', async () => {
    // Prepare
    const member = sandbox.seedProfile({ publicIdentifier: 'hiro-moreau-1', status: 'CONNECTED' });
    sandbox.failNext('chat', 503, undefined, 2);
    // Act
    const first = await providerFailure(() => client.sendMessage(member.providerId, 'Hello'));
    const second = await providerFailure(() => client.sendMessage(member.providerId, 'Hello'));
    const third = await client.sendMessage(member.providerId, 'Hello');
    // Assess
    for (const error of [first, second]) {
      expect(error.failure).toBe('server');
      expect(error.status).toBe(503);
      expect(verdictForError(error)).toMatchObject({ outcome: 'RETRY', reason: 'provider_error', delivered: false });
    }
    expect(sandbox.messages.map((message) => message.messageId)).toEqual([third.messageId]);
  });

  it('an injected 401 (account disconnected) → RETRY provider_error account_disconnected', async () => {
    // Prepare
    const member = sandbox.seedProfile({ publicIdentifier: 'hiro-moreau-1', status: 'CONNECTED' });
    sandbox.failNext('chat', 401);
    // Act
    const error = await providerFailure(() => client.sendMessage(member.providerId, 'Hello'));
    // Assess
    expect(error.failure).toBe('unauthorized');
    expect(error.providerType).toBe('errors/disconnected_account');
    expect(verdictForError(error)).toMatchObject({ outcome: 'RETRY', detail: 'account_disconnected' });
    expect(sandbox.messages).toHaveLength(0);
  });

  it('an accepted message whose answer is lost → STOP ambiguous_send, delivered, recorded once', async () => {
    // Prepare
    const member = sandbox.seedProfile({ publicIdentifier: 'hiro-moreau-1', status: 'CONNECTED' });
    sandbox.failNext('chat', 0);
    // Act
    const error = await providerFailure(() => client.sendMessage(member.providerId, 'Hello once'));
    // Assess
    expect(error.failure).toBe('network');
    expect(error.maybeDelivered).toBe(true);
    expect(verdictForError(error)).toMatchObject({ outcome: 'STOP', reason: 'ambiguous_send', delivered: true });
    expect(sandbox.messages).toHaveLength(1);
  });
});

describe('transport failures', () => {
  it('a lost answer to a profile read is never an ambiguous send', async () => {
    // Prepare
    sandbox.seedProfile({ publicIdentifier: 'hiro-moreau-1', status: 'CONNECTED' });
    sandbox.failNext('profile', 0);
    // Act
    const error = await providerFailure(() => client.resolveProfile('hiro-moreau-1'));
    // Assess
    expect(error.failure).toBe('network');
    expect(error.maybeDelivered).toBe(false);
    expect(verdictForError(error)).toMatchObject({ outcome: 'RETRY', reason: 'provider_error', delivered: false });
  });

  it('a provider that cannot be reached → RETRY provider_error, not delivered', async () => {
    // Prepare: a port nothing listens on any more
    const gone = await startLinkedInSandbox({ apiKey: API_KEY });
    await gone.close();
    const offline = new LinkedInProviderClient({ baseUrl: gone.url, apiKey: API_KEY, accountId: 'acc_sandbox' });
    // Act
    const error = await providerFailure(() => offline.sendMessage('ACoAAwhatever', 'Hello'));
    // Assess
    expect(error.failure).toBe('network');
    expect(error.maybeDelivered).toBe(false);
    expect(verdictForError(error)).toMatchObject({ outcome: 'RETRY', reason: 'provider_error', delivered: false });
  });
});
