import { describe, expect, it } from 'vitest';
import { parseForms } from '#shared/channels/contact-form/parse';
import {
  expectFormAsExpected,
  FORM_FIXTURE_NAMES,
  fieldNamed,
  formFixtureExpectation,
  formFixtureHtml,
} from '#test/support/form-fixtures';

describe('parseForms on real-world fixtures', () => {
  it.each(FORM_FIXTURE_NAMES)('%s matches its expectations', (name) => {
    // Prepare
    const html = formFixtureHtml(name);
    const want = formFixtureExpectation(name).first_form;

    // Act
    const [first] = parseForms(html, 'https://site.example/contact/');

    // Assess
    expectFormAsExpected(first, want);
  });

  it('cf7-basic ranks the contact form above the search box and the newsletter form, and keeps hidden fields', () => {
    // Prepare
    const html = formFixtureHtml('cf7-basic');

    // Act
    const forms = parseForms(html, 'https://acme.example/contact/');

    // Assess
    expect(forms.map((form) => form.kind)).toEqual(['contact', 'newsletter', 'search']);
    expect(forms[0]?.action).toBe('https://acme.example/contact/#wpcf7-f123-p45-o1');
    expect(fieldNamed(forms[0], '_wpcf7_version')).toMatchObject({ role: 'hidden', value: '5.9.3' });
    expect(fieldNamed(forms[0], '_wpcf7_posted_data_hash')).toMatchObject({ role: 'hidden', value: '' });
    expect(fieldNamed(forms[1], 'b_abc_def')?.role).toBe('honeypot');
    expect(forms.slice(1).every((form) => !form.submittable)).toBe(true);
  });

  it('recaptcha-v2 reports why the form cannot be submitted', () => {
    // Prepare
    const html = formFixtureHtml('recaptcha-v2');

    // Act
    const [first] = parseForms(html, 'https://initech.example/contact');

    // Assess
    expect(first?.reason).toBe('form_spam_protected');
    expect(fieldNamed(first, 'topic')?.options).toEqual(['sales', 'support']);
  });
});

describe('parseForms: where the form goes', () => {
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
    expect(fieldNamed(form, 'e')).toMatchObject({ role: 'email', required: true });
    expect(fieldNamed(form, 'topic')).toMatchObject({ options: ['Sales', 'Support', 'Press'], value: 'Support' });
    expect(fieldNamed(form, 'msg')).toMatchObject({ role: 'message', required: true });
  });
});
