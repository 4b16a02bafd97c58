import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback';

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

export interface RejectedSiteSubmission extends SiteSubmission {
  status: number;
  reason: 'validation_failed' | 'spam_honeypot' | 'captcha_missing' | 'consent_missing' | 'unknown_form';
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

const CF7_FORM_ID = '731';
const CF7_UNIT_TAG = `wpcf7-f${CF7_FORM_ID}-p12-o1`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** `acme-robotics.example` → `Acme Robotics`. */
export function companyFromHost(host: string): string {
  const label =
    host
      .toLowerCase()
      .replace(/:\d+$/, '')
      .replace(/^www\./, '')
      .split('.')[0] ?? 'example';
  return label
    .split(/[-_]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

function layout(company: string, title: string, main: string): string {
  const name = escapeHtml(company);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} – ${name}</title></head>
<body>
<header><a class="brand" href="/">${name}</a>
<nav><a href="/">Home</a> <a href="/about">About</a> <a href="/contact">Contact</a></nav>
<form role="search" method="get" class="search-form" action="/"><label><span class="screen-reader-text">Search for:</span><input type="search" name="s" placeholder="Search …"></label><button type="submit">Search</button></form>
</header>
<main>
${main}
</main>
<footer><form class="newsletter" action="/newsletter" method="post"><label for="nl-email">Newsletter</label><input type="email" id="nl-email" name="EMAIL" placeholder="you@company.com"><input type="submit" name="subscribe" value="Subscribe"></form>
<p>© ${name}</p></footer>
</body></html>`;
}

function homePage(company: string): string {
  return layout(
    company,
    'Home',
    `<h1>${escapeHtml(company)}</h1>
<p>${escapeHtml(company)} builds things people like. Questions? <a href="/contact">Contact us</a>.</p>`,
  );
}

type Cf7Status = 'init' | 'sent' | 'invalid';

function cf7Page(company: string, status: Cf7Status, message: string, invalid: Record<string, string>): string {
  const tip = (name: string) =>
    invalid[name] ? `<span class="wpcf7-not-valid-tip" aria-hidden="true">${escapeHtml(invalid[name])}</span>` : '';
  const field = (label: string, control: string, name: string) =>
    `<p><label> ${label}<br /><span class="wpcf7-form-control-wrap" data-name="${name}">${control}${tip(name)}</span></label></p>`;
  return layout(
    company,
    'Contact',
    `<h1>Contact us</h1>
<div class="wpcf7 no-js" id="${CF7_UNIT_TAG}" lang="en-US" dir="ltr" data-wpcf7-id="${CF7_FORM_ID}">
<form action="/contact#${CF7_UNIT_TAG}" method="post" class="wpcf7-form ${status}" aria-label="Contact form" novalidate="novalidate" data-status="${status}">
<div style="display: none;">
<input type="hidden" name="_wpcf7" value="${CF7_FORM_ID}" />
<input type="hidden" name="_wpcf7_version" value="5.9.3" />
<input type="hidden" name="_wpcf7_locale" value="en_US" />
<input type="hidden" name="_wpcf7_unit_tag" value="${CF7_UNIT_TAG}" />
<input type="hidden" name="_wpcf7_container_post" value="12" />
<input type="hidden" name="_wpcf7_posted_data_hash" value="" />
</div>
${field('Your name', '<input size="40" class="wpcf7-form-control wpcf7-text wpcf7-validates-as-required" autocomplete="name" aria-required="true" value="" type="text" name="your-name" />', 'your-name')}
${field('Your email', '<input size="40" class="wpcf7-form-control wpcf7-email wpcf7-validates-as-required" autocomplete="email" aria-required="true" value="" type="email" name="your-email" />', 'your-email')}
${field('Subject', '<input size="40" class="wpcf7-form-control wpcf7-text wpcf7-validates-as-required" aria-required="true" value="" type="text" name="your-subject" />', 'your-subject')}
${field('Your message', '<textarea cols="40" rows="10" maxlength="2000" class="wpcf7-form-control wpcf7-textarea wpcf7-validates-as-required" aria-required="true" name="your-message"></textarea>', 'your-message')}
<p><span class="wpcf7-form-control-wrap" data-name="acceptance-1"><span class="wpcf7-form-control wpcf7-acceptance optional"><span class="wpcf7-list-item"><label><input type="checkbox" name="acceptance-1" value="1" aria-invalid="false" /><span class="wpcf7-list-item-label">I agree that my data is processed as described in the privacy policy.</span></label></span></span>${tip('acceptance-1')}</span></p>
<p><input class="wpcf7-form-control wpcf7-submit has-spinner" type="submit" value="Send" /></p>
<div class="wpcf7-response-output"${message ? '' : ' aria-hidden="true"'}>${escapeHtml(message)}</div>
</form>
</div>`,
  );
}

function honeypotPage(company: string, errors: string[] = []): string {
  const list = errors.length
    ? `<div class="form-errors" role="alert"><p>There was a problem with your submission:</p><ul>${errors.map((error) => `<li>${escapeHtml(error)}</li>`).join('')}</ul></div>`
    : '';
  return layout(
    company,
    'Contact',
    `<h1>Talk to sales</h1>
${list}
<form id="contact-form" class="contact-form" action="/contact-honeypot" method="post" enctype="multipart/form-data">
<input type="hidden" name="form_id" value="sales-contact">
<div><label for="cf-first">First name *</label><input id="cf-first" name="first_name" type="text" required></div>
<div><label for="cf-last">Last name *</label><input id="cf-last" name="last_name" type="text" required></div>
<div><label for="cf-email">Work email *</label><input id="cf-email" name="email" type="email" required></div>
<div><label for="cf-company">Company</label><input id="cf-company" name="company" type="text"></div>
<div class="hp-field" style="position:absolute;left:-9999px" aria-hidden="true"><label for="cf-website">Website</label><input id="cf-website" name="website" type="text" tabindex="-1" autocomplete="off" value=""></div>
<div><label for="cf-message">How can we help? *</label><textarea id="cf-message" name="message" rows="6" required></textarea></div>
<button type="submit">Send</button>
</form>`,
  );
}

function protectedPage(company: string, errors: string[] = []): string {
  const list = errors.length
    ? `<div class="alert alert-danger" role="alert">${errors.map(escapeHtml).join(' ')}</div>`
    : '';
  return layout(
    company,
    'Contact',
    `<script src="https://www.google.com/recaptcha/api.js" async defer></script>
<h1>Contact</h1>
${list}
<form id="contact" action="/contact-protected" method="post">
<div><label for="p-name">Name *</label><input id="p-name" name="name" type="text" required></div>
<div><label for="p-email">Email *</label><input id="p-email" name="email" type="email" required></div>
<div><label for="p-message">Message *</label><textarea id="p-message" name="message" required></textarea></div>
<div class="g-recaptcha" data-sitekey="6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI"></div>
<button type="submit">Send message</button>
</form>`,
  );
}

function consentPage(company: string, errors: string[] = []): string {
  const list = errors.length
    ? `<div class="form-errors" role="alert"><p>There was a problem with your submission:</p><ul>${errors.map((error) => `<li>${escapeHtml(error)}</li>`).join('')}</ul></div>`
    : '';
  return layout(
    company,
    'Contact',
    `<h1>Write to us</h1>
${list}
<form id="consent-form" class="contact-form" action="/contact-consent" method="post">
<div><label for="cc-name">Your name *</label><input id="cc-name" name="name" type="text" required></div>
<div><label for="cc-email">Email *</label><input id="cc-email" name="email" type="email" required></div>
<div><label for="cc-message">Message *</label><textarea id="cc-message" name="message" rows="6" required></textarea></div>
<div><label><input type="checkbox" name="gdpr" value="agreed" required> I agree that my data is processed as described in the <a href="/privacy">privacy policy</a>. *</label></div>
<button type="submit">Send</button>
</form>`,
  );
}

function thankYouPage(company: string): string {
  return layout(
    company,
    'Thank you',
    `<h1>Thank you!</h1><p>We received your message and will be in touch shortly.</p>`,
  );
}

function notFoundPage(company: string): string {
  return layout(company, 'Page not found', '<h1>Page not found</h1><p>Sorry, nothing lives here.</p>');
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

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

export async function startSiteSandbox(options: { port?: number } = {}): Promise<SiteSandbox> {
  const submissions: SiteSubmission[] = [];
  const rejected: RejectedSiteSubmission[] = [];

  const accept = (host: string, path: string, fields: Record<string, string>) =>
    submissions.push({ host, path, fields, at: new Date().toISOString() });
  const reject = (
    host: string,
    path: string,
    fields: Record<string, string>,
    status: number,
    reason: RejectedSiteSubmission['reason'],
  ) => rejected.push({ host, path, fields, status, reason, at: new Date().toISOString() });

  async function handleCf7(req: IncomingMessage, res: ServerResponse, host: string, path: string, json: boolean) {
    const company = companyFromHost(host);
    const fields = await readFields(req);
    if (fields._wpcf7 !== CF7_FORM_ID || fields._wpcf7_unit_tag !== CF7_UNIT_TAG) {
      reject(host, path, fields, 400, 'unknown_form');
      if (json) return sendJson(res, 400, { status: 'aborted', message: 'The form could not be identified.' });
      return send(res, 400, cf7Page(company, 'invalid', 'The form could not be identified.', {}));
    }
    const invalid: Record<string, string> = {};
    for (const name of missing(fields, ['your-name', 'your-email', 'your-subject', 'your-message'])) {
      invalid[name] = 'Please fill out this field.';
    }
    if (fields['your-email'] && !EMAIL.test(fields['your-email'])) {
      invalid['your-email'] = 'Please enter an email address.';
    }
    // The acceptance box is optional on this form (CF7 `[acceptance acceptance-1 optional]`).
    if (Object.keys(invalid).length > 0) {
      reject(host, path, fields, 400, 'validation_failed');
      const message = 'One or more fields have an error. Please check and try again.';
      if (json) {
        return sendJson(res, 400, {
          contact_form_id: Number(CF7_FORM_ID),
          status: 'validation_failed',
          message,
          into: `#${CF7_UNIT_TAG}`,
          invalid_fields: Object.entries(invalid).map(([field, error]) => ({ field, message: error })),
        });
      }
      return send(res, 400, cf7Page(company, 'invalid', message, invalid));
    }
    accept(host, path, fields);
    const message = 'Thank you for your message. It has been sent.';
    if (json) {
      return sendJson(res, 200, {
        contact_form_id: Number(CF7_FORM_ID),
        status: 'mail_sent',
        message,
        into: `#${CF7_UNIT_TAG}`,
        invalid_fields: [],
      });
    }
    return send(res, 200, cf7Page(company, 'sent', message, {}));
  }

  async function handleHoneypot(req: IncomingMessage, res: ServerResponse, host: string, path: string) {
    const company = companyFromHost(host);
    const fields = await readFields(req);
    if (fields.website) {
      reject(host, path, fields, 400, 'spam_honeypot');
      return send(res, 400, honeypotPage(company, ['Your message was flagged as spam and was not sent.']));
    }
    const absent = missing(fields, ['first_name', 'last_name', 'email', 'message']);
    if (absent.length > 0 || fields.form_id !== 'sales-contact') {
      reject(host, path, fields, 400, 'validation_failed');
      return send(
        res,
        400,
        honeypotPage(
          company,
          absent.map((name) => `${name.replace('_', ' ')} is required.`),
        ),
      );
    }
    accept(host, path, fields);
    res.writeHead(303, { location: '/thank-you' });
    res.end();
  }

  async function handleConsent(req: IncomingMessage, res: ServerResponse, host: string, path: string) {
    const company = companyFromHost(host);
    const fields = await readFields(req);
    if (fields.gdpr !== 'agreed') {
      reject(host, path, fields, 400, 'consent_missing');
      return send(res, 400, consentPage(company, ['Please accept the privacy policy.']));
    }
    const absent = missing(fields, ['name', 'email', 'message']);
    if (absent.length > 0) {
      reject(host, path, fields, 400, 'validation_failed');
      return send(
        res,
        400,
        consentPage(
          company,
          absent.map((name) => `The ${name} field is required.`),
        ),
      );
    }
    accept(host, path, fields);
    return send(res, 200, thankYouPage(company));
  }

  async function handleProtected(req: IncomingMessage, res: ServerResponse, host: string, path: string) {
    const company = companyFromHost(host);
    const fields = await readFields(req);
    if (fields['g-recaptcha-response'] !== SITE_SANDBOX_RECAPTCHA_TOKEN) {
      reject(host, path, fields, 400, 'captcha_missing');
      return send(res, 400, protectedPage(company, ['Please verify that you are not a robot.']));
    }
    const absent = missing(fields, ['name', 'email', 'message']);
    if (absent.length > 0) {
      reject(host, path, fields, 400, 'validation_failed');
      return send(
        res,
        400,
        protectedPage(
          company,
          absent.map((name) => `The ${name} field is required.`),
        ),
      );
    }
    accept(host, path, fields);
    return send(res, 200, thankYouPage(company));
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    if (!host.endsWith('.example')) return send(res, 421, '<h1>Misdirected request</h1>');
    const company = companyFromHost(host);
    const path = new URL(req.url ?? '/', 'http://sandbox.invalid').pathname.replace(/(.)\/$/, '$1');
    const method = (req.method ?? 'GET').toUpperCase();
    const wantsJson = (req.headers.accept ?? '').startsWith('application/json');

    if (method === 'GET' || method === 'HEAD') {
      switch (path) {
        case '/':
          return send(res, 200, homePage(company));
        case '/contact':
          return send(res, 200, cf7Page(company, 'init', '', {}));
        case '/contact-honeypot':
          return send(res, 200, honeypotPage(company));
        case '/contact-protected':
          return send(res, 200, protectedPage(company));
        case '/contact-consent':
          return send(res, 200, consentPage(company));
        case '/thank-you':
          return send(res, 200, thankYouPage(company));
        case '/contact-unavailable':
          return send(res, 503, '<h1>Service Unavailable</h1>', { 'retry-after': '120' });
        default:
          return send(res, 404, notFoundPage(company));
      }
    }
    if (method === 'POST') {
      if (path === '/contact') return handleCf7(req, res, host, path, wantsJson);
      if (path === `/wp-json/contact-form-7/v1/contact-forms/${CF7_FORM_ID}/feedback`) {
        return handleCf7(req, res, host, path, true);
      }
      if (path === '/contact-honeypot') return handleHoneypot(req, res, host, path);
      if (path === '/contact-protected') return handleProtected(req, res, host, path);
      if (path === '/contact-consent') return handleConsent(req, res, host, path);
      if (path === '/newsletter')
        return send(res, 200, layout(company, 'Subscribed', '<h1>Thanks for subscribing</h1>'));
      return send(res, 404, notFoundPage(company));
    }
    return send(res, 405, '<h1>Method not allowed</h1>', { allow: 'GET, HEAD, POST' });
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, `<h1>Internal error</h1><p>${escapeHtml(String(error))}</p>`);
      else res.end();
    });
  });
  const port = await listenOnLoopback(server, options.port);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    submissions,
    rejected,
    clear() {
      submissions.length = 0;
      rejected.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
