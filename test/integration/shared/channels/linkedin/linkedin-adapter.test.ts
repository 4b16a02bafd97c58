import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { linkedInAdapter } from '#shared/channels/linkedin/linkedin-adapter';
import { type ChannelConfig, DEFAULT_SEQUENCE, type Lead } from '#shared/domain/schemas';
import { logger } from '#shared/observability';
import { runChannelStep } from '#shared/outreach/step-runner';
import { buildExecutionInput, type StepTaskInput } from '#shared/outreach/task-input';
import { putChannelConfig } from '#shared/store/config';
import { createLead, getLead, putCampaign } from '#shared/store/leads';
import { leadHistory } from '#shared/store/outreach';
import { testChannelConfig } from '#test/support/channel-config';
import { testCampaign, testLead } from '#test/support/fixtures';

let stack: LocalStack;
let counter = 0;

const campaign = (campaignId: string, note?: string) =>
  testCampaign(campaignId, { templates: note ? { LINKEDIN: { body: note } } : {} });

/** A fresh campaign (own rate scope and spacing) with one lead on a seeded LinkedIn profile. */
async function prepare(options: {
  status: Lead['linkedinConnectionStatus'];
  settings?: ChannelConfig['settings'];
  note?: string;
}) {
  counter++;
  const campaignId = `li-${counter}`;
  const account = `acct-${counter}`;
  await putCampaign(campaign(campaignId, options.note));
  await putChannelConfig(
    testChannelConfig('LINKEDIN', campaignId, {
      rateLimits: { perHour: 5, perDay: 20 },
      settings: { accountId: account, minSpacingSeconds: 60, maxSpacingSeconds: 60, ...options.settings },
    }),
  );
  const publicIdentifier = `member-${counter}`;
  stack.linkedin.seedProfile({ publicIdentifier, status: options.status });
  const lead: Lead = testLead({
    leadId: `li-lead-${counter}`,
    campaignId,
    firstName: 'Linus',
    lastName: 'Member',
    linkedinUrl: `https://www.linkedin.com/in/${publicIdentifier}`,
    leadScore: 0.9,
    status: 'IN_SEQUENCE',
    linkedinConnectionStatus: options.status,
  });
  await createLead(lead);
  const step = buildExecutionInput(campaignId, lead.leadId, DEFAULT_SEQUENCE).sequence.steps[1];
  if (!step) throw new Error('LinkedIn is the second default step');
  const input: StepTaskInput = {
    campaignId,
    leadId: lead.leadId,
    executionName: `exec-${lead.leadId}`,
    maxTotalAttemptsPerLead: 10,
    cursor: { stepIndex: 1, retriesUsed: 0, tryCount: 1, stepWaitDone: true, step, closedChannels: [], touched: false },
  };
  return { lead, input, publicIdentifier };
}

const sentTo = (publicIdentifier: string) =>
  stack.linkedin.invitations.filter((i) => i.publicIdentifier === publicIdentifier).length +
  stack.linkedin.messages.filter((m) => m.publicIdentifier === publicIdentifier).length;

beforeAll(async () => {
  stack = await startLocalStack();
}, 60_000);

afterAll(async () => {
  await stack.close();
});

