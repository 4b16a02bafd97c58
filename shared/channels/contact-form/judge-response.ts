import { type CheerioAPI, load } from 'cheerio/slim';
import type { Outcome, ReasonCode } from '#shared/domain/schemas';
import type { OutboundResponse } from '#shared/http/outbound';
import { withoutFragment } from './fetch';
import type { ParsedForm } from './form-model';
import { parseForms } from './parse';

/**
 * Judging the site's answer to a submission; pure. In order: the HTTP status, a JSON answer (Contact Form 7's
 * REST answer, Formspree…), the builders' own success and error blocks, the page's wording, the address it
 * landed on, and last whether the same form came back with nothing said.
 */

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

/** Messages the common form builders render after a post. */
const ERROR_BLOCKS =
  '.wpcf7-not-valid-tip, .wpcf7-not-valid, .gfield_error .validation_message, .gfield_error, .wpforms-error, .wpforms-error-container, .wpcf7-form.invalid .wpcf7-response-output, .wpcf7-form.failed .wpcf7-response-output, .wpcf7-form.spam .wpcf7-response-output, .wpcf7-form.unaccepted .wpcf7-response-output, .gform_validation_errors, .validation_error, .validation_message, .alert-danger, .alert-error, .error-message, .form-error, .errors, .errorlist, .invalid-feedback, [role="alert"]';
const SUCCESS_BLOCKS =
  '.wpcf7-form.sent .wpcf7-response-output, .gform_confirmation_message, .gform_confirmation_wrapper, .wpforms-confirmation-container, .wpforms-confirmation-container-full, .alert-success, .success-message, .form-success, [role="status"]';
/** Builders mark the controls they refused even when the message itself is empty or rendered by a script. */
const INVALID_MARKERS = '.wpcf7-not-valid, .gfield_error, .gform_validation_error, .wpforms-error, .validation_error';
/** Form labels and options say "required", "Subject"…: left out of the page's wording. */
const FORM_WORDING = 'label, legend, option, select, textarea, button, .gfield_description, .gform_required_legend';

function verdictText(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 200);
}

function rejected(detail: string): Judgement {
  return { outcome: 'FALLBACK', reason: 'form_rejected', delivered: false, detail };
}

function sent(detail: string): Judgement {
  return { outcome: 'SENT', delivered: true, detail };
}

function ambiguous(detail: string): Judgement {
  return { outcome: 'STOP', reason: 'ambiguous_send', delivered: true, detail };
}

/** Statuses that settle the answer whatever the body says. */
function judgeStatus(response: OutboundResponse): Judgement | undefined {
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
  return undefined;
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
  if (status && CF7_SENT.has(status)) return sent(message || status);
  if (status && CF7_REJECTED.has(status)) return rejected(message || status);
  const errors = record.errors ?? record.error;
  if (record.ok === false || record.success === false || (errors && !(Array.isArray(errors) && errors.length === 0))) {
    return rejected(message || verdictText(JSON.stringify(errors ?? record)));
  }
  if (record.ok === true || record.success === true || record.next !== undefined || status === 'success') {
    return sent(message || 'accepted');
  }
  return undefined;
}

function blockTexts($: CheerioAPI, selector: string): string[] {
  return $(selector)
    .toArray()
    .map((el) => verdictText($(el).text()))
    .filter(Boolean);
}

/** The builders' own verdict: their success and error blocks, CF7's `data-status`, refused controls. */
function judgeBuilderMarkup($: CheerioAPI, status: number): Judgement | undefined {
  const errorBlocks = blockTexts($, ERROR_BLOCKS);
  const successBlocks = blockTexts($, SUCCESS_BLOCKS);
  const cf7Status = $('form.wpcf7-form').attr('data-status');
  const invalidMarker = $(INVALID_MARKERS).first();
  if (status >= 400) {
    const detail = errorBlocks[0] ?? (verdictText($('body').text()) || `HTTP ${status}`);
    return rejected(`HTTP ${status}: ${detail}`);
  }
  if (cf7Status === 'sent' || successBlocks.some((text) => SUCCESS_WORDS.test(text))) {
    return sent(successBlocks[0] ?? 'mail_sent');
  }
  if (
    errorBlocks.length > 0 ||
    invalidMarker.length > 0 ||
    (cf7Status && cf7Status !== 'init' && cf7Status !== 'resetting')
  ) {
    return rejected(errorBlocks[0] ?? cf7Status ?? `invalid: ${invalidMarker.attr('class') ?? ''}`.trim());
  }
  return undefined;
}

/** The visible wording of the page: thanks, an error, or (both at once) no telling. */
function judgeWording($: CheerioAPI): Judgement | undefined {
  const page = $.root().clone();
  page.find(FORM_WORDING).remove();
  const text = page.text().replace(/\s+/g, ' ');
  const successMatch = text.match(SUCCESS_WORDS);
  const errorMatch = text.match(ERROR_WORDS);
  if (errorMatch && successMatch) {
    return ambiguous(`both "${successMatch[0]}" and "${errorMatch[0]}" on the response page`);
  }
  if (errorMatch) return rejected(errorMatch[0]);
  if (successMatch) return sent(successMatch[0]);
  return undefined;
}

/** Nothing said either way: a thank-you address is a yes, the same form shown again a maybe. */
function judgeLanding(response: OutboundResponse, form: ParsedForm): Judgement {
  const action = withoutFragment(form.action);
  const landed = new URL(response.url);
  if (landed.href !== action.href && THANK_YOU_URL.test(landed.pathname + landed.search)) {
    return sent(`redirected to ${landed.pathname}`);
  }
  // The same form shown again with no message either way: it may or may not have been taken.
  const names = new Set(form.fields.filter((field) => field.role !== 'hidden').map((field) => field.name));
  const again = parseForms(response.body, response.url).some(
    (candidate) => candidate.kind === 'contact' && candidate.fields.some((field) => names.has(field.name)),
  );
  if (again) return ambiguous('form shown again without a message');
  return sent(`HTTP ${response.status} without error`);
}

/** Judge the response to a submission; pure. `form` is the form that was submitted. */
export function judgeResponse(response: OutboundResponse, form: ParsedForm): Judgement {
  const byStatus = judgeStatus(response);
  if (byStatus) return byStatus;
  const { status } = response;
  const json = (response.headers['content-type'] ?? '').includes('json') || /^\s*[[{]/.test(response.body);
  const fromJson = json ? judgeJson(response.body) : undefined;
  if (fromJson) return status >= 400 && fromJson.outcome === 'SENT' ? rejected(`HTTP ${status}`) : fromJson;
  const $ = load(response.body);
  $('script, style, noscript, template').remove();
  return judgeBuilderMarkup($, status) ?? judgeWording($) ?? judgeLanding(response, form);
}
