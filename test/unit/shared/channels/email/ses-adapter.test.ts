import {
  AccountSuspendedException,
  BadRequestException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SendingPausedException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { checkEmailAddress } from '#shared/channels/email/address';
import { addressPolicyProblem } from '#shared/channels/email/address-policy';
import { buildSendEmailRequest, replyToAddress, verdictForSesError } from '#shared/channels/email/ses-adapter';
import type { StepContext } from '#shared/outreach/channel-adapter';

describe('email address check', () => {
  it.each([
    ['hiro.moreau@oscorp-materials.example', undefined],
    ['bounce+lead29@simulator.amazonses.com', undefined],
    ['omar.garcia@soylent-labs.example', undefined],
    [undefined, 'missing_address'],
    ['   ', 'missing_address'],
    ['not-an-email', 'invalid_address'],
    ['jane@@example26', 'invalid_address'],
    ['@nodomain27.example', 'invalid_address'],
    ['bob28@localhost', 'invalid_address'],
    ['a..b@example.com', 'invalid_address'],
    ['ann@example.c0m', 'invalid_address'],
  ])('%s → %s', (address, expected) => {
    // Act
    const problem = checkEmailAddress(address);

    // Assess
    expect(problem).toBe(expected);
  });
});

describe("SES error → outcome (the SDK's own exception classes)", () => {
  const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
  it.each([
    [
      'throttled',
      new TooManyRequestsException({ message: 'Too many requests', ...meta(429) }),
      'RETRY',
      'provider_throttled',
      false,
    ],
    [
      'rate exceeded',
      Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'ThrottlingException', ...meta(400) }),
      'RETRY',
      'provider_throttled',
      false,
    ],
    [
      'daily quota',
      Object.assign(new Error('Daily message quota exceeded.'), { name: 'ThrottlingException', ...meta(400) }),
      'RETRY',
      'provider_throttled',
      false,
    ],
    [
      'limit exceeded',
      new LimitExceededException({ message: 'Limit exceeded', ...meta(400) }),
      'RETRY',
      'provider_throttled',
      false,
    ],
    [
      'rejected content',
      new MessageRejected({ message: 'Message contains a virus', ...meta(400) }),
      'FALLBACK',
      'provider_error',
      undefined,
    ],
    [
      'bad request',
      new BadRequestException({ message: 'Illegal address', ...meta(400) }),
      'FALLBACK',
      'provider_error',
      undefined,
    ],
    [
      'paused',
      new SendingPausedException({ message: 'Sending is paused for this account', ...meta(400) }),
      'RETRY',
      'provider_error',
      false,
    ],
    [
      'suspended',
      new AccountSuspendedException({ message: 'Account suspended', ...meta(400) }),
      'RETRY',
      'provider_error',
      false,
    ],
    [
      'unverified identity',
      new MessageRejected({ message: 'Email address is not verified.', ...meta(400) }),
      'RETRY',
      'provider_error',
      false,
    ],
    [
      'mail-from unverified',
      new MailFromDomainNotVerifiedException({ message: 'not verified', ...meta(400) }),
      'RETRY',
      'provider_error',
      false,
    ],
    [
      'missing configuration set',
      new NotFoundException({ message: 'Configuration set does not exist', ...meta(404) }),
      'RETRY',
      'provider_error',
      false,
    ],
    [
      'server error',
      Object.assign(new Error('We encountered an internal error'), {
        name: 'InternalServiceErrorException',
        ...meta(500),
      }),
      'RETRY',
      'provider_error',
      undefined,
    ],
  ])('%s', (_case, error, outcome, reason, usesRetry) => {
    // Act
    const verdict = verdictForSesError(error);

    // Assess
    expect(verdict).toMatchObject({ outcome, reason, delivered: false });
    expect(verdict.usesRetry).toBe(usesRetry);
  });

  it('raises an operator alert and waits hours when the account or identity needs an operator', () => {
    // Act
    const paused = verdictForSesError(new SendingPausedException({ message: 'paused', ...meta(400) }));
    const unverified = verdictForSesError(
      new MessageRejected({ message: 'Email address is not verified.', ...meta(400) }),
    );

    // Assess
    expect(paused).toMatchObject({ operatorAlert: 'ses_sending_paused', retryAfterSeconds: 6 * 3600 });
    expect(unverified).toMatchObject({ operatorAlert: 'ses_identity_unverified', retryAfterSeconds: 6 * 3600 });
  });

  it('waits minutes when SES throttles and until the UTC day ends for the daily quota', () => {
    // Act
    const throttled = verdictForSesError(new TooManyRequestsException({ message: 'slow down', ...meta(429) }));
    const quota = verdictForSesError(
      Object.assign(new Error('Daily message quota exceeded.'), { name: 'Throttling', ...meta(400) }),
    );

    // Assess
    expect(throttled.retryAfterSeconds).toBe(600);
    const toMidnight = Math.ceil(
      (Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate() + 1) - Date.now()) /
        1000,
    );
    expect(Math.abs((quota.retryAfterSeconds ?? 0) - toMidnight)).toBeLessThanOrEqual(2);
  });

  it('never resends after a network error without a response, but retries when no connection was made', () => {
    // Act
    const lost = verdictForSesError(
      Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} }),
    );
    const refused = verdictForSesError(
      Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error', code: 'ECONNREFUSED', $metadata: {} }),
    );

    // Assess
    expect(lost).toMatchObject({ outcome: 'STOP', reason: 'ambiguous_send', delivered: true });
    expect(refused).toMatchObject({ outcome: 'RETRY', reason: 'provider_error', delivered: false });
  });
});

