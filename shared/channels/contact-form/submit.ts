import { randomBytes } from 'node:crypto';
import { load } from 'cheerio/slim';
import { CookieJar } from 'tough-cookie';
import type { ProviderVerdict } from '#shared/domain/outcome';
import type { Outcome, ReasonCode } from '#shared/domain/schemas';
import { OutboundRequestError, type OutboundResponse, outboundRequest } from '#shared/http/outbound';
import { type FormFetchOptions, fetchPage, guardedInit, isOutboundBlocked, isUnknownHost } from './fetch';
import { BLOCKING_PROTECTIONS, type FormField, type ParsedForm, parseForms } from './parse';

/**
 * The contact-form channel's provider: fetch the page, pick its contact form, fill it as a person would
 * and judge the response (docs/product.md §2 CONTACT_FORM). Captchas are never bypassed.
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

function fail(reason: PlanFailureReason, detail: string): SubmissionPlan {
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

/** What the channel would put in each control; pure. Honeypots stay empty, hidden fields keep their value. */
export function planSubmission(form: ParsedForm, contact: ContactDetails, options: PlanOptions = {}): SubmissionPlan {
  const consentPolicy = options.consentPolicy ?? DEFAULT_CONSENT_POLICY;
  if (form.protections.some((protection) => BLOCKING_PROTECTIONS.includes(protection))) {
    return fail('form_spam_protected', `form is protected by ${form.protections.join(', ')}`);
  }
  if (form.kind !== 'contact') return fail('not_contact_form', `form looks like a ${form.kind} form`);
  if (form.method === 'DIALOG') return fail('unsupported_method', 'form method is dialog');
  if (!form.fields.some((field) => field.role === 'message')) {
    return fail('no_message_field', 'form has no field for the message');
  }

  const { first, last } = splitName(contact);
  const fields: Record<string, string> = {};
  const consentNeeded: FormField[] = [];

  for (const field of form.fields) {
    let value: string | undefined;
    switch (field.role) {
      case 'hidden':
        value = field.value ?? '';
        break;
      case 'honeypot':
        value = '';
        break;
      case 'name':
        value = contact.name;
        break;
      case 'first_name':
        value = first;
        break;
      case 'last_name':
        value = last;
        break;
      case 'email':
        value = contact.email;
        break;
      case 'company':
        value = contact.company;
        break;
      case 'phone':
        value = contact.phone;
        break;
      case 'subject':
        value =
          field.type === 'select' || field.type === 'radio'
            ? chooseOption(field, contact.subject)
            : (contact.subject ?? defaultSubject(contact));
        break;
      case 'message':
        value = contact.message;
        break;
      case 'consent':
        if (field.required && consentPolicy !== 'tick_required') {
          consentNeeded.push(field);
          continue;
        }
        // A box the page pre-ticks goes as the browser would send it; an optional one stays unticked.
        value = field.required || field.checked ? (field.value ?? 'on') : undefined;
        break;
      case 'other':
        value = otherValue(field);
        break;
    }
    if (field.type === 'file') {
      if (field.required) return fail('file_upload_required', `field "${field.name}" requires a file`);
      value = '';
    }
    if (value === undefined || value === '') {
      if (field.required) return fail('missing_value', `required field "${field.name}" (${field.role}) has no value`);
      // Unchecked boxes and radios are not submitted at all; empty text controls are.
      if (field.type === 'checkbox' || field.type === 'radio' || (field.type === 'select' && value === undefined)) {
        continue;
      }
      value = '';
    }
    if (field.maxLength !== undefined && value.length > field.maxLength && field.role !== 'hidden') {
      const reason = field.role === 'message' ? 'content_too_long' : 'missing_value';
      return fail(reason, `field "${field.name}" allows ${field.maxLength} characters, got ${value.length}`);
    }
    if (!(field.name in fields)) fields[field.name] = value;
  }
  if (consentNeeded.length > 0) {
    const boxes = consentNeeded.map((field) => `"${field.label ?? field.name}"`).join(', ');
    return fail('consent_required', `the form requires ticking ${boxes}; the campaign's consent policy is skip`);
  }
  return { ok: true, fields };
}

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

// ---------------------------------------------------------------------------------------------------------
// Encoding

