import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ParsedForm, parseForms } from '#shared/channels/contact-form/parse';

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

describe('parseForms: builder honeypots, consent boxes and script tokens', () => {
  it('recognises WPForms, Gravity and stylesheet-hidden honeypots even when labelled Phone or Email', () => {
    // Prepare
    const html = `<style>.a-wrap { display: none !important }</style>
      <form class="wpforms-form" action="/contact/" method="post" data-formid="7">
        <div class="wpforms-field"><label for="f1">Name *</label><input id="f1" name="wpforms[fields][1]" required></div>
        <div class="wpforms-field"><label for="f2">Email *</label><input id="f2" type="email" name="wpforms[fields][2]" required></div>
        <div class="wpforms-field"><label for="f3">Comment or Message</label><textarea id="f3" name="wpforms[fields][3]"></textarea></div>
        <div class="wpforms-field wpforms-field-hp"><label for="hp">Phone</label><input id="hp" name="wpforms[hp]" type="text"></div>
        <div class="a-wrap"><label for="e2">Email</label><input id="e2" name="email_confirm" type="email"></div>
        <label for="t">Phone</label><input id="t" name="tel_2" type="text" tabindex="-1">
        <input type="hidden" name="wpforms[id]" value="7"><input type="hidden" name="wpforms[author]" value="1">
        <select name="country" class="select2-hidden-accessible" tabindex="-1" aria-hidden="true"><option>FR</option></select>
        <button type="submit" name="wpforms[submit]" value="wpforms-submit">Submit</button>
      </form>`;

    // Act
    const [form] = parseForms(html, 'https://acme.example/contact/');

    // Assess
    const roles = Object.fromEntries((form?.fields ?? []).map((candidate) => [candidate.name, candidate.role]));
    expect(roles).toMatchObject({
      'wpforms[fields][1]': 'name',
      'wpforms[fields][2]': 'email',
      'wpforms[fields][3]': 'message',
      'wpforms[hp]': 'honeypot',
      email_confirm: 'honeypot',
      tel_2: 'honeypot',
      'wpforms[id]': 'hidden',
      'wpforms[author]': 'hidden',
      country: 'other',
    });
    expect(field(form, 'wpforms[id]')?.value).toBe('7');
    expect(form?.submittable).toBe(true);
  });

  it('treats a CF7 acceptance box as required unless optional, and a lone required box as consent', () => {
    // Prepare
    const box = (extra: string) =>
      `<span class="wpcf7-form-control wpcf7-acceptance ${extra}"><label><input type="checkbox" name="acc-${extra || 'req'}" value="1"> I agree to the privacy policy</label></span>`;
    const html = `<form class="wpcf7-form" method="post"><input name="your-email" type="email"><textarea name="your-message"></textarea>
      ${box('')}${box('optional')}
      <label><input type="checkbox" name="confirm" value="y" required> I confirm the above is correct</label></form>`;

    // Act
    const [form] = parseForms(html, 'https://acme.example/');

    // Assess
    expect(field(form, 'acc-req')).toMatchObject({ role: 'consent', required: true });
    expect(field(form, 'acc-optional')).toMatchObject({ role: 'consent', required: false });
    expect(field(form, 'confirm')).toMatchObject({ role: 'consent', required: true });
  });

  it('refuses forms whose token a script adds: WPForms data-token and an inline createElement', () => {
    // Prepare
    const fields = '<input name="email" type="email"><textarea name="message"></textarea>';
    const wpforms = `<form method="post" class="wpforms-form" data-token="abc123">${fields}</form>`;
    const inline = `<form id="contact-form" method="post">${fields}</form><form id="other" role="search"><input type="search" name="q"></form>
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

  it('maps labels in German, Spanish, Italian, French and Japanese', () => {
    // Prepare
    const html = `<form method="post" action="/kontakt">
      <label for="a">Vorname</label><input id="a" name="a"><label for="b">Nachname</label><input id="b" name="b">
      <label for="c">Correo electrónico</label><input id="c" name="c"><label for="d">Teléfono</label><input id="d" name="d">
      <label for="e">Azienda</label><input id="e" name="e"><label for="f">Objet</label><input id="f" name="f">
      <label for="g">お問い合わせ内容</label><textarea id="g" name="g"></textarea>
      <label for="h">会社名</label><input id="h" name="h"><label for="i">メールアドレス</label><input id="i" name="i">
    </form>`;

    // Act
    const [form] = parseForms(html, 'https://acme.example/');

    // Assess
    const roles = Object.fromEntries((form?.fields ?? []).map((candidate) => [candidate.name, candidate.role]));
    expect(roles).toEqual({
      a: 'first_name',
      b: 'last_name',
      c: 'email',
      d: 'phone',
      e: 'company',
      f: 'subject',
      g: 'message',
      h: 'company',
      i: 'email',
    });
  });

  it('reads "Name" beside "Surname" as the first name, and "Nom" beside "Prénom" as the last name', () => {
    // Prepare
    const english =
      '<form method="post"><label for="n">Name</label><input id="n" name="n"><label for="s">Surname</label><input id="s" name="s"><textarea name="message"></textarea></form>';
    const french =
      '<form method="post"><label for="p">Prénom</label><input id="p" name="p"><label for="n">Nom</label><input id="n" name="n"><textarea name="message"></textarea></form>';

    // Act
    const [en] = parseForms(english, 'https://acme.example/');
    const [fr] = parseForms(french, 'https://acme.example/');

    // Assess
    expect([field(en, 'n')?.role, field(en, 's')?.role]).toEqual(['first_name', 'last_name']);
    expect([field(fr, 'p')?.role, field(fr, 'n')?.role]).toEqual(['first_name', 'last_name']);
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
    const html = `<form method="post" class="contact">${marker}<input name="email" type="email"><textarea name="message"></textarea></form>`;

    // Act
    const [form] = parseForms(html, 'https://acme.example/');

    // Assess
    expect(form?.protections).toContain('recaptcha');
    expect(form).toMatchObject({ submittable: false, reason: 'form_spam_protected' });
  });
});

describe('parseForms: sloppy markup (the slim htmlparser2 build of cheerio)', () => {
  it('reads a form laid out in a table, with unclosed options and paragraphs', () => {
    // Prepare
    const html = `<html><body><p>Write to us<table><tr><td>
      <form action="/send" method="post">
        <tr><td><label for="e">Your email</label><td><input id="e" name="e" type="email" required>
        <tr><td>Topic<td><select name="topic"><option>Sales<option selected>Support<option>Press</select>
        <tr><td colspan=2><textarea name="msg" required></textarea>
        <tr><td><input type=submit value=Send>
      </form></table><p>Thanks</body></html>`;

    // Act
    const [form] = parseForms(html, 'https://acme.example/contact');

    // Assess
    expect(form).toMatchObject({ action: 'https://acme.example/send', method: 'POST', submittable: true });
    expect(field(form, 'e')).toMatchObject({ role: 'email', required: true });
    expect(field(form, 'topic')).toMatchObject({ options: ['Sales', 'Support', 'Press'], value: 'Support' });
    expect(field(form, 'msg')).toMatchObject({ role: 'message', required: true });
  });
});
