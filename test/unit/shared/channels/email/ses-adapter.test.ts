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

/** Addresses grouped by the problem the check finds (undefined: none). */
const ADDRESSES_BY_PROBLEM: [problem: string | undefined, addresses: (string | undefined)[]][] = [
  [
    undefined,
    [
      'hiro.moreau@oscorp-materials.example',
      'bounce+lead29@simulator.amazonses.com',
      'omar.garcia@soylent-labs.example',
    ],
  ],
  ['missing_address', [undefined, '   ']],
  [
    'invalid_address',
    [
      'not-an-email',
      'jane@@example26',
      '@nodomain27.example',
      'bob28@localhost',
      'a..b@example.com',
      'ann@example.c0m',
    ],
  ],
];

describe('email address check', () => {
  it.each(
    ADDRESSES_BY_PROBLEM.flatMap(([problem, addresses]) => addresses.map((address) => [address, problem] as const)),
  )('%s → %s', (address, expected) => {
    // Act
    const problem = checkEmailAddress(address);

    // Assess
    expect(problem).toBe(expected);
  });
});

describe("SES error → outcome (the SDK's own exception classes)", () => {
  const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
  type SdkException = new (options: { message: string; $metadata: { httpStatusCode: number } }) => Error;
  /** A service exception as the SDK throws it: its own class when it has one, else a named Error. */
  const sdk = (exception: SdkException | string, message: string, status: number) =>
    typeof exception === 'string'
      ? Object.assign(new Error(message), { name: exception, ...meta(status) })
      : new exception({ message, ...meta(status) });
  const THROTTLED = { outcome: 'RETRY', reason: 'provider_throttled', usesRetry: false };
  /** The account or identity needs an operator: wait without using up the step's retries. */
  const OPERATOR_WAIT = { outcome: 'RETRY', reason: 'provider_error', usesRetry: false };
  const REJECTED = { outcome: 'FALLBACK', reason: 'provider_error', usesRetry: undefined };
  const SERVER_ERROR = { outcome: 'RETRY', reason: 'provider_error', usesRetry: undefined };

  it.each([
    ['throttled', sdk(TooManyRequestsException, 'Too many requests', 429), THROTTLED],
    ['rate exceeded', sdk('ThrottlingException', 'Maximum sending rate exceeded.', 400), THROTTLED],
    ['daily quota', sdk('ThrottlingException', 'Daily message quota exceeded.', 400), THROTTLED],
    ['limit exceeded', sdk(LimitExceededException, 'Limit exceeded', 400), THROTTLED],
    ['rejected content', sdk(MessageRejected, 'Message contains a virus', 400), REJECTED],
    ['bad request', sdk(BadRequestException, 'Illegal address', 400), REJECTED],
    ['paused', sdk(SendingPausedException, 'Sending is paused for this account', 400), OPERATOR_WAIT],
    ['suspended', sdk(AccountSuspendedException, 'Account suspended', 400), OPERATOR_WAIT],
    ['unverified identity', sdk(MessageRejected, 'Email address is not verified.', 400), OPERATOR_WAIT],
    ['mail-from unverified', sdk(MailFromDomainNotVerifiedException, 'not verified', 400), OPERATOR_WAIT],
    ['missing configuration set', sdk(NotFoundException, 'Configuration set does not exist', 404), OPERATOR_WAIT],
    ['server error', sdk('InternalServiceErrorException', 'We encountered an internal error', 500), SERVER_ERROR],
  ])('%s', (_case, error, { outcome, reason, usesRetry }) => {
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
