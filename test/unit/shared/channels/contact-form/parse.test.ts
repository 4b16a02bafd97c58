import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ParsedForm, parseForms } from '../../../../../shared/channels/contact-form/parse';

const FIXTURES = fileURLToPath(new URL('../../../../fixtures/forms/', import.meta.url));

interface Expectation {
  note: string;
  first_form: {
    action_endswith: string;
    method: string;
    enctype?: string;
    roles: Record<string, string>;
    required: string[];
    protections_include?: string[];
    protections_exclude?: string[];
    submittable: boolean;
  };
}

function fixture(name: string): { html: string; expected: Expectation } {
  return {
    html: readFileSync(`${FIXTURES}${name}.html`, 'utf8'),
    expected: JSON.parse(readFileSync(`${FIXTURES}${name}.expected.json`, 'utf8')) as Expectation,
  };
}

function field(form: ParsedForm | undefined, name: string) {
  return form?.fields.find((candidate) => candidate.name === name);
}

describe('parseForms on real-world fixtures', () => {
  it.each(['cf7-basic', 'gravity-honeypot', 'plain-formspree', 'recaptcha-v2'])(
    '%s matches its expectations',
    (name) => {
      // Prepare
      const { html, expected } = fixture(name);
      const want = expected.first_form;

      // Act
      const [first] = parseForms(html, 'https://site.example/contact/');

      // Assess
      expect(first, 'a form was found').toBeDefined();
      expect(first?.action.endsWith(want.action_endswith), `action ${first?.action}`).toBe(true);
      expect(first?.method).toBe(want.method);
      if (want.enctype) expect(first?.enctype).toBe(want.enctype);
      const roles = Object.fromEntries(
        Object.keys(want.roles).map((fieldName) => [fieldName, field(first, fieldName)?.role]),
      );
      expect(roles).toEqual(want.roles);
      const required = first?.fields.filter((candidate) => candidate.required).map((candidate) => candidate.name);
      expect(required?.sort()).toEqual([...want.required].sort());
      for (const protection of want.protections_include ?? []) expect(first?.protections).toContain(protection);
      for (const protection of want.protections_exclude ?? []) expect(first?.protections).not.toContain(protection);
      expect(first?.submittable).toBe(want.submittable);
    },
  );

  it('cf7-basic ranks the contact form above the search box and the newsletter form, and keeps hidden fields', () => {
    // Prepare
    const { html } = fixture('cf7-basic');

    // Act
    const forms = parseForms(html, 'https://acme.example/contact/');

    // Assess
    expect(forms.map((form) => form.kind)).toEqual(['contact', 'newsletter', 'search']);
    expect(forms[0]?.action).toBe('https://acme.example/contact/#wpcf7-f123-p45-o1');
    expect(field(forms[0], '_wpcf7_version')).toMatchObject({ role: 'hidden', value: '5.9.3' });
    expect(field(forms[0], '_wpcf7_posted_data_hash')).toMatchObject({ role: 'hidden', value: '' });
    expect(field(forms[1], 'b_abc_def')?.role).toBe('honeypot');
    expect(forms.slice(1).every((form) => !form.submittable)).toBe(true);
  });

  it('recaptcha-v2 reports why the form cannot be submitted', () => {
    // Prepare
    const { html } = fixture('recaptcha-v2');

    // Act
    const [first] = parseForms(html, 'https://initech.example/contact');

    // Assess
    expect(first?.reason).toBe('form_spam_protected');
    expect(field(first, 'topic')?.options).toEqual(['sales', 'support']);
  });
});

describe('parseForms ranking', () => {
  const contactForm = `
    <form action="/send" method="post" id="contact">
      <label for="n">Name</label><input id="n" name="n">
      <label for="e">Email</label><input id="e" name="e" type="email">
      <label for="m">Message</label><textarea id="m" name="m"></textarea>
      <button type="submit">Send</button>
    </form>`;

  it.each([
    [
      'search box',
      '<form action="/search" method="get"><input type="text" name="q" placeholder="Search"><button>Go</button></form>',
      'search',
    ],
    [
      'newsletter signup',
      '<form action="/subscribe" method="post" class="newsletter"><input type="email" name="email" placeholder="Your email"><button>Subscribe</button></form>',
      'newsletter',
    ],
    [
      'login form',
      '<form action="/login" method="post"><label>Email <input type="email" name="user"></label><label>Password <input type="password" name="pass"></label><button>Log in</button></form>',
      'login',
    ],
    [
      'comment form',
      '<form action="/wp-comments-post.php" method="post" id="commentform"><textarea name="comment"></textarea><input name="author"><input name="email" type="email"><input type="hidden" name="comment_post_ID" value="7"><input type="submit" value="Post Comment"></form>',
      'comment',
    ],
  ])('a %s placed before the contact form is ranked below it', (_label, other, kind) => {
    // Prepare
    const html = `<html><body>${other}${contactForm}</body></html>`;

    // Act
    const forms = parseForms(html, 'https://acme.example/');

    // Assess
    expect(forms).toHaveLength(2);
    expect(forms[0]?.action).toBe('https://acme.example/send');
    expect(forms[0]?.kind).toBe('contact');
    expect(forms[1]?.kind).toBe(kind);
    expect(forms[1]?.submittable).toBe(false);
  });

  it('a page with only a newsletter form offers no submittable contact form', () => {
    // Prepare
    const html =
      '<form action="https://x.list-manage.com/subscribe/post" method="post"><input type="email" name="EMAIL"><input type="text" name="FNAME" placeholder="First name"><input type="submit" value="Subscribe"></form>';

    // Act
    const forms = parseForms(html, 'https://acme.example/');

    // Assess
    expect(forms[0]?.kind).toBe('newsletter');
    expect(forms[0]?.submittable).toBe(false);
  });
});

