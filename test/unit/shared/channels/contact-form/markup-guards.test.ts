import { describe, expect, it } from 'vitest';
import { parseForms } from '#shared/channels/contact-form/parse';
import { planSubmission } from '#shared/channels/contact-form/submission-plan';
import { fieldNamed, TEST_CONTACT } from '#test/support/form-fixtures';

/** Captchas, tokens, honeypots and required markers written in plain markup, as real pages carry them. */

const FIELDS =
  '<label for="n">Name</label><input id="n" name="n"><label for="e">Email</label><input id="e" name="e" type="email"><label for="m">Message</label><textarea id="m" name="m"></textarea>';

function bestForm(body: string, attributes = 'action="/send" method="post"') {
  return parseForms(`<form ${attributes}>${FIELDS}${body}</form>`, 'https://acme.example/contact')[0];
}

describe('markup captchas: never submitted', () => {
  it.each([
    [
      'a picture of letters and its answer field',
      '<img src="/captcha.php?id=4" alt="captcha"><label for="c">Type the letters</label><input id="c" name="code">',
      'image_captcha',
    ],
    [
      'an answer field named captcha, image loaded by script',
      '<input name="security_captcha" type="text">',
      'image_captcha',
    ],
    ['a sum with a blank', '6 &#43; <input type="text" name="n2" size="1"> = 12', 'question_captcha'],
    [
      'a sum to answer',
      '<span>3 + 0 = ?</span><label for="q">Answer</label><input id="q" name="q">',
      'question_captcha',
    ],
    [
      'a question for humans',
      '<label for="h">Please prove that you are human by solving the equation</label><input id="h" name="h">',
      'question_captcha',
    ],
  ])('%s', (_, body, kind) => {
    // Act
    const form = bestForm(body);

    // Assess
    expect(form?.protections).toContain(kind);
    expect(form).toMatchObject({ submittable: false, reason: 'form_spam_protected' });
    expect(form && planSubmission(form, TEST_CONTACT)).toMatchObject({ ok: false, reason: 'form_spam_protected' });
  });

  it('takes neither a phone number with a "+" nor an ordinary text field for a captcha', () => {
    // Act
    const form = bestForm('<label for="p">Phone (+44 20)</label><input id="p" name="p"><input name="website_url">');

    // Assess
    expect(form?.protections).toEqual([]);
    expect(form?.submittable).toBe(true);
  });
});

describe('hidden values a script rewrites', () => {
  it('sees a hidden value rewritten by an inline script, even with its id split in pieces', () => {
    // Prepare
    const html = `<form action="/send" method="post">${FIELDS}<input type="hidden" id="simple_spc" name="simple_spc" value="4155">
      <script>document.getElementById("si" + "mple" + "_spc").value = "4155-4155";</script></form>`;

    // Act
    const [form] = parseForms(html, 'https://acme.example/contact');

    // Assess
    expect(form?.protections).toContain('js_token');
    expect(form?.submittable).toBe(false);
  });

  it('does not take a script that only reads a hidden value for one that rewrites it', () => {
    // Prepare
    const html = `<form action="/send" method="post">${FIELDS}<input type="hidden" id="form_ref" name="form_ref" value="7">
      <script>if (document.getElementById('form_ref').value == '7') console.log('ok');</script></form>`;

    // Act
    const [form] = parseForms(html, 'https://acme.example/contact');

    // Assess
    expect(form?.protections).toEqual([]);
    expect(fieldNamed(form, 'form_ref')).toMatchObject({ role: 'hidden', value: '7' });
  });
});

describe('honeypots and required markers', () => {
  it('finds honeypots hidden by a utility class or pushed off-screen by a margin', () => {
    // Act
    const form = bestForm(
      '<div class="none bottest"><input name="trap_a"></div><input name="trap_b" style="position: absolute; margin: 0 0 0 -9999px;">',
    );

    // Assess
    expect(fieldNamed(form, 'trap_a')?.role).toBe('honeypot');
    expect(fieldNamed(form, 'trap_b')?.role).toBe('honeypot');
    expect(form?.protections).toEqual(['honeypot']);
  });

  it('sends a hidden value named like a honeypot as the page gives it, and an empty one empty', () => {
    // Act
    const form = bestForm(
      '<input type="hidden" name="honeypot_time" value="1454331341|abc"><input type="hidden" name="hp_check" value="">',
    );

    // Assess
    expect(fieldNamed(form, 'honeypot_time')).toMatchObject({ role: 'hidden', value: '1454331341|abc' });
    expect(fieldNamed(form, 'hp_check')?.role).toBe('honeypot');
    const plan = form && planSubmission(form, TEST_CONTACT);
    expect(plan?.fields).toMatchObject({ honeypot_time: '1454331341|abc', hp_check: '' });
  });

  it('reads "(required)" in a label, in English and other languages, as required', () => {
    // Prepare
    const html = `<form action="/send" method="post">
      <label>Name<span>(required)</span><input name="a"></label>
      <label>Nama Anda (wajib)<input name="b"></label>
      <label>Email<input name="c" type="email"></label><textarea name="m"></textarea></form>`;

    // Act
    const [form] = parseForms(html, 'https://acme.example/contact');

    // Assess
    expect(form?.fields.filter((field) => field.required).map((field) => field.name)).toEqual(['a', 'b']);
  });
});

describe('forms only a script sends', () => {
  it('does not submit a form with neither action nor method', () => {
    // Act
    const form = bestForm('', 'id="contact-form"');

    // Assess
    expect(form).toMatchObject({ kind: 'contact', submittable: false, reason: 'script_submitted' });
    expect(form && planSubmission(form, TEST_CONTACT)).toMatchObject({ ok: false, reason: 'unsupported_method' });
  });

  it('still submits a Netlify form, and a form with only a method or only an action', () => {
    // Act
    const netlify = bestForm('', 'name="contact" data-netlify="true"');
    const methodOnly = bestForm('', 'method="post"');
    const actionOnly = bestForm('', 'action="/send"');

    // Assess
    expect([netlify, methodOnly, actionOnly].map((form) => form?.submittable)).toEqual([true, true, true]);
  });
});
