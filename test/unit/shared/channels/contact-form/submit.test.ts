import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ParsedForm, parseForms } from '#shared/channels/contact-form/parse';
import {
  type ContactDetails,
  encodeSubmission,
  judgeResponse,
  planSubmission,
} from '#shared/channels/contact-form/submit';

const FIXTURES = fileURLToPath(new URL('../../../../fixtures/forms/', import.meta.url));

function firstForm(name: string): ParsedForm {
  const [form] = parseForms(readFileSync(`${FIXTURES}${name}.html`, 'utf8'), 'https://site.example/contact/');
  if (!form) throw new Error(`no form in ${name}`);
  return form;
}

function formFrom(html: string): ParsedForm {
  const [form] = parseForms(html, 'https://acme.example/contact');
  if (!form) throw new Error('no form');
  return form;
}

const CONTACT: ContactDetails = {
  name: 'Ada Lovelace',
  email: 'ada@analytical.example',
  company: 'Analytical Engines',
  phone: '+44 20 7946 0000',
  subject: 'Partnership',
  message: 'Hello,\nwould you like to talk?',
};

describe('planSubmission', () => {
  it('fills a Contact Form 7 form and keeps its hidden builder fields as the page gives them', () => {
    // Prepare
    const form = firstForm('cf7-basic');

    // Act
    const plan = planSubmission(form, CONTACT);

    // Assess
    expect(plan).toEqual({
      ok: true,
      fields: {
        _wpcf7: '123',
        _wpcf7_version: '5.9.3',
        _wpcf7_locale: 'en_US',
        _wpcf7_unit_tag: 'wpcf7-f123-p45-o1',
        _wpcf7_container_post: '45',
        _wpcf7_posted_data_hash: '',
        'your-name': 'Ada Lovelace',
        'your-email': 'ada@analytical.example',
        'your-subject': 'Partnership',
        'your-message': 'Hello,\nwould you like to talk?',
      },
    });
  });

  it('splits the name for Gravity Forms and leaves its "Phone" honeypot empty', () => {
    // Prepare
    const form = firstForm('gravity-honeypot');

    // Act
    const plan = planSubmission(form, CONTACT);

    // Assess
    expect(plan.ok).toBe(true);
    expect(plan.fields).toMatchObject({
      'input_1.3': 'Ada',
      'input_1.6': 'Lovelace',
      input_2: 'ada@analytical.example',
      input_5: 'Analytical Engines',
      input_3: CONTACT.message,
      input_4: '',
      state_1: 'WyJbXSIsIjZkNjBiNWQ5ZmQ5NzBhOGE2ZTNkZmFmMTk0OGI0N2I5Il0=',
      gform_submit: '1',
    });
  });

  it('prefers explicit first and last names over splitting', () => {
    // Prepare
    const form = firstForm('gravity-honeypot');

    // Act
    const plan = planSubmission(form, {
      ...CONTACT,
      name: 'Ada King Lovelace',
      firstName: 'Augusta Ada',
      lastName: 'King',
    });

    // Assess
    expect(plan.fields?.['input_1.3']).toBe('Augusta Ada');
    expect(plan.fields?.['input_1.6']).toBe('King');
  });

  it('ticks the required consent box with its value under tick_required and leaves the _gotcha honeypot empty', () => {
    // Prepare
    const form = firstForm('plain-formspree');

    // Act
    const plan = planSubmission(form, CONTACT, { consentPolicy: 'tick_required' });

    // Assess
    expect(plan).toEqual({
      ok: true,
      fields: {
        fullname: 'Ada Lovelace',
        _replyto: 'ada@analytical.example',
        company: 'Analytical Engines',
        tel: '+44 20 7946 0000',
        message: CONTACT.message,
        consent: 'yes',
        _gotcha: '',
      },
    });
  });

  it('refuses a captcha-protected form', () => {
    // Prepare
    const form = firstForm('recaptcha-v2');

    // Act
    const plan = planSubmission(form, CONTACT);

    // Assess
    expect(plan).toMatchObject({ ok: false, reason: 'form_spam_protected' });
  });

  it('picks the select option matching the subject, or a sensible one', () => {
    // Prepare
    const form = formFrom(`<form method="post"><input name="email" type="email"><textarea name="message"></textarea>
      <label for="t">Topic</label><select id="t" name="t" required><option value="">Pick one</option><option>Support</option><option>Sales</option></select></form>`);

    // Act
    const matching = planSubmission(form, { ...CONTACT, subject: 'support' });
    const fallback = planSubmission(form, { ...CONTACT, subject: undefined });

    // Assess
    expect(matching.fields?.t).toBe('Support');
    expect(fallback.fields?.t).toBe('Sales');
  });

  it('writes a default subject when none is given', () => {
    // Prepare
    const form = firstForm('cf7-basic');

    // Act
    const plan = planSubmission(form, { ...CONTACT, subject: undefined });

    // Assess
    expect(plan.fields?.['your-subject']).toBe('Message from Ada Lovelace (Analytical Engines)');
  });

  it('reports a message longer than the field allows', () => {
    // Prepare
    const form = firstForm('cf7-basic');

    // Act
    const plan = planSubmission(form, { ...CONTACT, message: 'x'.repeat(2001) });

    // Assess
    expect(plan).toMatchObject({ ok: false, reason: 'content_too_long' });
  });

  it('cannot fill a required field it does not understand, nor a required last name of a one-word name', () => {
    // Prepare
    const unknown = formFrom(
      '<form method="post"><input name="email" type="email"><textarea name="message"></textarea><label for="v">VAT number</label><input id="v" name="vat" required></form>',
    );
    const gravity = firstForm('gravity-honeypot');

    // Act
    const unknownPlan = planSubmission(unknown, CONTACT);
    const oneWordPlan = planSubmission(gravity, { ...CONTACT, name: 'Cher' });

    // Assess
    expect(unknownPlan).toMatchObject({ ok: false, reason: 'missing_value' });
    expect(unknownPlan.detail).toContain('vat');
    expect(oneWordPlan).toMatchObject({ ok: false, reason: 'missing_value' });
  });

  it('leaves optional unchecked boxes out and keeps a pre-checked radio', () => {
    // Prepare
    const form = formFrom(`<form method="post"><input name="email" type="email"><textarea name="message"></textarea>
      <label><input type="checkbox" name="newsletter_optin_extra" value="1"> Send me the product digest</label>
      <input type="radio" name="size" value="small"><input type="radio" name="size" value="large" checked></form>`);

    // Act
    const plan = planSubmission(form, CONTACT);

    // Assess
    expect(plan.fields).not.toHaveProperty('newsletter_optin_extra');
    expect(plan.fields?.size).toBe('large');
  });
});