describe('parseForms field roles and protections', () => {
  it('maps roles from aria-labelledby, autocomplete, names and the form= attribute', () => {
    // Prepare
    const html = `
      <span id="lbl-co">Organisation</span>
      <form id="f" action="https://api.example/forms/1" method="post">
        <input name="q1" aria-labelledby="lbl-co">
        <input name="a" autocomplete="given-name">
        <input name="b" autocomplete="family-name">
        <input name="contact_email">
        <input name="phoneNumber">
        <select name="reason"><option value="">Choose…</option><option value="demo">Demo</option></select>
        <input name="job" placeholder="Job title">
        <input type="submit" name="send" value="Send">
        <input type="submit" name="second" value="Other">
      </form>
      <textarea form="f" name="body" placeholder="Your message"></textarea>`;

    // Act
    const [form] = parseForms(html, 'https://acme.example/');

    // Assess
    const roles = Object.fromEntries((form?.fields ?? []).map((candidate) => [candidate.name, candidate.role]));
    expect(roles).toEqual({
      q1: 'company',
      a: 'first_name',
      b: 'last_name',
      contact_email: 'email',
      phoneNumber: 'phone',
      reason: 'subject',
      job: 'other',
      send: 'other',
      body: 'message',
    });
    expect(form?.kind).toBe('contact');
  });

  it('recognises honeypots hidden by style, class, off-screen position, tabindex and Netlify', () => {
    // Prepare
    const html = `
      <form action="/c" method="post" netlify-honeypot="bot-trap" class="contact-form">
        <input name="name" placeholder="Name"><input name="email" type="email"><textarea name="message"></textarea>
        <input name="hidden_by_style" style="visibility: hidden">
        <div class="honeypot"><input name="by_class"></div>
        <div style="position:absolute; left:-10000px"><input name="offscreen"></div>
        <input name="website" tabindex="-1" autocomplete="off">
        <input name="bot-trap">
        <input name="phone" type="tel">
      </form>`;

    // Act
    const [form] = parseForms(html, 'https://acme.example/');

    // Assess
    const honeypots = form?.fields
      .filter((candidate) => candidate.role === 'honeypot')
      .map((candidate) => candidate.name);
    expect(honeypots).toEqual(['hidden_by_style', 'by_class', 'offscreen', 'website', 'bot-trap']);
    expect(field(form, 'phone')?.role).toBe('phone');
    expect(form?.protections).toEqual(['honeypot']);
  });

  it('detects hCaptcha, Turnstile and a JS-filled token', () => {
    // Prepare
    const hcaptcha =
      '<form method="post"><input name="email" type="email"><textarea name="message"></textarea><div class="h-captcha" data-sitekey="x"></div></form>';
    const turnstile =
      '<script src="https://challenges.cloudflare.com/turnstile/v0/api.js"></script><form method="post"><input name="email" type="email"><textarea name="message"></textarea><input type="hidden" name="form_token" value=""></form>';

    // Act
    const [withHcaptcha] = parseForms(hcaptcha, 'https://acme.example/');
    const [withTurnstile] = parseForms(turnstile, 'https://acme.example/');

    // Assess
    expect(withHcaptcha?.protections).toEqual(['hcaptcha']);
    expect(withHcaptcha?.submittable).toBe(false);
    expect(withTurnstile?.protections).toEqual(['turnstile', 'js_token']);
    expect(withTurnstile?.submittable).toBe(false);
  });

  it('a captcha widget inside one form does not mark the other forms of the page', () => {
    // Prepare
    const html = `<script src="https://www.google.com/recaptcha/api.js"></script>
      <form action="/contact" method="post"><input name="email" type="email"><textarea name="message"></textarea></form>
      <form action="/signup" method="post"><input name="email" type="email"><input name="password" type="password"><div class="g-recaptcha"></div></form>`;

    // Act
    const [contact] = parseForms(html, 'https://acme.example/');

    // Assess
    expect(contact?.action).toBe('https://acme.example/contact');
    expect(contact?.protections).toEqual([]);
    expect(contact?.submittable).toBe(true);
  });

  it('resolves actions against <base href> and defaults to GET and the page URL', () => {
    // Prepare
    const html =
      '<base href="https://cdn.example/site/"><form><input name="email" type="email"><textarea name="message"></textarea></form>';

    // Act
    const [form] = parseForms(html, 'https://acme.example/contact?x=1');

    // Assess
    expect(form?.action).toBe('https://cdn.example/site/');
    expect(form?.method).toBe('GET');
    expect(form?.enctype).toBe('application/x-www-form-urlencoded');
  });
});
