import { describe, expect, it } from 'vitest';
import { consentPolicyOf } from '#shared/channels/contact-form/contact-form-adapter';
import { contactLinks } from '#shared/channels/contact-form/discover';

describe('contactLinks', () => {
  it('finds "contact" links by text or path in several languages, same site only, best first', () => {
    // Prepare
    const html = `<nav>
      <a href="/">Home</a><a href="/blog/2023/how-we-contact-customers">How we contact customers</a>
      <a href="/ueber-uns">Über uns</a><a href="https://www.acme.example/kontakt/">Kontakt</a>
      <a href="/%E3%81%8A%E5%95%8F%E3%81%84%E5%90%88%E3%82%8F%E3%81%9B/">Support</a>
      <a href="mailto:hi@acme.example">Contact by mail</a><a href="https://other.example/contact">Partner contact</a>
      <a href="/files/contact.pdf">Contact sheet</a><a href="/kontakt/#form">Write to us</a>
    </nav>`;

    // Act
    const links = contactLinks(html, 'https://acme.example/', 10);

    // Assess
    expect(links.map((link) => link.url)).toEqual([
      'https://www.acme.example/kontakt/',
      'https://acme.example/%E3%81%8A%E5%95%8F%E3%81%84%E5%90%88%E3%82%8F%E3%81%9B/',
      'https://acme.example/ueber-uns',
      'https://acme.example/blog/2023/how-we-contact-customers',
    ]);
  });

  it.each([
    ['Contacto', '/contacto'],
    ['Contato', '/fale-conosco'],
    ['Contatti', '/contatti'],
    ['Nous contacter', '/nous-contacter'],
    ['お問い合わせ', '/inquiry'],
    ['Get in touch', '/hello'],
  ])('recognises "%s"', (text, href) => {
    // Act
    const [link] = contactLinks(`<a href="/about">About</a><a href="${href}">${text}</a>`, 'https://acme.example/');

    // Assess
    expect(link?.url).toBe(`https://acme.example${href}`);
  });
});

describe('consentPolicyOf', () => {
  it('reads settings.consentPolicy and defaults to skip', () => {
    // Assess
    expect(consentPolicyOf({ settings: { consentPolicy: 'tick_required' } })).toBe('tick_required');
    expect(consentPolicyOf({ settings: { consentPolicy: 'yes please' } })).toBe('skip');
    expect(consentPolicyOf({ settings: {} })).toBe('skip');
  });
});
