import { describe, expect, it } from 'vitest';
import { judgeResponse } from '#shared/channels/contact-form/judge-response';
import type { OutboundResponse } from '#shared/http/outbound';
import { bestFixtureForm, formFixtureHtml } from '#test/support/form-fixtures';

/** The site's answer to a post of the form served at `url`. */
function answer(status: number, body: string, url: string, contentType = 'text/html'): OutboundResponse {
  return { status, url, headers: { 'content-type': contentType }, body };
}

describe('judgeResponse', () => {
  const form = bestFixtureForm('cf7-basic');
  const cf7 = (status: number, body: string, url = 'https://site.example/contact/') => answer(status, body, url);
  const cf7Json = (body: string) => answer(200, body, 'https://site.example/contact/', 'application/json');

  it.each([
    ['CF7 JSON mail_sent', cf7Json('{"status":"mail_sent","message":"Thank you"}'), 'SENT', undefined, true],
    [
      'CF7 JSON validation_failed',
      cf7Json('{"status":"validation_failed","message":"One or more fields have an error."}'),
      'FALLBACK',
      'form_rejected',
      false,
    ],
    [
      'CF7 page data-status=sent',
      cf7(200, '<form class="wpcf7-form sent" data-status="sent"></form>'),
      'SENT',
      undefined,
      true,
    ],
    [
      'CF7 validation tip',
      cf7(
        200,
        '<form class="wpcf7-form invalid" data-status="invalid"><span class="wpcf7-not-valid-tip">Please fill out this field.</span></form>',
      ),
      'FALLBACK',
      'form_rejected',
      false,
    ],
    ['thank-you wording', cf7(200, '<h1>Thanks! We will be in touch soon.</h1>'), 'SENT', undefined, true],
    [
      'redirect to a thank-you page',
      cf7(200, '<h1>Great</h1>', 'https://site.example/thank-you/'),
      'SENT',
      undefined,
      true,
    ],
    ['error wording', cf7(200, '<p>Please enter a valid email address.</p>'), 'FALLBACK', 'form_rejected', false],
    ['HTTP 400', cf7(400, '<p>Bad request</p>'), 'FALLBACK', 'form_rejected', false],
    ['HTTP 502', cf7(502, 'Bad gateway'), 'RETRY', 'provider_error', false],
    ['the same form again without a message', cf7(200, formFixtureHtml('cf7-basic')), 'STOP', 'ambiguous_send', true],
  ])('%s', (_label, response, outcome, reason, delivered) => {
    // Prepare: the response above

    // Act
    const judgement = judgeResponse(response, form);

    // Assess
    expect(judgement.outcome).toBe(outcome);
    expect(judgement.reason).toBe(reason);
    expect(judgement.delivered).toBe(delivered);
  });
});

describe('judgeResponse: builder markers and missing targets', () => {
  const form = bestFixtureForm('gravity-honeypot');
  const gravity = (status: number, body: string) => answer(status, body, 'https://site.example/contact-us/');

  it.each([
    [
      'Gravity gfield_error',
      gravity(200, '<div class="gfield gfield_error"><input name="input_2"></div>'),
      'FALLBACK',
      'form_rejected',
    ],
    ['WPForms error label', gravity(200, '<label class="wpforms-error" for="x"></label>'), 'FALLBACK', 'form_rejected'],
    [
      'CF7 wpcf7-not-valid control',
      gravity(200, '<input class="wpcf7-not-valid" name="your-email">'),
      'FALLBACK',
      'form_rejected',
    ],
    ['legacy validation_error', gravity(200, '<div class="validation_error"></div>'), 'FALLBACK', 'form_rejected'],
    [
      'Gravity confirmation',
      gravity(
        200,
        '<div class="gform_confirmation_message">Thanks for contacting us! We will get in touch soon.</div>',
      ),
      'SENT',
      undefined,
    ],
    [
      'WPForms confirmation',
      gravity(200, '<div class="wpforms-confirmation-container-full"><p>Thanks for contacting us!</p></div>'),
      'SENT',
      undefined,
    ],
    ['HTTP 404', gravity(404, 'Not found'), 'FALLBACK', 'form_unreachable'],
    ['HTTP 410', gravity(410, 'Gone'), 'FALLBACK', 'form_unreachable'],
    ['HTTP 503', gravity(503, 'Down'), 'RETRY', 'provider_error'],
  ])('%s', (_label, response, outcome, reason) => {
    // Act
    const judgement = judgeResponse(response, form);

    // Assess
    expect([judgement.outcome, judgement.reason]).toEqual([outcome, reason]);
  });
});
