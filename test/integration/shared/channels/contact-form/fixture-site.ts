import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formFixtureHtml, REAL_FORM_NAMES, realFormHtml } from '#test/support/form-fixtures';

/**
 * A loopback web site serving the real-world form pages of test/fixtures/forms/ and recording every request,
 * with the submitted fields decoded as a web framework would (urlencoded or multipart).
 * `formspree.io` requests arrive through `CASCADE_CONNECT_TO=formspree.io=<url>`. The real pages of
 * ../shared/fixtures/forms-real/ are served, read in place, at `/forms-real/<name>.html`.
 */

/** Where each fixture page is served (its relative action points back into this site). */
export const FIXTURE_PATHS: Record<string, string> = {
  'cf7-basic': '/contact/',
  'gravity-honeypot': '/contact-us/',
  'plain-formspree': '/talk-to-sales',
  'recaptcha-v2': '/initech/contact',
};

export interface RecordedRequest {
  method: string;
  host: string;
  path: string;
  headers: IncomingMessage['headers'];
  fields: Record<string, string>;
}

export interface FixtureSite {
  url: string;
  requests: RecordedRequest[];
  posts(): RecordedRequest[];
  clear(): void;
  close(): Promise<void>;
}

const HOME = `<!doctype html><html><head><title>Northwind Analytics</title></head><body>
<nav><a href="/">Start</a> <a href="/blog/">Blog</a> <a href="/contact-us/">Kontakt</a></nav>
<h1>Northwind Analytics</h1>
<form class="newsletter" action="/newsletter" method="post"><input type="email" name="EMAIL" placeholder="E-Mail"><input type="submit" value="Subscribe"></form>
</body></html>`;

/** A plain contact form posting to `target`. */
function plainForm(target: string): string {
  return `<form action="${target}" method="post"><label for="e">Email</label><input id="e" type="email" name="email" required><label for="m">Message</label><textarea id="m" name="message" required></textarea><button>Send</button></form>`;
}

/** Extra pages: forms whose target is gone (410) or failing (503). */
const EXTRA_PAGES: Record<string, string> = { '/old-contact': plainForm('/gone'), '/busy-contact': plainForm('/busy') };
const STATUS_ANSWERS: Record<string, number> = { '/gone': 410, '/busy': 503 };

const ANSWERS: Record<string, string> = {
  '/contact/':
    '<div class="wpcf7" id="wpcf7-f123-p45-o1"><form action="/contact/#wpcf7-f123-p45-o1" method="post" class="wpcf7-form sent" data-status="sent"><div class="wpcf7-response-output">Thank you for your message. It has been sent.</div></form></div>',
  '/contact-us/':
    "<div class='gform_confirmation_wrapper'><div class='gform_confirmation_message'>Thanks for contacting us! We will get in touch with you shortly.</div></div>",
  '/api/contact': '<p>This form must never be posted by the channel.</p>',
  // Drupal's site contact form (forms-real/drupal-contact-da-vorespuls) after a post it accepted.
  '/contact': '<div class="messages status">Your message has been sent.</div>',
};

async function readFields(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const type = req.headers['content-type'] ?? '';
  if (!type.includes('multipart/form-data') && !type.includes('application/x-www-form-urlencoded')) return {};
  const form = await new Request('http://site.invalid/', {
    method: 'POST',
    headers: { 'content-type': type },
    body: Buffer.concat(chunks),
  }).formData();
  const fields: Record<string, string> = {};
  for (const [name, value] of form.entries()) {
    if (name in fields) throw new Error(`field ${name} sent twice`);
    fields[name] = typeof value === 'string' ? value : '';
  }
  return fields;
}

function html(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(body);
}

export async function startFixtureSite(): Promise<FixtureSite> {
  const requests: RecordedRequest[] = [];
  const pages = new Map(Object.entries(FIXTURE_PATHS).map(([name, path]) => [path, name]));

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const path = new URL(req.url ?? '/', 'http://site.invalid').pathname;
    const method = req.method ?? 'GET';
    const fields = method === 'POST' ? await readFields(req) : {};
    requests.push({ method, host, path, headers: req.headers, fields });
    if (host === 'formspree.io') {
      if (method === 'POST' && path === '/f/mqkrvzab') return html(res, 302, '', { location: '/thanks?language=en' });
      if (path === '/thanks') return html(res, 200, '<h1>Thanks!</h1><p>The form was submitted successfully.</p>');
      return html(res, 404, 'Not found');
    }
    if (method === 'GET') {
      if (path === '/') return html(res, 200, HOME);
      // A cookie wall: the contact link answers with a consent cookie and a redirect to the form.
      if (path === '/consent-gate')
        return html(res, 302, '', { 'set-cookie': 'consent=granted; Path=/; HttpOnly', location: '/contact/' });
      const extra = EXTRA_PAGES[path];
      if (extra) return html(res, 200, extra);
      const real = /^\/forms-real\/([\w-]+)\.html$/.exec(path)?.[1];
      if (real && REAL_FORM_NAMES.includes(real)) return html(res, 200, realFormHtml(real));
      const fixture = pages.get(path);
      if (fixture) {
        return html(res, 200, formFixtureHtml(fixture), { 'set-cookie': `session=s-${fixture}; Path=/; HttpOnly` });
      }
      return html(res, 404, '<h1>Not found</h1>');
    }
    const status = STATUS_ANSWERS[path];
    if (method === 'POST' && status) return html(res, status, `<h1>HTTP ${status}</h1>`);
    const answer = ANSWERS[path];
    if (method === 'POST' && answer) return html(res, 200, answer);
    return html(res, 404, '<h1>Not found</h1>');
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => html(res, 500, String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    posts: () => requests.filter((request) => request.method === 'POST'),
    clear: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
