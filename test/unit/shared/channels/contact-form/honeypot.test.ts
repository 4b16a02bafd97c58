import { describe, expect, it } from 'vitest';
import { parseForms } from '#shared/channels/contact-form/parse';
import { fieldNamed, fieldRoles } from '#test/support/form-fixtures';

describe('parseForms honeypots', () => {
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
    expect(fieldNamed(form, 'phone')?.role).toBe('phone');
    expect(form?.protections).toEqual(['honeypot']);
  });

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
    expect(fieldRoles(form)).toMatchObject({
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
    expect(fieldNamed(form, 'wpforms[id]')?.value).toBe('7');
    expect(form?.submittable).toBe(true);
  });
});
