import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { serveOnLoopback } from '../loopback';
import {
  CF7_FORM_ID,
  CF7_UNIT_TAG,
  cf7Page,
  companyFromHost,
  consentPage,
  escapeHtml,
  homePage,
  honeypotPage,
  layout,
  notFoundPage,
  protectedPage,
  thankYouPage,
} from './pages';

/**
 * Company websites for local runs: answers for any `*.example` host (requests arrive through
 * `CASCADE_CONNECT_TO="*.example=http://127.0.0.1:PORT"` with their original Host header).
 *
 * - `/`                  home page with a nav link to Contact
 * - `/contact`           Contact Form 7-like form (hidden `_wpcf7*` fields, an optional consent box); HTML or JSON answer
 * - `/contact-honeypot`  form with a hidden `website` honeypot; a filled honeypot is rejected as spam
 * - `/contact-protected` form behind a reCAPTCHA widget; rejected without a valid `g-recaptcha-response`
 * - `/contact-consent`   form with a required privacy-policy box; rejected unless it is ticked
 * - `/contact-unavailable` answers 503 (a site that is down)
 * - anything else        404
 */

export interface SiteSubmission {
  host: string;
  path: string;
  fields: Record<string, string>;
  at: string;
}

type RejectionReason = 'validation_failed' | 'spam_honeypot' | 'captcha_missing' | 'consent_missing' | 'unknown_form';

export interface RejectedSiteSubmission extends SiteSubmission {
  status: number;
  reason: RejectionReason;
}

export interface SiteSandbox {
  url: string;
  port: number;
  /** Accepted submissions, oldest first. */
  submissions: SiteSubmission[];
  /** Submissions the site turned down (validation, honeypot, captcha). */
  rejected: RejectedSiteSubmission[];
  clear(): void;
  close(): Promise<void>;
}

/** The only `g-recaptcha-response` the protected form accepts (a real browser would get one from Google). */
export const SITE_SANDBOX_RECAPTCHA_TOKEN = 'sandbox-recaptcha-token-solved-by-a-human';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** One submission: where it went and what was in it; the sandbox records it as accepted or rejected. */
interface Submission {
  host: string;
  path: string;
  fields: Record<string, string>;
  company: string;
}

type Judge = {
  accept(submission: Submission): void;
  reject(submission: Submission, reason: RejectionReason): void;
};

/**
 * A plain HTML contact form: the site's own protection is checked first (honeypot, captcha, consent), then
 * the required fields; an accepted submission gets the thank-you page (or, for the honeypot form, a redirect).
 */
interface PlainForm {
  page: (company: string, errors?: string[]) => string;
  /** What the site turns down before validating, with what it says. */
  protection: (fields: Record<string, string>) => { reason: RejectionReason; error: string } | undefined;
  required: string[];
  missingError: (name: string) => string;
  /** The form's hidden identification (a submission without it is invalid, with no field named). */
  identified?: (fields: Record<string, string>) => boolean;
  redirectToThankYou?: boolean;
}

const PLAIN_FORMS: Record<string, PlainForm> = {
  '/contact-honeypot': {
    page: honeypotPage,
    protection: (fields) =>
      fields.website
        ? { reason: 'spam_honeypot', error: 'Your message was flagged as spam and was not sent.' }
        : undefined,
    required: ['first_name', 'last_name', 'email', 'message'],
    missingError: (name) => `${name.replace('_', ' ')} is required.`,
    identified: (fields) => fields.form_id === 'sales-contact',
    redirectToThankYou: true,
  },
  '/contact-protected': {
    page: protectedPage,
    protection: (fields) =>
      fields['g-recaptcha-response'] !== SITE_SANDBOX_RECAPTCHA_TOKEN
        ? { reason: 'captcha_missing', error: 'Please verify that you are not a robot.' }
        : undefined,
    required: ['name', 'email', 'message'],
    missingError: (name) => `The ${name} field is required.`,
  },
  '/contact-consent': {
    page: consentPage,
    protection: (fields) =>
      fields.gdpr !== 'agreed' ? { reason: 'consent_missing', error: 'Please accept the privacy policy.' } : undefined,
    required: ['name', 'email', 'message'],
    missingError: (name) => `The ${name} field is required.`,
  },
};

/** The pages a GET (or HEAD) answers with 200, by path. */
const PAGES: Record<string, (company: string) => string> = {
  '/': homePage,
  '/contact': (company) => cf7Page(company, 'init', '', {}),
  '/contact-honeypot': (company) => honeypotPage(company),
  '/contact-protected': (company) => protectedPage(company),
  '/contact-consent': (company) => consentPage(company),
  '/thank-you': thankYouPage,
};

const CF7_FEEDBACK_PATH = `/wp-json/contact-form-7/v1/contact-forms/${CF7_FORM_ID}/feedback`;

async function readFields(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const contentType = req.headers['content-type'] ?? '';
  const fields: Record<string, string> = {};
  if (!contentType.includes('multipart/form-data') && !contentType.includes('application/x-www-form-urlencoded')) {
    return fields;
  }
  // The platform's own parser (undici) handles both encodings like a web framework would.
  const form = await new Request('http://sandbox.invalid/', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  }).formData();
  for (const [name, value] of form.entries()) {
    if (!(name in fields)) fields[name] = typeof value === 'string' ? value : '';
  }
  return fields;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function missing(fields: Record<string, string>, names: string[]): string[] {
  return names.filter((name) => !fields[name]?.trim());
}

