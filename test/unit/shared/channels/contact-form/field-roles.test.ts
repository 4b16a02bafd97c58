import { describe, expect, it } from 'vitest';
import { parseForms } from '#shared/channels/contact-form/parse';
import { fieldNamed, fieldRoles } from '#test/support/form-fixtures';

describe('parseForms field roles', () => {
  it.each([
    [
      'aria-labelledby, autocomplete, names and the form= attribute',
      `<span id="lbl-co">Organisation</span>
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
      <textarea form="f" name="body" placeholder="Your message"></textarea>`,
      'q1 company, a first_name, b last_name, contact_email email, phoneNumber phone, reason subject, job other, send other, body message',
    ],
    [
      'labels in German, Spanish, Italian, French and Japanese',
      `<form method="post" action="/kontakt">
      <label for="a">Vorname</label><input id="a" name="a"><label for="b">Nachname</label><input id="b" name="b">
      <label for="c">Correo electrónico</label><input id="c" name="c"><label for="d">Teléfono</label><input id="d" name="d">
      <label for="e">Azienda</label><input id="e" name="e"><label for="f">Objet</label><input id="f" name="f">
      <label for="g">お問い合わせ内容</label><textarea id="g" name="g"></textarea>
      <label for="h">会社名</label><input id="h" name="h"><label for="i">メールアドレス</label><input id="i" name="i">
    </form>`,
      'a first_name, b last_name, c email, d phone, e company, f subject, g message, h company, i email',
    ],
  ])('maps roles from %s', (_label, html, expected) => {
    // Prepare
    const want = Object.fromEntries(expected.split(', ').map((pair) => pair.split(' ')));

    // Act
    const [form] = parseForms(html, 'https://acme.example/');

    // Assess
    expect(fieldRoles(form)).toEqual(want);
    expect(form?.kind).toBe('contact');
  });

  it.each([
    ['"Name" beside "Surname": the first name', 'Name', 'Surname'],
    ['"Nom" beside "Prénom": the last name', 'Prénom', 'Nom'],
  ])('reads the lone name field of %s', (_label, firstLabel, secondLabel) => {
    // Prepare
    const html = `<form method="post"><label for="a">${firstLabel}</label><input id="a" name="a"><label for="b">${secondLabel}</label><input id="b" name="b"><textarea name="message"></textarea></form>`;

    // Act
    const [form] = parseForms(html, 'https://acme.example/');

    // Assess
    expect([fieldNamed(form, 'a')?.role, fieldNamed(form, 'b')?.role]).toEqual(['first_name', 'last_name']);
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
    expect(fieldNamed(form, 'acc-req')).toMatchObject({ role: 'consent', required: true });
    expect(fieldNamed(form, 'acc-optional')).toMatchObject({ role: 'consent', required: false });
    expect(fieldNamed(form, 'confirm')).toMatchObject({ role: 'consent', required: true });
  });
});
