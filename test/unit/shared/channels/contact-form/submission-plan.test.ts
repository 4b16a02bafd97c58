import { describe, expect, it } from 'vitest';
import { type PlanOptions, planSubmission } from '#shared/channels/contact-form/submission-plan';
import { bestFixtureForm, bestForm, TEST_CONTACT as CONTACT } from '#test/support/form-fixtures';

/** Fixture forms the channel fills in full: the fixture, what the test shows, the options, every field sent. */
const FILLED_FIXTURES: Array<[string, string, PlanOptions, Record<string, string>]> = [
  [
    'cf7-basic',
    'fills a Contact Form 7 form and keeps its hidden builder fields as the page gives them',
    {},
    {
      _wpcf7: '123',
      _wpcf7_version: '5.9.3',
      _wpcf7_locale: 'en_US',
      _wpcf7_unit_tag: 'wpcf7-f123-p45-o1',
      _wpcf7_container_post: '45',
      _wpcf7_posted_data_hash: '',
      'your-name': 'Ada Lovelace',
      'your-email': 'ada@analytical.example',
      'your-subject': 'Partnership',
      'your-message': CONTACT.message,
    },
  ],
  [
    'gravity-honeypot',
    'splits the name for Gravity Forms and leaves its "Phone" honeypot empty',
    {},
    {
      'input_1.3': 'Ada',
      'input_1.6': 'Lovelace',
      input_2: 'ada@analytical.example',
      input_5: 'Analytical Engines',
      input_3: CONTACT.message,
      input_4: '',
      gform_submission_method: 'postback',
      gform_theme: 'gravity-theme',
      is_submit_1: '1',
      gform_submit: '1',
      gform_unique_id: '',
      state_1: 'WyJbXSIsIjZkNjBiNWQ5ZmQ5NzBhOGE2ZTNkZmFmMTk0OGI0N2I5Il0=',
      gform_target_page_number_1: '0',
      gform_source_page_number_1: '1',
      gform_field_values: '',
    },
  ],
  [
    'plain-formspree',
    'ticks the required consent box with its value under tick_required and leaves the _gotcha honeypot empty',
    { consentPolicy: 'tick_required' },
    {
      fullname: 'Ada Lovelace',
      _replyto: 'ada@analytical.example',
      company: 'Analytical Engines',
      tel: '+44 20 7946 0000',
      message: CONTACT.message,
      consent: 'yes',
      _gotcha: '',
    },
  ],
];

describe('planSubmission', () => {
  it.each(FILLED_FIXTURES)('%s: %s', (name, _label, options, fields) => {
    // Prepare
    const form = bestFixtureForm(name);

    // Act
    const plan = planSubmission(form, CONTACT, options);

    // Assess
    expect(plan).toEqual({ ok: true, fields });
  });

  it('prefers explicit first and last names over splitting', () => {
    // Prepare
    const form = bestFixtureForm('gravity-honeypot');

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

  it('refuses a captcha-protected form', () => {
    // Prepare
    const form = bestFixtureForm('recaptcha-v2');

    // Act
    const plan = planSubmission(form, CONTACT);

    // Assess
    expect(plan).toMatchObject({ ok: false, reason: 'form_spam_protected' });
  });

  it('picks the select option matching the subject, or a sensible one', () => {
    // Prepare
    const form = bestForm(`<form method="post"><input name="email" type="email"><textarea name="message"></textarea>
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
    const form = bestFixtureForm('cf7-basic');

    // Act
    const plan = planSubmission(form, { ...CONTACT, subject: undefined });

    // Assess
    expect(plan.fields?.['your-subject']).toBe('Message from Ada Lovelace (Analytical Engines)');
  });

  it('reports a message longer than the field allows', () => {
    // Prepare
    const form = bestFixtureForm('cf7-basic');

    // Act
    const plan = planSubmission(form, { ...CONTACT, message: 'x'.repeat(2001) });

    // Assess
    expect(plan).toMatchObject({ ok: false, reason: 'content_too_long' });
  });

  it('cannot fill a required field it does not understand, nor a required last name of a one-word name', () => {
    // Prepare
    const unknown = bestForm(
      '<form method="post"><input name="email" type="email"><textarea name="message"></textarea><label for="v">VAT number</label><input id="v" name="vat" required></form>',
    );
    const gravity = bestFixtureForm('gravity-honeypot');

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
    const form = bestForm(`<form method="post"><input name="email" type="email"><textarea name="message"></textarea>
      <label><input type="checkbox" name="newsletter_optin_extra" value="1"> Send me the product digest</label>
      <input type="radio" name="size" value="small"><input type="radio" name="size" value="large" checked></form>`);

    // Act
    const plan = planSubmission(form, CONTACT);

    // Assess
    expect(plan.fields).not.toHaveProperty('newsletter_optin_extra');
    expect(plan.fields?.size).toBe('large');
  });
});

describe('planSubmission consent policy', () => {
  it('leaves a form with a required consent box to a person under the default policy (skip)', () => {
    // Prepare
    const form = bestFixtureForm('plain-formspree');

    // Act
    const plan = planSubmission(form, CONTACT);

    // Assess
    expect(plan).toMatchObject({ ok: false, reason: 'consent_required' });
    expect(plan.detail).toContain('I agree to the privacy policy');
  });

  it('never ticks an optional consent box, whatever the policy, but keeps one the page pre-ticks', () => {
    // Prepare
    const form = bestForm(`<form method="post"><input name="email" type="email"><textarea name="message"></textarea>
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
    const form = bestForm(
      '<form method="post" data-token="t"><input name="email" type="email"><textarea name="message"></textarea></form>',
    );

    // Act
    const plan = planSubmission(form, CONTACT, { consentPolicy: 'tick_required' });

    // Assess
    expect(plan).toMatchObject({ ok: false, reason: 'form_spam_protected' });
  });
});