describe('encodeSubmission', () => {
  it('encodes multipart bodies with the given boundary and drops the action fragment', () => {
    // Prepare
    const form = { ...firstForm('gravity-honeypot'), action: 'https://site.example/contact-us/#gf_1' };

    // Act
    const encoded = encodeSubmission(form, { a: 'x', 'input_1.3': 'Ada' }, 'B');

    // Assess
    expect(encoded.url).toBe('https://site.example/contact-us/');
    expect(encoded.headers['content-type']).toBe('multipart/form-data; boundary=B');
    expect(encoded.body).toBe(
      '--B\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--B\r\nContent-Disposition: form-data; name="input_1.3"\r\n\r\nAda\r\n--B--\r\n',
    );
  });

  it('puts GET forms in the query string and POST forms in an urlencoded body', () => {
    // Prepare
    const post = firstForm('plain-formspree');
    const get: ParsedForm = { ...post, method: 'GET', action: 'https://acme.example/send?old=1' };

    // Act
    const asPost = encodeSubmission(post, { name: 'Ada L', message: 'a&b' });
    const asGet = encodeSubmission(get, { name: 'Ada L' });

    // Assess
    expect(asPost).toMatchObject({ method: 'POST', body: 'name=Ada+L&message=a%26b' });
    expect(asPost.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(asGet).toMatchObject({ method: 'GET', url: 'https://acme.example/send?name=Ada+L' });
    expect(asGet.body).toBeUndefined();
  });
});

describe('judgeResponse', () => {
  const form = firstForm('cf7-basic');
  const response = (
    status: number,
    body: string,
    url = 'https://site.example/contact/',
    contentType = 'text/html',
  ) => ({
    status,
    url,
    headers: { 'content-type': contentType },
    body,
  });

  it.each([
    [
      'CF7 JSON mail_sent',
      response(200, '{"status":"mail_sent","message":"Thank you"}', undefined, 'application/json'),
      'SENT',
      undefined,
      true,
    ],
    [
      'CF7 JSON validation_failed',
      response(
        200,
        '{"status":"validation_failed","message":"One or more fields have an error."}',
        undefined,
        'application/json',
      ),
      'FALLBACK',
      'form_rejected',
      false,
    ],
    [
      'CF7 page data-status=sent',
      response(200, '<form class="wpcf7-form sent" data-status="sent"></form>'),
      'SENT',
      undefined,
      true,
    ],
    [
      'CF7 validation tip',
      response(
        200,
        '<form class="wpcf7-form invalid" data-status="invalid"><span class="wpcf7-not-valid-tip">Please fill out this field.</span></form>',
      ),
      'FALLBACK',
      'form_rejected',
      false,
    ],
    ['thank-you wording', response(200, '<h1>Thanks! We will be in touch soon.</h1>'), 'SENT', undefined, true],
    [
      'redirect to a thank-you page',
      response(200, '<h1>Great</h1>', 'https://site.example/thank-you/'),
      'SENT',
      undefined,
      true,
    ],
    ['error wording', response(200, '<p>Please enter a valid email address.</p>'), 'FALLBACK', 'form_rejected', false],
    ['HTTP 400', response(400, '<p>Bad request</p>'), 'FALLBACK', 'form_rejected', false],
    ['HTTP 502', response(502, 'Bad gateway'), 'RETRY', 'provider_error', false],
    [
      'the same form again without a message',
      response(200, readFileSync(`${FIXTURES}cf7-basic.html`, 'utf8')),
      'STOP',
      'ambiguous_send',
      true,
    ],
  ])('%s', (_label, answer, outcome, reason, delivered) => {
    // Prepare: the response above

    // Act
    const judgement = judgeResponse(answer, form);

    // Assess
    expect(judgement.outcome).toBe(outcome);
    expect(judgement.reason).toBe(reason);
    expect(judgement.delivered).toBe(delivered);
  });
});

describe('planSubmission consent policy', () => {
  it('leaves a form with a required consent box to a person under the default policy (skip)', () => {
    // Prepare
    const form = firstForm('plain-formspree');

    // Act
    const plan = planSubmission(form, CONTACT);

    // Assess
    expect(plan).toMatchObject({ ok: false, reason: 'consent_required' });
    expect(plan.detail).toContain('I agree to the privacy policy');
  });

  it('never ticks an optional consent box, whatever the policy, but keeps one the page pre-ticks', () => {
    // Prepare
    const form = formFrom(`<form method="post"><input name="email" type="email"><textarea name="message"></textarea>
      <label><input type="checkbox" name="privacy" value="1"> I accept the privacy policy</label>
      <label><input type="checkbox" name="terms" value="ok" checked> I accept the terms</label></form>`);

    // Act
    const skip = planSubmission(form, CONTACT);
    const tick = planSubmission(form, CONTACT, { consentPolicy: 'tick_required' });

    // Assess
    for (const plan of [skip, tick]) {
      expect(plan.ok).toBe(true);
      expect(plan.fields).not.toHaveProperty('privacy');
      expect(plan.fields?.terms).toBe('ok');
    }
  });

  it('refuses a form guarded by a script-inserted token', () => {
    // Prepare
    const form = formFrom(
      '<form method="post" data-token="t"><input name="email" type="email"><textarea name="message"></textarea></form>',
    );

    // Act
    const plan = planSubmission(form, CONTACT, { consentPolicy: 'tick_required' });

    // Assess
    expect(plan).toMatchObject({ ok: false, reason: 'form_spam_protected' });
  });
});

describe('judgeResponse: builder markers and missing targets', () => {
  const form = firstForm('gravity-honeypot');
  const html = (status: number, body: string, url = 'https://site.example/contact-us/') => ({
    status,
    url,
    headers: { 'content-type': 'text/html' },
    body,
  });

  it.each([
    [
      'Gravity gfield_error',
      html(200, '<div class="gfield gfield_error"><input name="input_2"></div>'),
      'FALLBACK',
      'form_rejected',
    ],
    ['WPForms error label', html(200, '<label class="wpforms-error" for="x"></label>'), 'FALLBACK', 'form_rejected'],
    [
      'CF7 wpcf7-not-valid control',
      html(200, '<input class="wpcf7-not-valid" name="your-email">'),
      'FALLBACK',
      'form_rejected',
    ],
    ['legacy validation_error', html(200, '<div class="validation_error"></div>'), 'FALLBACK', 'form_rejected'],
    [
      'Gravity confirmation',
      html(200, '<div class="gform_confirmation_message">Thanks for contacting us! We will get in touch soon.</div>'),
      'SENT',
      undefined,
    ],
    [
      'WPForms confirmation',
      html(200, '<div class="wpforms-confirmation-container-full"><p>Thanks for contacting us!</p></div>'),
      'SENT',
      undefined,
    ],
    ['HTTP 404', html(404, 'Not found'), 'FALLBACK', 'form_unreachable'],
    ['HTTP 410', html(410, 'Gone'), 'FALLBACK', 'form_unreachable'],
    ['HTTP 503', html(503, 'Down'), 'RETRY', 'provider_error'],
  ])('%s', (_label, answer, outcome, reason) => {
    // Act
    const judgement = judgeResponse(answer, form);

    // Assess
    expect([judgement.outcome, judgement.reason]).toEqual([outcome, reason]);
  });
});
