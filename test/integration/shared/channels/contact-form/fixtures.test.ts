import { load } from 'cheerio';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { findContactPage } from '#shared/channels/contact-form/discover';
import { FORM_USER_AGENT } from '#shared/channels/contact-form/fetch';
import { inspectFormPage, submitContactForm } from '#shared/channels/contact-form/submit';
import {
  TEST_CONTACT as CONTACT,
  expectFormAsExpected,
  FORM_FIXTURE_NAMES,
  formFixtureExpectation,
  formFixtureHtml,
} from '#test/support/form-fixtures';
import { FIXTURE_PATHS, type FixtureSite, startFixtureSite } from './fixture-site';

/** What each role must carry in the submission. */
const BY_ROLE: Record<string, string | undefined> = {
  name: CONTACT.name,
  first_name: 'Ada',
  last_name: 'Lovelace',
  email: CONTACT.email,
  company: CONTACT.company,
  phone: CONTACT.phone,
  subject: CONTACT.subject,
  message: CONTACT.message,
  honeypot: '',
};

let site: FixtureSite;

beforeAll(async () => {
  site = await startFixtureSite();
  // The page fetch itself goes to loopback only because the test allows it per request.
  vi.stubEnv('CASCADE_ALLOW_PRIVATE_NETWORK', undefined);
  vi.stubEnv('CASCADE_CONNECT_TO', `formspree.io=${site.url}`);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await site.close();
});
beforeEach(() => site.clear());

function pageUrl(name: string): string {
  const path = FIXTURE_PATHS[name];
  if (!path) throw new Error(`fixture ${name} has no path on the test site: add it to FIXTURE_PATHS`);
  return `${site.url}${path}`;
}

/** The hidden inputs of the fixture's expected first form, with the values the page gives them. */
function hiddenInputs(name: string, url: string): Record<string, string> {
  const $ = load(formFixtureHtml(name));
  const want = formFixtureExpectation(name).first_form;
  const form = $('form')
    .toArray()
    .find((candidate) => new URL(candidate.attribs.action ?? '', url).href.endsWith(want.action_endswith));
  if (!form) throw new Error(`no form with action …${want.action_endswith} in ${name}`);
  return Object.fromEntries(
    $(form)
      .find('input[type="hidden" i]')
      .toArray()
      .map((input) => [input.attribs.name ?? '', input.attribs.value ?? '']),
  );
}

describe.each(FORM_FIXTURE_NAMES)('fixture %s served from a loopback site', (name) => {
  it('is inspected as its expected.json says', async () => {
    // Prepare
    const want = formFixtureExpectation(name).first_form;

    // Act
    const page = await inspectFormPage(pageUrl(name), { allowPrivateNetwork: true });

    // Assess
    expect(page.status).toBe(200);
    expectFormAsExpected(page.forms[0], want);
    expect(site.posts()).toHaveLength(0);
  });

  it('is submitted field by field when submittable, and never posted when not', async () => {
    // Prepare
    const want = formFixtureExpectation(name).first_form;
    const url = pageUrl(name);

    // Act
    const result = await submitContactForm({
      url,
      contact: CONTACT,
      consentPolicy: 'tick_required',
      allowPrivateNetwork: true,
    });

    // Assess
    const posts = site.posts();
    if (!want.submittable) {
      expect(result).toMatchObject({ outcome: 'FALLBACK', reason: 'form_spam_protected', submitted: {} });
      expect(result.manualTask?.reason).toBe('form_spam_protected');
      expect(posts).toHaveLength(0);
      return;
    }
    expect(result.outcome, result.detail).toBe('SENT');
    expect(result.verdict.delivered).toBe(true);
    expect(posts).toHaveLength(1);
    const [post] = posts;
    // Multipart bodies carry line breaks as CRLF, as a browser sends them.
    const received = Object.fromEntries(
      Object.entries(post?.fields ?? {}).map(([field, value]) => [field, value.replace(/\r\n/g, '\n')]),
    );
    expect(received).toEqual(result.submitted);
    // Where it went: the absolute action, as the page's method and encoding say.
    const action = new URL(result.form?.action ?? '');
    expect(post?.path).toBe(action.pathname);
    expect(post?.host).toBe(action.hostname);
    const contentType = String(post?.headers['content-type']);
    expect(contentType.startsWith(want.enctype ?? 'application/x-www-form-urlencoded')).toBe(true);
    // Sent as a browser: its User-Agent, the page as Referer, and the page's cookie back on the same site.
    expect(post?.headers['user-agent']).toBe(FORM_USER_AGENT);
    expect(post?.headers.referer).toBe(url);
    if (action.hostname === '127.0.0.1') expect(post?.headers.cookie).toBe(`session=s-${name}`);
    else expect(post?.headers.cookie).toBeUndefined();
    // Hidden builder fields verbatim, honeypots empty, every role filled with the contact's values.
    for (const [field, value] of Object.entries(hiddenInputs(name, url))) {
      expect(received[field], `hidden ${field}`).toBe(value);
    }
    const $ = load(formFixtureHtml(name));
    for (const [field, role] of Object.entries(want.roles)) {
      if (role === 'hidden') continue;
      const expected = role === 'consent' ? $(`[name="${field}"]`).attr('value') : BY_ROLE[role];
      expect(received[field], `${role} ${field}`).toBe(expected);
    }
    for (const field of result.form?.fields ?? []) {
      if (field.role === 'honeypot') expect(received[field.name], `honeypot ${field.name}`).toBe('');
    }
  });
});

