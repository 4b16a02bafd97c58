import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { submitContactForm } from '#shared/channels/contact-form/submit';
import { TEST_CONTACT as CONTACT, REAL_FORM_NAMES, realFormExpectation } from '#test/support/form-fixtures';
import { type FixtureSite, startFixtureSite } from './fixture-site';

/**
 * The real pages of ../shared/fixtures/forms-real/ (read in place) through the channel's whole path, from a
 * loopback site: a captcha page is never posted and leaves a task to a person; the others would be filled.
 */

let site: FixtureSite;

beforeAll(async () => {
  site = await startFixtureSite();
});
afterAll(async () => {
  await site.close();
});
beforeEach(() => site.clear());

const pageUrl = (name: string) => `${site.url}/forms-real/${name}.html`;

/** Submittable pages that require a field the contact cannot fill (Località *): they fall back, unposted. */
const NEEDS_MORE: Record<string, string> = { 'it-startromagna-honeycomb': 'locality' };

describe.skipIf(REAL_FORM_NAMES.length === 0)('real contact pages through submitContactForm', () => {
  it.each(REAL_FORM_NAMES)('%s: a dry run leaves protected forms to a person and fills the others', async (name) => {
    // Prepare
    const want = realFormExpectation(name);

    // Act
    const result = await submitContactForm({
      url: pageUrl(name),
      contact: CONTACT,
      consentPolicy: 'tick_required',
      allowPrivateNetwork: true,
      dryRun: true,
    });

    // Assess
    expect(site.posts()).toHaveLength(0);
    if (want.no_submittable_contact_form) {
      expect(result).toMatchObject({ outcome: 'FALLBACK', submitted: {} });
    } else if (want.first_form?.submittable === false) {
      expect(result).toMatchObject({ outcome: 'FALLBACK', reason: 'form_spam_protected', submitted: {} });
      expect(result.manualTask?.reason).toBe('form_spam_protected');
    } else if (NEEDS_MORE[name]) {
      expect(result).toMatchObject({ outcome: 'FALLBACK', reason: 'form_rejected', submitted: {} });
      expect(result.detail).toContain(`required field "${NEEDS_MORE[name]}"`);
    } else if (want.first_form?.submittable === true) {
      expect(result.outcome, result.detail).toBe('SENT');
      expect(result.dryRun).toBe(true);
      for (const field of result.form?.fields ?? []) {
        if (field.role === 'honeypot') expect(result.submitted[field.name], field.name).toBe('');
        if (field.role === 'hidden') expect(result.submitted[field.name], field.name).toBe(field.value ?? '');
      }
    }
  });

  it("posts Drupal's contact form with the Honeypot module's timestamp unchanged and its trap field empty", async () => {
    // Prepare
    const html = await (await fetch(pageUrl('drupal-contact-da-vorespuls'))).text();
    const timestamp = /name="honeypot_time"[^>]*value="([^"]+)"/.exec(html)?.[1];
    site.clear();

    // Act
    const result = await submitContactForm({
      url: pageUrl('drupal-contact-da-vorespuls'),
      contact: CONTACT,
      allowPrivateNetwork: true,
    });

    // Assess
    expect(timestamp).toBeDefined();
    expect(result.outcome, result.detail).toBe('SENT');
    const [post] = site.posts();
    expect(post?.path).toBe('/contact');
    expect(post?.fields).toMatchObject({
      honeypot_time: timestamp,
      'second-name': '',
      name: CONTACT.name,
      mail: CONTACT.email,
      message: CONTACT.message,
    });
  });
});
