import { describe, expect, it } from 'vitest';
import { parseForms } from '#shared/channels/contact-form/parse';
import {
  expectRealFormAsExpected,
  fieldNamed,
  REAL_FORM_NAMES,
  REAL_FORMS_DIR,
  realFormExpectation,
  realFormHtml,
  realFormPageUrl,
} from '#test/support/form-fixtures';

/**
 * The 19 contact pages from real sites in ../shared/fixtures/forms-real/, read in place (third-party markup:
 * the project keeps no copy). Without that folder beside the checkout there is nothing to check.
 */
describe.skipIf(REAL_FORM_NAMES.length === 0)(`parseForms on the real pages of ${REAL_FORMS_DIR}`, () => {
  it('finds all 19 pages', () => {
    // Assess
    expect(REAL_FORM_NAMES).toHaveLength(19);
  });

  it.each(REAL_FORM_NAMES)('%s meets its expected.json', (name) => {
    // Prepare
    const html = realFormHtml(name);
    const want = realFormExpectation(name);

    // Act
    const forms = parseForms(html, realFormPageUrl(name));

    // Assess
    expectRealFormAsExpected(forms, want);
  });

  it("keeps Drupal Honeypot's server timestamp as the page gives it, and blanks only the trap field", () => {
    // Act
    const [form] = parseForms(realFormHtml('drupal-contact-da-vorespuls'), realFormPageUrl('x'));

    // Assess
    const timestamp = fieldNamed(form, 'honeypot_time');
    expect(timestamp).toMatchObject({ role: 'hidden', type: 'hidden' });
    expect(timestamp?.value).toMatch(/\S/);
    expect(fieldNamed(form, 'second-name')?.role).toBe('honeypot');
  });

  it('names the kind of captcha each captcha page carries', () => {
    // Act
    const protectionsOf = (name: string) => parseForms(realFormHtml(name), realFormPageUrl(name))[0]?.protections;

    // Assess
    expect(protectionsOf('cf7-imgcaptcha-whengeekswed')).toContain('image_captcha');
    expect(protectionsOf('joomla-foxcontact-caltron')).toContain('image_captcha');
    expect(protectionsOf('enfold-mathcaptcha-sanlameer')).toContain('question_captcha');
    expect(protectionsOf('jetpack-mathcaptcha-compareit4me')).toContain('question_captcha');
    expect(protectionsOf('jotform-inline-mistersofteect')).toContain('js_token');
  });
});
