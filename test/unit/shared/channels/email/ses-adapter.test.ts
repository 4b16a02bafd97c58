import { describe, expect, it } from 'vitest';
import { checkEmailAddress } from '../../../../../shared/channels/email/address';
import { verdictForSesError } from '../../../../../shared/channels/email/ses-adapter';

const sesError = (name: string, message: string, httpStatusCode?: number) =>
  Object.assign(new Error(message), { name, $metadata: httpStatusCode === undefined ? {} : { httpStatusCode } });

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

describe('SES error → outcome', () => {
  it.each([
    [sesError('TooManyRequestsException', 'Too many requests', 429), 'RETRY', 'provider_throttled', false],
    [sesError('ThrottlingException', 'Maximum sending rate exceeded.', 400), 'RETRY', 'provider_throttled', false],
    [sesError('LimitExceededException', 'Daily message quota exceeded.', 400), 'RETRY', 'provider_throttled', false],
    [sesError('MessageRejected', 'Email address is not verified.', 400), 'FALLBACK', 'provider_error', false],
    [sesError('SendingPausedException', 'Sending is paused for this account.', 400), 'RETRY', 'provider_error', false],
    [sesError('InternalFailure', 'We encountered an internal error', 500), 'RETRY', 'provider_error', false],
    [sesError('TimeoutError', 'socket hang up'), 'STOP', 'ambiguous_send', true],
  ])('%s', (error, outcome, reason, delivered) => {
    // Act
    const verdict = verdictForSesError(error);

    // Assess
    expect(verdict).toMatchObject({ outcome, reason, delivered });
  });

  it('asks for a wait of minutes when SES throttles', () => {
    // Act
    const verdict = verdictForSesError(sesError('TooManyRequestsException', 'Too many requests', 429));

    // Assess
    expect(verdict.retryAfterSeconds).toBeGreaterThanOrEqual(60);
  });
});
