import { readdirSync, readFileSync } from 'node:fs';
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

export interface FormFixtureExpectation {
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
export function expectFormAsExpected(form: ParsedForm | undefined, want: FormFixtureExpectation['first_form']): void {
  expect(form, 'a form was found').toBeDefined();
  expect(form?.action.endsWith(want.action_endswith), `action ${form?.action}`).toBe(true);
  expect(form?.method).toBe(want.method);
  if (want.enctype) expect(form?.enctype).toBe(want.enctype);
  const roles = Object.fromEntries(Object.keys(want.roles).map((name) => [name, fieldNamed(form, name)?.role]));
  expect(roles).toEqual(want.roles);
  const required = form?.fields.filter((field) => field.required).map((field) => field.name);
  expect(required?.sort()).toEqual([...want.required].sort());
  for (const protection of want.protections_include ?? []) expect(form?.protections).toContain(protection);
  for (const protection of want.protections_exclude ?? []) expect(form?.protections).not.toContain(protection);
  expect(form?.submittable).toBe(want.submittable);
}
