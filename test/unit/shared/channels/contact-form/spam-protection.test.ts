import { describe, expect, it } from 'vitest';
import { parseForms } from '#shared/channels/contact-form/parse';

/** The fields of a contact form the channel could fill, were it not for the guards the tests add. */
const CONTACT_FIELDS = '<input name="email" type="email"><textarea name="message"></textarea>';

describe('parseForms spam protections', () => {
  it.each([
    [
      'an hCaptcha widget',
      `<form method="post">${CONTACT_FIELDS}<div class="h-captcha" data-sitekey="x"></div></form>`,
      ['hcaptcha'],
    ],
    [
      'the Turnstile script and an empty token field',
      `<script src="https://challenges.cloudflare.com/turnstile/v0/api.js"></script><form method="post">${CONTACT_FIELDS}<input type="hidden" name="form_token" value=""></form>`,
      ['turnstile', 'js_token'],
    ],
  ])('detects %s and refuses the form', (_label, html, protections) => {
    // Act
    const [form] = parseForms(html, 'https://acme.example/');

    // Assess
    expect(form?.protections).toEqual(protections);
    expect(form?.submittable).toBe(false);
  });

  it('a captcha widget inside one form does not mark the other forms of the page', () => {
    // Prepare
    const html = `<script src="https://www.google.com/recaptcha/api.js"></script>
      <form action="/contact" method="post">${CONTACT_FIELDS}</form>
      <form action="/signup" method="post"><input name="email" type="email"><input name="password" type="password"><div class="g-recaptcha"></div></form>`;

    // Act
    const [contact] = parseForms(html, 'https://acme.example/');

    // Assess
    expect(contact?.action).toBe('https://acme.example/contact');
    expect(contact?.protections).toEqual([]);
    expect(contact?.submittable).toBe(true);
  });

  it('refuses forms whose token a script adds: WPForms data-token and an inline createElement', () => {
    // Prepare
    const wpforms = `<form method="post" class="wpforms-form" data-token="abc123">${CONTACT_FIELDS}</form>`;
    const inline = `<form id="contact-form" method="post">${CONTACT_FIELDS}</form><form id="other" role="search"><input type="search" name="q"></form>
      <script>var i = document.createElement('input'); i.name = 'spam_token'; i.value = t(); document.getElementById('contact-form').appendChild(i);</script>`;

    // Act
    const [withDataToken] = parseForms(wpforms, 'https://acme.example/');
    const [withScript, search] = parseForms(inline, 'https://acme.example/');

    // Assess
    expect(withDataToken).toMatchObject({
      protections: ['js_token'],
      submittable: false,
      reason: 'form_spam_protected',
    });
    expect(withScript).toMatchObject({ protections: ['js_token'], submittable: false });
    expect(search?.protections).toEqual([]);
  });
});

describe('parseForms: reCAPTCHA v3', () => {
  it.each([
    ['the v3 script', '<script src="https://www.google.com/recaptcha/api.js?render=6Lc_site_key"></script>'],
    [
      'an inline grecaptcha.execute',
      "<script>grecaptcha.ready(() => grecaptcha.execute('k', {action: 'submit'}))</script>",
    ],
    ['CF7 recaptcha response field', '<input type="hidden" name="_wpcf7_recaptcha_response" value="">'],
  ])('is detected from %s', (_label, marker) => {
    // Prepare
    const html = `<form method="post" class="contact">${marker}${CONTACT_FIELDS}</form>`;

    // Act
    const [form] = parseForms(html, 'https://acme.example/');

    // Assess
    expect(form?.protections).toContain('recaptcha');
    expect(form).toMatchObject({ submittable: false, reason: 'form_spam_protected' });
  });
});