describe('address policy', () => {
  it.each([
    ['sales@acme.example', { rejectRoleAddresses: true, rejectDisposableAddresses: true }, 'role address (sales@)'],
    ['sales@acme.example', { rejectRoleAddresses: false, rejectDisposableAddresses: true }, undefined],
    ['info+eu@acme.example', { rejectRoleAddresses: true, rejectDisposableAddresses: false }, 'role address (info@)'],
    [
      'jo@mailinator.com',
      { rejectRoleAddresses: false, rejectDisposableAddresses: true },
      'disposable mailbox provider (mailinator.com)',
    ],
    ['jo@mailinator.com', { rejectRoleAddresses: false, rejectDisposableAddresses: false }, undefined],
    ['hiro.moreau@oscorp-materials.example', { rejectRoleAddresses: true, rejectDisposableAddresses: true }, undefined],
  ])('%s with %o → %s', (address, policy, expected) => {
    // Act
    const problem = addressPolicyProblem(address, policy);

    // Assess
    expect(problem).toBe(expected);
  });
});

describe('reply-to arrangement', () => {
  it('gives each message its own reply address on the reply domain, else the sender reply-to', () => {
    // Act
    const perMessage = replyToAddress('lead_1', 'msg_abc', { email: 'ada@x.example' }, 'replies.x.example');
    const fallback = replyToAddress('lead_1', 'msg_abc', { email: 'ada@x.example', replyTo: 'team@x.example' });

    // Assess
    expect(perMessage).toBe('reply+lead_1.msg_abc@replies.x.example');
    expect(fallback).toBe('team@x.example');
  });
});

describe('the SES request for one message', () => {
  it('carries text and HTML, the unsubscribe headers, the configuration set and the matching tags', () => {
    // Prepare
    const context = {
      lead: { leadId: 'lead_1' },
      campaign: { campaignId: 'spring', sender: { name: 'Ada "The" Lovelace', email: 'ada@x.example' } },
      config: { settings: { configurationSet: 'cascade-events', replyDomain: 'replies.x.example' } },
      messageId: 'msg_1',
      attemptKey: 'exec#0#1',
      content: {
        subject: 'Hello',
        text: 'Hi. Unsubscribe: https://u.example/v1/unsubscribe?token=t',
        html: '<p>Hi</p>',
      },
      unsubscribeUrl: 'https://u.example/v1/unsubscribe?token=t',
    } as unknown as StepContext;

    // Act
    const request = buildSendEmailRequest('hiro@oscorp.example', context);

    // Assess
    expect(request).toMatchObject({
      FromEmailAddress: '"Ada \\"The\\" Lovelace" <ada@x.example>',
      Destination: { ToAddresses: ['hiro@oscorp.example'] },
      ReplyToAddresses: ['reply+lead_1.msg_1@replies.x.example'],
      ConfigurationSetName: 'cascade-events',
      EmailTags: [
        { Name: 'campaign', Value: 'spring' },
        { Name: 'lead', Value: 'lead_1' },
        { Name: 'message', Value: 'msg_1' },
      ],
    });
    expect(request.Content?.Simple?.Body).toEqual({
      Text: { Data: context.content.text, Charset: 'UTF-8' },
      Html: { Data: '<p>Hi</p>', Charset: 'UTF-8' },
    });
    expect(request.Content?.Simple?.Headers).toEqual(
      expect.arrayContaining([
        { Name: 'List-Unsubscribe', Value: '<https://u.example/v1/unsubscribe?token=t>' },
        { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
      ]),
    );
  });
});
