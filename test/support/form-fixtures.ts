import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { FieldRole, FormField, ParsedForm } from '#shared/channels/contact-form/form-model';
import { parseForms } from '#shared/channels/contact-form/parse';
import type { ContactDetails } from '#shared/channels/contact-form/submission-plan';

/**
 * The real-world form pages of test/fixtures/forms/ and what parsing each must find (`<name>.expected.json`),
 * shared by the parser's unit tests, the contact-form integration tests and the CLI's.
 */

export const FORM_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/forms/', import.meta.url));

export interface FormExpectation {
  action_endswith: string;
  method: string;
  enctype?: string;
  roles: Record<string, string>;
  required: string[];
  protections_include?: string[];
  protections_exclude?: string[];
  submittable: boolean;
}

export interface FormFixtureExpectation {
  note: string;
  first_form: FormExpectation;
}

/** Every fixture page that comes with an `.expected.json`, sorted. */
export const FORM_FIXTURE_NAMES: readonly string[] = readdirSync(FORM_FIXTURES_DIR)
  .filter((file) => file.endsWith('.expected.json'))
  .map((file) => file.replace(/\.expected\.json$/, ''))
  .sort();

export function formFixtureHtml(name: string): string {
  return readFileSync(`${FORM_FIXTURES_DIR}${name}.html`, 'utf8');
}

export function formFixtureExpectation(name: string): FormFixtureExpectation {
  return JSON.parse(readFileSync(`${FORM_FIXTURES_DIR}${name}.expected.json`, 'utf8')) as FormFixtureExpectation;
}

/** The best form of a page (what the channel would fill); throws when the page has none. */
export function bestForm(html: string, pageUrl = 'https://acme.example/contact'): ParsedForm {
  const [form] = parseForms(html, pageUrl);
  if (!form) throw new Error(`no form on ${pageUrl}`);
  return form;
}

/** The best form of a fixture page, parsed as if served at `https://site.example/contact/`. */
export function bestFixtureForm(name: string): ParsedForm {
  return bestForm(formFixtureHtml(name), 'https://site.example/contact/');
}

export function fieldNamed(form: ParsedForm | undefined, name: string): FormField | undefined {
  return form?.fields.find((field) => field.name === name);
}

/** Each field's name with the role the parser gave it. */
export function fieldRoles(form: ParsedForm | undefined): Record<string, FieldRole> {
  return Object.fromEntries((form?.fields ?? []).map((field) => [field.name, field.role]));
}

/** The sender the contact-form tests fill forms with. */
export const TEST_CONTACT: ContactDetails = {
  name: 'Ada Lovelace',
  email: 'ada@analytical.example',
  company: 'Analytical Engines',
  phone: '+44 20 7946 0000',
  subject: 'Partnership',
  message: 'Hello,\nwould you like to talk next week?',
};

/** Assert that a page's best form is the one its `.expected.json` describes. */
export function expectFormAsExpected(form: ParsedForm | undefined, want: Partial<FormExpectation>): void {
  expect(form, 'a form was found').toBeDefined();
  if (want.action_endswith !== undefined) {
    expect(form?.action.endsWith(want.action_endswith), `action ${form?.action}`).toBe(true);
  }
  if (want.method !== undefined) expect(form?.method).toBe(want.method);
  if (want.enctype) expect(form?.enctype).toBe(want.enctype);
  const roles = Object.fromEntries(Object.keys(want.roles ?? {}).map((name) => [name, fieldNamed(form, name)?.role]));
  expect(roles).toEqual(want.roles ?? {});
  if (want.required) {
    const required = form?.fields.filter((field) => field.required).map((field) => field.name);
    expect(required?.sort()).toEqual([...want.required].sort());
  }
  for (const protection of want.protections_include ?? []) expect(form?.protections).toContain(protection);
  for (const protection of want.protections_exclude ?? []) expect(form?.protections).not.toContain(protection);
  if (want.submittable !== undefined) expect(form?.submittable, form?.reason).toBe(want.submittable);
}

/**
 * The real contact pages of `../shared/fixtures/forms-real/` (third-party markup: read in place, never copied
 * into the project). Their expectations may leave out what a careful reading could not settle, and a page
 * may instead say it has no contact form to submit at all.
 */
export const REAL_FORMS_DIR = fileURLToPath(new URL('../../../shared/fixtures/forms-real/', import.meta.url));

export interface RealFormExpectation {
  note: string;
  first_form?: Partial<FormExpectation>;
  no_submittable_contact_form?: boolean;
}

export const REAL_FORM_NAMES: readonly string[] = existsSync(REAL_FORMS_DIR)
  ? readdirSync(REAL_FORMS_DIR)
      .filter((file) => file.endsWith('.expected.json'))
      .map((file) => file.replace(/\.expected\.json$/, ''))
      .sort()
  : [];

export function realFormHtml(name: string): string {
  return readFileSync(`${REAL_FORMS_DIR}${name}.html`, 'utf8');
}

export function realFormExpectation(name: string): RealFormExpectation {
  return JSON.parse(readFileSync(`${REAL_FORMS_DIR}${name}.expected.json`, 'utf8')) as RealFormExpectation;
}

/** Where a real page is parsed as if served: its relative actions resolve against this (`…/<name>.html`). */
export function realFormPageUrl(name: string): string {
  return `https://real.example/forms-real/${name}.html`;
}

/**
 * Assert that a real page's best form is the one its `.expected.json` describes. Its `required` lists the
 * fields that must be found required: the pages mark more (Drupal Webform's AZIENDA *, Unbounce's Phone *
 * with `"required":true` in its script) than the careful reading wrote down, so more is not a failure.
 */
export function expectRealFormAsExpected(forms: ParsedForm[], want: RealFormExpectation): void {
  if (want.no_submittable_contact_form) {
    const submittable = forms.filter((form) => form.kind === 'contact' && form.submittable);
    expect(submittable.map((form) => form.action)).toEqual([]);
    return;
  }
  const { required, ...rest } = want.first_form ?? {};
  const [first] = forms;
  expectFormAsExpected(first, rest);
  const found = new Set(first?.fields.filter((field) => field.required).map((field) => field.name));
  expect(
    (required ?? []).filter((name) => !found.has(name)),
    'required fields not found required',
  ).toEqual([]);
}