describe('LinkedIn channel against the provider sandbox', () => {
  it('invites a NOT_CONNECTED member with the note and keeps the lead in step', async () => {
    // Prepare
    const { lead, input, publicIdentifier } = await prepare({ status: 'NOT_CONNECTED' });

    // Act
    const result = await runChannelStep(input, linkedInAdapter);

    // Assess
    expect(result).toMatchObject({ outcome: 'SENT', channelUsed: 'LINKEDIN' });
    expect(stack.linkedin.invitations.filter((i) => i.publicIdentifier === publicIdentifier)).toHaveLength(1);
    expect((await getLead(lead.leadId))?.linkedinConnectionStatus).toBe('CONNECTION_REQUESTED');
  });

  it('messages a CONNECTED member', async () => {
    // Prepare
    const { input, publicIdentifier } = await prepare({ status: 'CONNECTED' });

    // Act
    const result = await runChannelStep(input, linkedInAdapter);

    // Assess
    expect(result).toMatchObject({ outcome: 'SENT' });
    expect(stack.linkedin.messages.filter((m) => m.publicIdentifier === publicIdentifier)).toHaveLength(1);
  });

  it('refuses a 250-character note on a free account (limit 200) without truncating or sending', async () => {
    // Prepare
    const note = `Hi {{ lead.firstName }}, ${'x'.repeat(240)}`;
    const { input, publicIdentifier } = await prepare({
      status: 'NOT_CONNECTED',
      settings: { accountType: 'free' },
      note,
    });

    // Act
    const result = await runChannelStep(input, linkedInAdapter);

    // Assess
    expect(result).toMatchObject({ outcome: 'FALLBACK', reason: 'content_too_long' });
    expect(sentTo(publicIdentifier)).toBe(0);
  });

  it('accepts the same note on a premium account (limit 300)', async () => {
    // Prepare
    const note = `Hi {{ lead.firstName }}, ${'x'.repeat(240)}`;
    const { input, publicIdentifier } = await prepare({ status: 'NOT_CONNECTED', note });

    // Act
    const result = await runChannelStep(input, linkedInAdapter);

    // Assess
    expect(result).toMatchObject({ outcome: 'SENT' });
    expect(sentTo(publicIdentifier)).toBe(1);
  });

  it.each([
    ['pending invitation', 'CONNECTION_REQUESTED', 'RETRY', 'invite_pending'],
    ['blocked member', 'BLOCKED', 'FALLBACK', 'linkedin_blocked'],
  ] as const)('%s → %s %s', async (_case, status, outcome, reason) => {
    // Prepare
    const { input, publicIdentifier } = await prepare({ status });

    // Act
    const result = await runChannelStep(input, linkedInAdapter);

    // Assess
    expect(result).toMatchObject({ outcome, reason });
    expect(sentTo(publicIdentifier)).toBe(0);
  });

  it.each([
    ['429 on the invite', 'invite', 429, 'RETRY', 'provider_throttled', true],
    ['503 on the invite', 'invite', 503, 'RETRY', 'provider_error', true],
    ['401: account disconnected', 'invite', 401, 'RETRY', 'provider_error', false],
    ['404 profile', 'profile', 404, 'FALLBACK', 'no_profile', undefined],
    ['400 validation', 'invite', 400, 'FALLBACK', 'provider_error', undefined],
  ] as const)('%s → %s %s', async (_case, endpoint, status, outcome, reason, usesRetry) => {
    // Prepare
    const { input, publicIdentifier } = await prepare({ status: 'NOT_CONNECTED' });
    stack.linkedin.failNext(endpoint, status);

    // Act
    const result = await runChannelStep(input, linkedInAdapter);

    // Assess
    expect(result).toMatchObject({ outcome, reason });
    expect(result.usesRetry).toBe(usesRetry);
    expect(sentTo(publicIdentifier)).toBe(0);
  });

  it('waits hours without using up a retry when the provider account is disconnected', async () => {
    // Prepare
    const { input } = await prepare({ status: 'CONNECTED' });
    stack.linkedin.failNext('chat', 403);

    // Act
    const result = await runChannelStep(input, linkedInAdapter);

    // Assess
    // Six hours, plus the jitter every wait that uses up no retry gets (refused leads do not return together).
    expect(result).toMatchObject({ outcome: 'RETRY', detail: 'account_disconnected', usesRetry: false });
    expect((result.retryAfterSeconds ?? 0) - (result.jitterSeconds ?? 0)).toBe(6 * 3600);
  });

  it('spaces two actions of one account by the configured gap', async () => {
    // Prepare: two leads sharing one provider account and campaign config.
    const first = await prepare({ status: 'CONNECTED' });
    counter++;
    const second = { ...first.input, leadId: `li-lead-${counter}`, executionName: `exec-li-lead-${counter}` };
    await createLead({ ...first.lead, leadId: second.leadId, linkedinUrl: first.lead.linkedinUrl });
    await runChannelStep(first.input, linkedInAdapter);

    // Act
    const spaced = await runChannelStep(second, linkedInAdapter);

    // Assess
    expect(spaced).toMatchObject({ outcome: 'RETRY', reason: 'rate_limited', usesRetry: false });
    const gap = (spaced.retryAfterSeconds ?? 0) - (spaced.jitterSeconds ?? 0);
    expect(gap).toBeGreaterThanOrEqual(58);
    expect(gap).toBeLessThanOrEqual(60);
    expect(spaced.detail).toBe(`LINKEDIN:acct-${counter - 1}#SPACING`);
  });
});

describe('an unusable provider base URL is a configuration error, not a transient one', () => {
  it.each([
    ['credentials in it', 'https://user:s3cret-pw@127.0.0.1:1/', 'https://***@127.0.0.1:1/'],
    ['a loopback target the outbound guard refuses', 'http://127.0.0.1:1/', '127.0.0.1 is a loopback address'],
    ['a scheme other than http(s)', 'ftp://provider.example/', 'only http and https'],
  ])('%s → FALLBACK provider_misconfigured at once, one error log, no secret in history', async (_case, url, shown) => {
    // Prepare
    const { lead, input, publicIdentifier } = await prepare({
      status: 'CONNECTED',
      settings: { providerBaseUrl: url },
    });
    const errors = vi.spyOn(logger, 'error');

    // Act
    const result = await runChannelStep(input, linkedInAdapter);
    const history = await leadHistory(lead.leadId, 50);
    const logged = errors.mock.calls;
    errors.mockRestore();

    // Assess
    expect(result).toMatchObject({ outcome: 'FALLBACK', reason: 'provider_misconfigured', channel: 'LINKEDIN' });
    expect(result.detail).toContain(shown);
    expect(sentTo(publicIdentifier)).toBe(0);
    expect(logged).toEqual([
      [
        'operator alert: linkedin_provider_misconfigured',
        expect.objectContaining({ campaignId: input.campaignId, channel: 'LINKEDIN', detail: result.detail }),
      ],
    ]);
    expect(history).toContainEqual(
      expect.objectContaining({ kind: 'attempt', outcome: 'FALLBACK', reason: 'provider_misconfigured' }),
    );
    expect(JSON.stringify([result, history, logged])).not.toContain('s3cret');
  });
});
