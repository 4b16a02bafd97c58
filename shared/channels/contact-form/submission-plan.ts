import { BLOCKING_PROTECTIONS, type FormField, type ParsedForm } from './form-model';

/**
 * What the channel would put in each control of a parsed form, filled as a person would; pure.
 * Honeypots stay empty, hidden fields keep their value, and a required consent box is ticked only when the
 * campaign says so.
 */

export interface ContactDetails {
  name: string;
  firstName?: string;
  lastName?: string;
  email: string;
  company?: string;
  phone?: string;
  subject?: string;
  message: string;
}

/**
 * What to do with a consent box the form requires ("I agree to the privacy policy"): tick it only when the
 * campaign says so (`tick_required`); otherwise (`skip`, the default) the form is left to a person.
 * Optional consent boxes are never ticked.
 */
export const CONSENT_POLICIES = ['tick_required', 'skip'] as const;
export type ConsentPolicy = (typeof CONSENT_POLICIES)[number];
export const DEFAULT_CONSENT_POLICY: ConsentPolicy = 'skip';

export function isConsentPolicy(value: unknown): value is ConsentPolicy {
  return typeof value === 'string' && (CONSENT_POLICIES as readonly string[]).includes(value);
}

export interface PlanOptions {
  consentPolicy?: ConsentPolicy;
}

export type PlanFailureReason =
  | 'form_spam_protected'
  | 'consent_required'
  | 'not_contact_form'
  | 'no_message_field'
  | 'unsupported_method'
  | 'file_upload_required'
  | 'content_too_long'
  | 'missing_value';

export type SubmissionPlan =
  | { ok: true; fields: Record<string, string>; reason?: undefined; detail?: undefined }
  | { ok: false; fields?: undefined; reason: PlanFailureReason; detail: string };

type PlanFailure = Extract<SubmissionPlan, { ok: false }>;

function fail(reason: PlanFailureReason, detail: string): PlanFailure {
  return { ok: false, reason, detail };
}

function splitName(contact: ContactDetails): { first: string; last: string } {
  const parts = contact.name.trim().split(/\s+/).filter(Boolean);
  return {
    first: contact.firstName?.trim() || parts[0] || '',
    last: contact.lastName?.trim() || parts.slice(1).join(' '),
  };
}

function defaultSubject(contact: ContactDetails): string {
  return contact.company ? `Message from ${contact.name} (${contact.company})` : `Message from ${contact.name}`;
}

const PREFERRED_OPTIONS = /sales|business|general|partner|enquir|inquir|contact|question|other/i;

function chooseOption(field: FormField, wanted: string | undefined): string | undefined {
  const options = (field.options ?? []).filter((option) => option.trim() !== '');
  if (wanted) {
    const exact = options.find((option) => option.toLowerCase() === wanted.toLowerCase());
    if (exact) return exact;
  }
  if (field.value) return field.value;
  return options.find((option) => PREFERRED_OPTIONS.test(option)) ?? options[0];
}

/** Why the form cannot be filled at all, before looking at its fields one by one. */
function formRefusal(form: ParsedForm): PlanFailure | undefined {
  if (form.protections.some((protection) => BLOCKING_PROTECTIONS.includes(protection))) {
    return fail('form_spam_protected', `form is protected by ${form.protections.join(', ')}`);
  }
  if (form.kind !== 'contact') return fail('not_contact_form', `form looks like a ${form.kind} form`);
  if (form.method === 'DIALOG') return fail('unsupported_method', 'form method is dialog');
  if (/^javascript:/i.test(form.action)) return fail('unsupported_method', 'form action is a script');
  if (form.reason === 'script_submitted') {
    return fail('unsupported_method', 'a page script sends this form (it has neither action nor method)');
  }
  if (!form.fields.some((field) => field.role === 'message')) {
    return fail('no_message_field', 'form has no field for the message');
  }
  return undefined;
}