/** Contact Form 7's own checks: every field required, a well-formed email (the acceptance box is optional). */
function cf7Invalid(fields: Record<string, string>): Record<string, string> {
  const invalid: Record<string, string> = {};
  for (const name of missing(fields, ['your-name', 'your-email', 'your-subject', 'your-message'])) {
    invalid[name] = 'Please fill out this field.';
  }
  if (fields['your-email'] && !EMAIL.test(fields['your-email'])) {
    invalid['your-email'] = 'Please enter an email address.';
  }
  return invalid;
}

/** A Contact Form 7 submission, answered as the HTML page or as CF7's REST feedback JSON. */
function answerCf7(res: ServerResponse, submission: Submission, judge: Judge, json: boolean) {
  const { fields, company } = submission;
  if (fields._wpcf7 !== CF7_FORM_ID || fields._wpcf7_unit_tag !== CF7_UNIT_TAG) {
    judge.reject(submission, 'unknown_form');
    if (json) return sendJson(res, 400, { status: 'aborted', message: 'The form could not be identified.' });
    return send(res, 400, cf7Page(company, 'invalid', 'The form could not be identified.', {}));
  }
  const invalid = cf7Invalid(fields);
  const valid = Object.keys(invalid).length === 0;
  if (valid) judge.accept(submission);
  else judge.reject(submission, 'validation_failed');
  const message = valid
    ? 'Thank you for your message. It has been sent.'
    : 'One or more fields have an error. Please check and try again.';
  if (!json) return send(res, valid ? 200 : 400, cf7Page(company, valid ? 'sent' : 'invalid', message, invalid));
  return sendJson(res, valid ? 200 : 400, {
    contact_form_id: Number(CF7_FORM_ID),
    status: valid ? 'mail_sent' : 'validation_failed',
    message,
    into: `#${CF7_UNIT_TAG}`,
    invalid_fields: Object.entries(invalid).map(([field, error]) => ({ field, message: error })),
  });
}

function answerPlainForm(res: ServerResponse, submission: Submission, judge: Judge, form: PlainForm) {
  const { fields, company } = submission;
  const refused = form.protection(fields);
  if (refused) {
    judge.reject(submission, refused.reason);
    return send(res, 400, form.page(company, [refused.error]));
  }
  const absent = missing(fields, form.required);
  if (absent.length > 0 || (form.identified && !form.identified(fields))) {
    judge.reject(submission, 'validation_failed');
    return send(res, 400, form.page(company, absent.map(form.missingError)));
  }
  judge.accept(submission);
  if (!form.redirectToThankYou) return send(res, 200, thankYouPage(company));
  res.writeHead(303, { location: '/thank-you' });
  res.end();
}

function answerGet(res: ServerResponse, path: string, company: string) {
  const page = PAGES[path];
  if (page) return send(res, 200, page(company));
  if (path === '/contact-unavailable') return send(res, 503, '<h1>Service Unavailable</h1>', { 'retry-after': '120' });
  return send(res, 404, notFoundPage(company));
}

async function answerPost(req: IncomingMessage, res: ServerResponse, host: string, path: string, judge: Judge) {
  const company = companyFromHost(host);
  const form = PLAIN_FORMS[path];
  const isCf7 = path === '/contact' || path === CF7_FEEDBACK_PATH;
  if (!form && !isCf7) {
    if (path === '/newsletter') return send(res, 200, layout(company, 'Subscribed', '<h1>Thanks for subscribing</h1>'));
    return send(res, 404, notFoundPage(company));
  }
  const submission: Submission = { host, path, fields: await readFields(req), company };
  if (form) return answerPlainForm(res, submission, judge, form);
  const wantsJson = path === CF7_FEEDBACK_PATH || (req.headers.accept ?? '').startsWith('application/json');
  return answerCf7(res, submission, judge, wantsJson);
}

export async function startSiteSandbox(options: { port?: number } = {}): Promise<SiteSandbox> {
  const submissions: SiteSubmission[] = [];
  const rejected: RejectedSiteSubmission[] = [];
  const judge: Judge = {
    accept: ({ host, path, fields }) => submissions.push({ host, path, fields, at: new Date().toISOString() }),
    reject: ({ host, path, fields }, reason) =>
      rejected.push({ host, path, fields, status: 400, reason, at: new Date().toISOString() }),
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    if (!host.endsWith('.example')) return send(res, 421, '<h1>Misdirected request</h1>');
    const path = new URL(req.url ?? '/', 'http://sandbox.invalid').pathname.replace(/(.)\/$/, '$1');
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'GET' || method === 'HEAD') return answerGet(res, path, companyFromHost(host));
    if (method === 'POST') return answerPost(req, res, host, path, judge);
    return send(res, 405, '<h1>Method not allowed</h1>', { allow: 'GET, HEAD, POST' });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, `<h1>Internal error</h1><p>${escapeHtml(String(error))}</p>`);
      else res.end();
    });
  });

  return {
    ...(await serveOnLoopback(server, options.port)),
    submissions,
    rejected,
    clear() {
      submissions.length = 0;
      rejected.length = 0;
    },
  };
}