export interface EncodedSubmission {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

function withoutFragment(url: string): URL {
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed;
}

/** Encode the fields the way a browser submits the form (method and enctype). */
export function encodeSubmission(
  form: ParsedForm,
  fields: Record<string, string>,
  boundary?: string,
): EncodedSubmission {
  const target = withoutFragment(form.action);
  const params = new URLSearchParams(Object.entries(fields));
  if (form.method !== 'POST') {
    target.search = params.toString();
    return { url: target.href, method: 'GET', headers: {} };
  }
  if (form.enctype === 'multipart/form-data') {
    const mark = boundary ?? `----CascadeFormBoundary${randomBytes(12).toString('hex')}`;
    const quoteName = (name: string) => name.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    const parts = Object.entries(fields).map(
      ([name, value]) =>
        `--${mark}\r\nContent-Disposition: form-data; name="${quoteName(name)}"\r\n\r\n${value.replace(/\r?\n/g, '\r\n')}\r\n`,
    );
    return {
      url: target.href,
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${mark}` },
      body: `${parts.join('')}--${mark}--\r\n`,
    };
  }
  if (form.enctype === 'text/plain') {
    const body = Object.entries(fields)
      .map(([name, value]) => `${name}=${value}\r\n`)
      .join('');
    return { url: target.href, method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body };
  }
  return {
    url: target.href,
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: params.toString(),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Judging the response

export interface Judgement {
  outcome: Outcome;
  reason?: ReasonCode;
  delivered: boolean;
  detail: string;
  retryAfterSeconds?: number;
}

const SUCCESS_WORDS =
  /thank(s| you)\b|message (has been|was|is) (sent|received|delivered)|successfully (sent|submitted|received)|(we|we'll|we will) (be in touch|get back|respond|contact you)|received your (message|inquiry|enquiry|request|submission)|submission (was )?(received|successful)|your (message|request|inquiry|enquiry) (has been|was) (sent|received|submitted)|merci|danke|gracias/i;
const ERROR_WORDS =
  /one or more fields have an error|there (was|were|is|are) (an |some )?(error|problem)s?|please (correct|fix|fill (in|out)|enter|complete|check|verify)|(field|this) is required|is a required field|required field(s)? (is|are)? ?missing|is invalid|invalid (e-?mail|email|phone|value|input|entry)|failed to send|could not be (sent|submitted|processed)|couldn't be sent|(was|has been) (flagged|rejected|blocked|marked) as spam|spam detected|verify (that )?you are (not a robot|human)|captcha (is )?(invalid|incorrect|failed|required|missing)|submission (failed|rejected)|an error occurred|something went wrong|try again later/i;
const THANK_YOU_URL = /thank|thanks|success|merci|danke|confirm|submitted|sent|received/i;
const CF7_SENT = new Set(['mail_sent']);
const CF7_REJECTED = new Set(['validation_failed', 'spam', 'mail_failed', 'aborted', 'acceptance_missing', 'invalid']);

function verdictText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

function judgeJson(body: string): Judgement | undefined {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!data || typeof data !== 'object') return undefined;
  const record = data as Record<string, unknown>;
  const message = typeof record.message === 'string' ? record.message : '';
  const status = typeof record.status === 'string' ? record.status : undefined;
  if (status && CF7_SENT.has(status)) return { outcome: 'SENT', delivered: true, detail: message || status };
  if (status && CF7_REJECTED.has(status)) {
    return { outcome: 'FALLBACK', reason: 'form_rejected', delivered: false, detail: message || status };
  }
  const errors = record.errors ?? record.error;
  if (record.ok === false || record.success === false || (errors && !(Array.isArray(errors) && errors.length === 0))) {
    return {
      outcome: 'FALLBACK',
      reason: 'form_rejected',
      delivered: false,
      detail: message || verdictText(JSON.stringify(errors ?? record)),
    };
  }
  if (record.ok === true || record.success === true || record.next !== undefined || status === 'success') {
    return { outcome: 'SENT', delivered: true, detail: message || 'accepted' };
  }
  return undefined;
}

/** Judge the response to a submission; pure. `form` is the form that was submitted. */
export function judgeResponse(response: OutboundResponse, form: ParsedForm): Judgement {
  const { status } = response;
  if (status === 429) {
    const retryAfter = Number.parseInt(response.headers['retry-after'] ?? '', 10);
    const judgement: Judgement = {
      outcome: 'RETRY',
      reason: 'provider_throttled',
      delivered: false,
      detail: 'HTTP 429',
    };
    if (Number.isFinite(retryAfter)) judgement.retryAfterSeconds = retryAfter;
    return judgement;
  }
  if (status >= 500) return { outcome: 'RETRY', reason: 'provider_error', delivered: false, detail: `HTTP ${status}` };
  if (status === 404 || status === 410) {
    return { outcome: 'FALLBACK', reason: 'form_unreachable', delivered: false, detail: `HTTP ${status}` };
  }

  const json = (response.headers['content-type'] ?? '').includes('json') || /^\s*[[{]/.test(response.body);
  const fromJson = json ? judgeJson(response.body) : undefined;
  if (fromJson) {
    if (status >= 400 && fromJson.outcome === 'SENT') {
      return { outcome: 'FALLBACK', reason: 'form_rejected', delivered: false, detail: `HTTP ${status}` };
    }
    return fromJson;
  }

  const $ = load(response.body);
  $('script, style, noscript, template').remove();
  // Messages the common form builders render after a post.
  const errorBlocks = $(
    '.wpcf7-not-valid-tip, .wpcf7-not-valid, .gfield_error .validation_message, .gfield_error, .wpforms-error, .wpforms-error-container, .wpcf7-form.invalid .wpcf7-response-output, .wpcf7-form.failed .wpcf7-response-output, .wpcf7-form.spam .wpcf7-response-output, .wpcf7-form.unaccepted .wpcf7-response-output, .gform_validation_errors, .validation_error, .validation_message, .alert-danger, .alert-error, .error-message, .form-error, .errors, .errorlist, .invalid-feedback, [role="alert"]',
  )
    .toArray()
    .map((el) => verdictText($(el).text()))
    .filter(Boolean);
  const successBlocks = $(
    '.wpcf7-form.sent .wpcf7-response-output, .gform_confirmation_message, .gform_confirmation_wrapper, .wpforms-confirmation-container, .wpforms-confirmation-container-full, .alert-success, .success-message, .form-success, [role="status"]',
  )
    .toArray()
    .map((el) => verdictText($(el).text()))
    .filter(Boolean);
  const cf7Status = $('form.wpcf7-form').attr('data-status');
  // Builders mark the controls they refused even when the message itself is empty or rendered by a script.
  const invalidMarker = $(
    '.wpcf7-not-valid, .gfield_error, .gform_validation_error, .wpforms-error, .validation_error',
  ).first();

  if (status >= 400) {
    const detail = errorBlocks[0] ?? (verdictText($('body').text()) || `HTTP ${status}`);
    return { outcome: 'FALLBACK', reason: 'form_rejected', delivered: false, detail: `HTTP ${status}: ${detail}` };
  }
  if (cf7Status === 'sent' || successBlocks.some((text) => SUCCESS_WORDS.test(text))) {
    return { outcome: 'SENT', delivered: true, detail: successBlocks[0] ?? 'mail_sent' };
  }
  if (
    errorBlocks.length > 0 ||
    invalidMarker.length > 0 ||
    (cf7Status && cf7Status !== 'init' && cf7Status !== 'resetting')
  ) {
    return {
      outcome: 'FALLBACK',
      reason: 'form_rejected',
      delivered: false,
      detail: errorBlocks[0] ?? cf7Status ?? `invalid: ${invalidMarker.attr('class') ?? ''}`.trim(),
    };
  }

  // Visible wording of the page, leaving out form labels and options (they say "required", "Subject"…).
  const page = $.root().clone();
  page.find('label, legend, option, select, textarea, button, .gfield_description, .gform_required_legend').remove();
  const text = page.text().replace(/\s+/g, ' ');
  const successMatch = text.match(SUCCESS_WORDS);
  const errorMatch = text.match(ERROR_WORDS);
  if (errorMatch && successMatch) {
    return {
      outcome: 'STOP',
      reason: 'ambiguous_send',
      delivered: true,
      detail: `both "${successMatch[0]}" and "${errorMatch[0]}" on the response page`,
    };
  }
  if (errorMatch) return { outcome: 'FALLBACK', reason: 'form_rejected', delivered: false, detail: errorMatch[0] };
  if (successMatch) return { outcome: 'SENT', delivered: true, detail: successMatch[0] };

  const action = withoutFragment(form.action);
  const landed = new URL(response.url);
  if (landed.href !== action.href && THANK_YOU_URL.test(landed.pathname + landed.search)) {
    return { outcome: 'SENT', delivered: true, detail: `redirected to ${landed.pathname}` };
  }
  // The same form shown again with no message either way: it may or may not have been taken.
  const names = new Set(form.fields.filter((field) => field.role !== 'hidden').map((field) => field.name));
  const again = parseForms(response.body, response.url).some(
    (candidate) => candidate.kind === 'contact' && candidate.fields.some((field) => names.has(field.name)),
  );
  if (again) {
    return { outcome: 'STOP', reason: 'ambiguous_send', delivered: true, detail: 'form shown again without a message' };
  }
  return { outcome: 'SENT', delivered: true, detail: `HTTP ${status} without error` };
}

// ---------------------------------------------------------------------------------------------------------
// The channel step

export interface SubmitContactFormInput extends FormFetchOptions {
  url: string;
  contact: ContactDetails;
  /** Fill the form and report what would be sent, without sending it. */
  dryRun?: boolean;
  /** Whether a required consent box may be ticked (the campaign's choice); default `skip`. */
  consentPolicy?: ConsentPolicy;
}

/** Why an operator has to finish a submission by hand. */
export type ManualFormReason = 'form_spam_protected' | 'form_consent_required';

export interface SubmitContactFormResult {
  outcome: Outcome;
  reason?: ReasonCode;
  detail: string;
  /** The fields sent (or, with dryRun, that would be sent); empty when nothing was submitted. */
  submitted: Record<string, string>;
  verdict: ProviderVerdict;
  form?: ParsedForm;
  /** The page URL after redirects. */
  pageUrl?: string;
  dryRun?: boolean;
  /** The form cannot be sent automatically but a person could send it: the message is SKIPPED, a task opened. */
  manualTask?: { reason: ManualFormReason; detail: string };
  /** The outbound guard refused the page or the form's target (a private address): nothing was sent. */
  blocked?: string;
}

interface ResultExtra {
  delivered?: boolean;
  submitted?: Record<string, string>;
  form?: ParsedForm;
  pageUrl?: string;
  retryAfterSeconds?: number;
  manualTask?: SubmitContactFormResult['manualTask'];
  blocked?: string;
}

function result(
  outcome: Outcome,
  reason: ReasonCode | undefined,
  detail: string,
  extra: ResultExtra = {},
): SubmitContactFormResult {
  const verdict: ProviderVerdict = { outcome, delivered: extra.delivered ?? false, detail };
  if (reason) verdict.reason = reason;
  if (extra.retryAfterSeconds !== undefined) verdict.retryAfterSeconds = extra.retryAfterSeconds;
  const out: SubmitContactFormResult = { outcome, detail, submitted: extra.submitted ?? {}, verdict };
  if (reason) out.reason = reason;
  if (extra.form) out.form = extra.form;
  if (extra.pageUrl) out.pageUrl = extra.pageUrl;
  if (extra.manualTask) out.manualTask = extra.manualTask;
  if (extra.blocked) out.blocked = extra.blocked;
  return out;
}

/** A page fetch that did not give a page: what the channel does about it. */
function pageFailure(error: unknown): SubmitContactFormResult {
  const message = (error as Error).message;
  if (isOutboundBlocked(error)) {
    return result('FALLBACK', 'form_unreachable', `form page refused: ${message}`, { blocked: message });
  }
  // Nothing was submitted yet, so a network failure is safe to try again later; a host that does not exist is not.
  if (error instanceof OutboundRequestError && !isUnknownHost(error)) {
    return result('RETRY', 'provider_error', `form page: ${message}`);
  }
  return result('FALLBACK', 'form_unreachable', `form page: ${message}`);
}

function pageStatusFailure(status: number): SubmitContactFormResult | undefined {
  if (status === 429) return result('RETRY', 'provider_throttled', 'form page: HTTP 429');
  if (status >= 500) return result('RETRY', 'provider_error', `form page: HTTP ${status}`);
  if (status >= 300) return result('FALLBACK', 'form_unreachable', `form page: HTTP ${status}`);
  return undefined;
}

export interface FormPageInspection {
  /** The page URL after redirects (relative actions are resolved against it). */
  url: string;
  status: number;
  /** Best contact-form candidate first. */
  forms: ParsedForm[];
}

/** Fetch a page and parse its forms (`cascade form inspect`). Throws when the page cannot be fetched. */
export async function inspectFormPage(url: string, options: FormFetchOptions = {}): Promise<FormPageInspection> {
  const page = await fetchPage(url, options);
  return { url: page.url, status: page.status, forms: page.status < 300 ? parseForms(page.body, page.url) : [] };
}

/**
 * Fetch the page, pick its best contact form, fill it and submit it as the browser would, and judge the answer.
 * Captchas and script-inserted tokens are never worked around, nor a required consent box ticked without the
 * campaign's say-so: those end FALLBACK with a `manualTask` for a person.
 */
export async function submitContactForm(input: SubmitContactFormInput): Promise<SubmitContactFormResult> {
  const fetchOptions: FormFetchOptions = { timeoutMs: input.timeoutMs ?? 15_000, cookieJar: new CookieJar() };
  if (input.allowPrivateNetwork !== undefined) fetchOptions.allowPrivateNetwork = input.allowPrivateNetwork;
  let page: OutboundResponse;
  try {
    page = await fetchPage(input.url, fetchOptions);
  } catch (error) {
    return pageFailure(error);
  }
  const statusFailure = pageStatusFailure(page.status);
  if (statusFailure) return statusFailure;
  const pageUrl = page.url;

  const form = parseForms(page.body, page.url)[0];
  if (form?.kind !== 'contact') {
    return result('FALLBACK', 'form_unreachable', 'no contact form on the page', { pageUrl });
  }
  const guards = form.protections.filter((protection) => BLOCKING_PROTECTIONS.includes(protection));
  if (guards.length > 0) {
    const detail = `protected by ${guards.join(', ')}; not submitted`;
    return result('FALLBACK', 'form_spam_protected', detail, {
      form,
      pageUrl,
      manualTask: { reason: 'form_spam_protected', detail: `submit by hand (${guards.join(', ')}): ${pageUrl}` },
    });
  }
  const plan = planSubmission(form, input.contact, { consentPolicy: input.consentPolicy ?? DEFAULT_CONSENT_POLICY });
  if (!plan.ok) {
    if (plan.reason === 'consent_required') {
      return result('FALLBACK', 'manual_task_created', `consent_required: ${plan.detail}`, {
        form,
        pageUrl,
        manualTask: { reason: 'form_consent_required', detail: `${plan.detail}; submit by hand: ${pageUrl}` },
      });
    }
    const reason: ReasonCode =
      plan.reason === 'content_too_long'
        ? 'content_too_long'
        : plan.reason === 'missing_value'
          ? 'form_rejected'
          : 'form_unreachable';
    return result('FALLBACK', reason, `${plan.reason}: ${plan.detail}`, { form, pageUrl });
  }
  if (input.dryRun) {
    const dry = result('SENT', undefined, 'dry run: nothing sent', { submitted: plan.fields, form, pageUrl });
    dry.dryRun = true;
    return dry;
  }

  const encoded = encodeSubmission(form, plan.fields);
  const origin = new URL(pageUrl);
  const headers: Record<string, string> = {
    ...encoded.headers,
    accept: 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8',
    referer: pageUrl,
    origin: origin.origin,
  };

  let response: OutboundResponse;
  try {
    response = await outboundRequest(
      encoded.url,
      guardedInit(
        {
          method: encoded.method,
          headers,
          ...(encoded.body !== undefined ? { body: encoded.body } : {}),
          maxRedirects: 5,
        },
        fetchOptions,
      ),
    );
  } catch (error) {
    const message = (error as Error).message;
    if (isOutboundBlocked(error)) {
      // Refused at the form's target: nothing left. Refused on a redirect after the post: the site had it.
      const refusedUrl = (error as { url?: string }).url;
      if (refusedUrl && refusedUrl !== encoded.url) {
        return result('STOP', 'ambiguous_send', `submission redirected to a refused address: ${message}`, {
          delivered: true,
          submitted: plan.fields,
          form,
          pageUrl,
        });
      }
      return result('FALLBACK', 'form_unreachable', `submission refused: ${message}`, {
        form,
        pageUrl,
        blocked: message,
      });
    }
    if (!(error instanceof OutboundRequestError)) {
      return result('FALLBACK', 'form_unreachable', `submission: ${message}`, { form, pageUrl });
    }
    if (!error.maybeDelivered) return result('RETRY', 'provider_error', `submission: ${message}`, { form, pageUrl });
    // The request may have reached the site: sending again could reach the lead twice.
    return result('STOP', 'ambiguous_send', `submission: ${message}`, {
      delivered: true,
      submitted: plan.fields,
      form,
      pageUrl,
    });
  }
  const judgement = judgeResponse(response, form);
  const extra: ResultExtra = { delivered: judgement.delivered, submitted: plan.fields, form, pageUrl };
  if (judgement.retryAfterSeconds !== undefined) extra.retryAfterSeconds = judgement.retryAfterSeconds;
  return result(judgement.outcome, judgement.reason, judgement.detail, extra);
}