/** The value of a control no role of the contact fills: what the page gives it, or what it cannot go without. */
function otherValue(field: FormField): string | undefined {
  switch (field.type) {
    case 'submit':
      return field.value ?? '';
    case 'select':
      return field.required ? chooseOption(field, undefined) : field.value;
    case 'radio':
      return field.checked
        ? field.value
        : field.required
          ? chooseOption({ ...field, value: undefined }, undefined)
          : undefined;
    case 'checkbox':
      // A required box that is not obviously consent still has to be ticked for the form to go through.
      return field.checked || field.required ? (field.value ?? 'on') : undefined;
    default:
      return field.value;
  }
}

/** A consent box the policy lets the channel fill (see `leftToAPerson` for the others). */
function consentValue(field: FormField): string | undefined {
  // A box the page pre-ticks goes as the browser would send it; an optional one stays unticked.
  return field.required || field.checked ? (field.value ?? 'on') : undefined;
}

/** A required consent box the campaign's policy does not let the channel tick. */
function leftToAPerson(field: FormField, policy: ConsentPolicy): boolean {
  return field.role === 'consent' && field.required && policy !== 'tick_required';
}

function subjectValue(field: FormField, contact: ContactDetails): string | undefined {
  if (field.type === 'select' || field.type === 'radio') return chooseOption(field, contact.subject);
  return contact.subject ?? defaultSubject(contact);
}

function roleValue(field: FormField, contact: ContactDetails): string | undefined {
  switch (field.role) {
    case 'hidden':
      return field.value ?? '';
    case 'honeypot':
      return '';
    case 'name':
      return contact.name;
    case 'first_name':
      return splitName(contact).first;
    case 'last_name':
      return splitName(contact).last;
    case 'email':
      return contact.email;
    case 'company':
      return contact.company;
    case 'phone':
      return contact.phone;
    case 'subject':
      return subjectValue(field, contact);
    case 'message':
      return contact.message;
    case 'consent':
      return consentValue(field);
    case 'other':
      return otherValue(field);
  }
}

/**
 * What goes in the request for one field: a string, `undefined` to leave it out as a browser would, or the
 * failure of the whole plan.
 */
function fieldEntry(field: FormField, value: string | undefined): string | undefined | PlanFailure {
  if (field.type === 'file') {
    if (field.required) return fail('file_upload_required', `field "${field.name}" requires a file`);
    value = '';
  }
  if (value === undefined || value === '') {
    if (field.required) return fail('missing_value', `required field "${field.name}" (${field.role}) has no value`);
    // Unchecked boxes and radios are not submitted at all; empty text controls are.
    if (field.type === 'checkbox' || field.type === 'radio' || (field.type === 'select' && value === undefined)) {
      return undefined;
    }
    return '';
  }
  if (field.maxLength !== undefined && value.length > field.maxLength && field.role !== 'hidden') {
    const reason = field.role === 'message' ? 'content_too_long' : 'missing_value';
    return fail(reason, `field "${field.name}" allows ${field.maxLength} characters, got ${value.length}`);
  }
  return value;
}

/** What the channel would put in each control; pure. Honeypots stay empty, hidden fields keep their value. */
export function planSubmission(form: ParsedForm, contact: ContactDetails, options: PlanOptions = {}): SubmissionPlan {
  const refusal = formRefusal(form);
  if (refusal) return refusal;
  const policy = options.consentPolicy ?? DEFAULT_CONSENT_POLICY;
  const fields: Record<string, string> = {};
  const consentNeeded: FormField[] = [];
  for (const field of form.fields) {
    if (leftToAPerson(field, policy)) {
      consentNeeded.push(field);
      continue;
    }
    const entry = fieldEntry(field, roleValue(field, contact));
    if (typeof entry === 'object') return entry;
    if (entry !== undefined && !(field.name in fields)) fields[field.name] = entry;
  }
  if (consentNeeded.length > 0) {
    const boxes = consentNeeded.map((field) => `"${field.label ?? field.name}"`).join(', ');
    return fail('consent_required', `the form requires ticking ${boxes}; the campaign's consent policy is skip`);
  }
  return { ok: true, fields };
}
