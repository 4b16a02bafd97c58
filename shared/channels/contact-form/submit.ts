import { CookieJar } from 'tough-cookie';
import type { ProviderVerdict } from '#shared/domain/outcome';
import type { Outcome, ReasonCode } from '#shared/domain/schemas';
import { OutboundRequestError } from '#shared/http/errors';
import type { OutboundResponse } from '#shared/http/outbound';
import { type FormFetchOptions, fetchPage, isOutboundBlocked, isUnknownHost } from './fetch';
import { BLOCKING_PROTECTIONS, type ParsedForm } from './form-model';
import { type Judgement, judgeResponse } from './judge-response';
import { parseForms } from './parse';
import { sendSubmission } from './send';
import {
  type ConsentPolicy,
  type ContactDetails,
  DEFAULT_CONSENT_POLICY,
  planSubmission,
  type SubmissionPlan,
} from './submission-plan';

/**
 * The contact-form channel's provider: fetch the page, pick its contact form, fill it as a person would
 * and judge the response (docs/product.md §2 CONTACT_FORM). Captchas are never bypassed.
 */

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

/** The form picked on the page, and the page's address after redirects. */
interface FormOnPage {
  form: ParsedForm;
  pageUrl: string;
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

/** Fetch the page and pick its contact form, or say why there is none to fill. */
async function loadContactForm(
  url: string,
  options: FormFetchOptions,
): Promise<{ found: FormOnPage } | { failed: SubmitContactFormResult }> {
  let page: OutboundResponse;
  try {
    page = await fetchPage(url, options);
  } catch (error) {
    return { failed: pageFailure(error) };
  }
  const statusFailure = pageStatusFailure(page.status);
  if (statusFailure) return { failed: statusFailure };
  const form = parseForms(page.body, page.url)[0];
  if (form?.kind !== 'contact') {
    return { failed: result('FALLBACK', 'form_unreachable', 'no contact form on the page', { pageUrl: page.url }) };
  }
  return { found: { form, pageUrl: page.url } };
}

/** A captcha or a script-made token: the form is left to a person, with a task that says where. */
function spamProtected({ form, pageUrl }: FormOnPage): SubmitContactFormResult | undefined {
  const guards = form.protections.filter((protection) => BLOCKING_PROTECTIONS.includes(protection));
  if (guards.length === 0) return undefined;
  const detail = `protected by ${guards.join(', ')}; not submitted`;
  return result('FALLBACK', 'form_spam_protected', detail, {
    form,
    pageUrl,
    manualTask: { reason: 'form_spam_protected', detail: `submit by hand (${guards.join(', ')}): ${pageUrl}` },
  });
}

/** A form the plan could not fill: a consent box only a person may tick opens a task; the rest fall back. */
function planFailure(plan: Extract<SubmissionPlan, { ok: false }>, found: FormOnPage): SubmitContactFormResult {
  const { form, pageUrl } = found;
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

/** The channel's result for a submission that went out: judged, or failed on the way. */
function sentResult(
  judgement: Judgement,
  found: FormOnPage,
  extra: Pick<ResultExtra, 'submitted' | 'blocked'>,
): SubmitContactFormResult {
  const full: ResultExtra = { delivered: judgement.delivered, ...extra, ...found };
  if (judgement.retryAfterSeconds !== undefined) full.retryAfterSeconds = judgement.retryAfterSeconds;
  return result(judgement.outcome, judgement.reason, judgement.detail, full);
}

/**
 * Fetch the page, pick its best contact form, fill it and submit it as the browser would, and judge the answer.
 * Captchas and script-inserted tokens are never worked around, nor a required consent box ticked without the
 * campaign's say-so: those end FALLBACK with a `manualTask` for a person.
 */
export async function submitContactForm(input: SubmitContactFormInput): Promise<SubmitContactFormResult> {
  const fetchOptions: FormFetchOptions = { timeoutMs: input.timeoutMs ?? 15_000, cookieJar: new CookieJar() };
  if (input.allowPrivateNetwork !== undefined) fetchOptions.allowPrivateNetwork = input.allowPrivateNetwork;
  const loaded = await loadContactForm(input.url, fetchOptions);
  if ('failed' in loaded) return loaded.failed;
  const { found } = loaded;
  const protectedResult = spamProtected(found);
  if (protectedResult) return protectedResult;
  const consentPolicy = input.consentPolicy ?? DEFAULT_CONSENT_POLICY;
  const plan = planSubmission(found.form, input.contact, { consentPolicy });
  if (!plan.ok) return planFailure(plan, found);
  if (input.dryRun) {
    // The verdict says SENT only so callers see the plan would go through; `dryRun` marks that nothing did,
    // and `cascade form submit --dry-run` reports it as the outcome DRY_RUN.
    const detail = `dry run: nothing sent (would ${found.form.method} to ${found.form.action})`;
    const dry = result('SENT', undefined, detail, { submitted: plan.fields, ...found });
    dry.dryRun = true;
    return dry;
  }
  const sent = await sendSubmission(found.form, plan.fields, found.pageUrl, fetchOptions);
  if ('failure' in sent) {
    const { blocked, ...failure } = sent.failure;
    // A request the site may have had reports the fields; one that surely went nowhere reports none.
    return sentResult(failure, found, failure.delivered ? { submitted: plan.fields } : { blocked });
  }
  return sentResult(judgeResponse(sent.response, found.form), found, { submitted: plan.fields });
}