describe('consent and discovery against the fixture site', () => {
  it('leaves a required consent box to a person under the default policy: nothing is posted', async () => {
    // Act
    const result = await submitContactForm({
      url: pageUrl('plain-formspree'),
      contact: CONTACT,
      allowPrivateNetwork: true,
    });

    // Assess
    expect(result).toMatchObject({ outcome: 'FALLBACK', reason: 'manual_task_created', submitted: {} });
    expect(result.manualTask?.reason).toBe('form_consent_required');
    expect(result.detail).toMatch(/^consent_required: /);
    expect(site.posts()).toHaveLength(0);
  });

  it("sends back the cookies set on a redirect before the form, with the page's own", async () => {
    // Act: /consent-gate sets `consent=granted` on its 302 to the CF7 page, which sets `session`.
    const result = await submitContactForm({
      url: `${site.url}/consent-gate`,
      contact: CONTACT,
      consentPolicy: 'tick_required',
      allowPrivateNetwork: true,
    });

    // Assess
    expect(result.outcome, result.detail).toBe('SENT');
    const cookies = String(site.posts()[0]?.headers.cookie ?? '')
      .split('; ')
      .sort();
    expect(cookies).toEqual(['consent=granted', 'session=s-cf7-basic']);
  });

  it('finds the contact page of a web site through its "Kontakt" link', async () => {
    // Act
    const search = await findContactPage(`${site.url}/`, { allowPrivateNetwork: true });

    // Assess
    expect(search.page?.url).toBe(pageUrl('gravity-honeypot'));
    expect(search.page?.via).toBe('link');
    expect(search.page?.form.kind).toBe('contact');
    expect(site.posts()).toHaveLength(0);
  });

  it('asks for a retry when the page cannot be fetched for a network reason (nothing was sent)', async () => {
    // Act
    const result = await submitContactForm({
      url: 'http://127.0.0.1:1/contact',
      contact: CONTACT,
      allowPrivateNetwork: true,
    });

    // Assess
    expect(result).toMatchObject({ outcome: 'RETRY', reason: 'provider_error', submitted: {} });
    expect(result.verdict.delivered).toBe(false);
  });

  it('reports a submission target that is gone (410) as form_unreachable, and a failing one (503) as RETRY', async () => {
    // Act
    const gone = await submitContactForm({
      url: `${site.url}/old-contact`,
      contact: CONTACT,
      allowPrivateNetwork: true,
    });
    const failing = await submitContactForm({
      url: `${site.url}/busy-contact`,
      contact: CONTACT,
      allowPrivateNetwork: true,
    });

    // Assess
    expect(gone).toMatchObject({ outcome: 'FALLBACK', reason: 'form_unreachable', verdict: { delivered: false } });
    expect(failing).toMatchObject({ outcome: 'RETRY', reason: 'provider_error', verdict: { delivered: false } });
    expect(site.posts().map((post) => post.path)).toEqual(['/gone', '/busy']);
  });
});
