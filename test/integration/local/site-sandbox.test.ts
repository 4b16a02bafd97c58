import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SITE_SANDBOX_RECAPTCHA_TOKEN, type SiteSandbox, startSiteSandbox } from '#local/site-sandbox/server';
import type { ContactDetails } from '#shared/channels/contact-form/submission-plan';
import { submitContactForm } from '#shared/channels/contact-form/submit';
import { outboundRequest } from '#shared/http/outbound';

const CONTACT: ContactDetails = {
  name: 'Ada Lovelace',
  email: 'ada@analytical.example',
  company: 'Analytical Engines',
  subject: 'A quick question',
  message: 'Hello from Cascade.\nCould we talk next week?',
};

let sandbox: SiteSandbox;
const savedEnv = {
  connectTo: process.env.CASCADE_CONNECT_TO,
  allowPrivate: process.env.CASCADE_ALLOW_PRIVATE_NETWORK,
};

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

beforeAll(async () => {
  sandbox = await startSiteSandbox({ port: 0 });
  process.env.CASCADE_CONNECT_TO = `*.example=${sandbox.url}`;
  process.env.CASCADE_ALLOW_PRIVATE_NETWORK = '1';
});
afterAll(async () => {
  restore('CASCADE_CONNECT_TO', savedEnv.connectTo);
  restore('CASCADE_ALLOW_PRIVATE_NETWORK', savedEnv.allowPrivate);
  await sandbox.close();
});
beforeEach(() => {
  sandbox.clear();
});

describe('site sandbox with the contact-form channel', () => {
  it('serves a home page named after the host with a link to Contact', async () => {
    // Prepare
    const url = 'https://globex-foods.example/';

    // Act
    const page = await outboundRequest(url);

    // Assess
    expect(page.status).toBe(200);
    expect(page.body).toContain('Globex Foods');
    expect(page.body).toMatch(/<a href="\/contact">Contact<\/a>/);
  });

  it('submits the Contact Form 7 form once, with its hidden fields, and reports SENT', async () => {
    // Prepare
    const url = 'https://acme.example/contact';

    // Act
    const result = await submitContactForm({ url, contact: CONTACT });

    // Assess
    expect(result).toMatchObject({ outcome: 'SENT', verdict: { outcome: 'SENT', delivered: true } });
    expect(sandbox.submissions).toHaveLength(1);
    const [submission] = sandbox.submissions;
    expect(submission).toMatchObject({ host: 'acme.example', path: '/contact' });
    expect(submission?.fields).toMatchObject({
      _wpcf7: '731',
      _wpcf7_unit_tag: 'wpcf7-f731-p12-o1',
      'your-name': 'Ada Lovelace',
      'your-email': 'ada@analytical.example',
      'your-subject': 'A quick question',
      'your-message': CONTACT.message,
    });
    // The acceptance box is optional on this form: an optional consent box is never ticked.
    expect(submission?.fields).not.toHaveProperty('acceptance-1');
    expect(result.submitted).toEqual(submission?.fields);
    expect(sandbox.rejected).toHaveLength(0);
  });

  it('leaves the honeypot empty, splits the name, and lands on the thank-you page', async () => {
    // Prepare
    const url = 'https://acme.example/contact-honeypot';

    // Act
    const result = await submitContactForm({ url, contact: CONTACT });

    // Assess
    expect(result.outcome).toBe('SENT');
    expect(result.verdict.delivered).toBe(true);
    expect(result.form?.protections).toContain('honeypot');
    expect(sandbox.submissions).toHaveLength(1);
    expect(sandbox.submissions[0]?.fields).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: 'ada@analytical.example',
      company: 'Analytical Engines',
      website: '',
      form_id: 'sales-contact',
    });
    expect(sandbox.rejected).toHaveLength(0);
  });

  it('never submits a captcha-protected form', async () => {
    // Prepare
    const url = 'https://acme.example/contact-protected';

    // Act
    const result = await submitContactForm({ url, contact: CONTACT });

    // Assess
    expect(result).toMatchObject({ outcome: 'FALLBACK', reason: 'form_spam_protected', submitted: {} });
    expect(result.verdict.delivered).toBe(false);
    expect(sandbox.submissions).toHaveLength(0);
    expect(sandbox.rejected).toHaveLength(0);
  });

  it('falls back with form_unreachable for a missing page', async () => {
    // Prepare
    const url = 'https://acme.example/no-such-page';

    // Act
    const result = await submitContactForm({ url, contact: CONTACT });

    // Assess
    expect(result).toMatchObject({ outcome: 'FALLBACK', reason: 'form_unreachable', verdict: { delivered: false } });
    expect(sandbox.submissions).toHaveLength(0);
  });

  it('asks for a retry when the site answers 503', async () => {
    // Prepare
    const url = 'https://acme.example/contact-unavailable';

    // Act
    const result = await submitContactForm({ url, contact: CONTACT });

    // Assess
    expect(result).toMatchObject({ outcome: 'RETRY', reason: 'provider_error', verdict: { delivered: false } });
  });

  it('a dry run reports what it would submit and sends nothing', async () => {
    // Prepare
    const url = 'https://acme.example/contact';

    // Act
    const result = await submitContactForm({ url, contact: CONTACT, dryRun: true });

    // Assess
    expect(result.dryRun).toBe(true);
    expect(result.submitted['your-email']).toBe('ada@analytical.example');
    expect(result.verdict.delivered).toBe(false);
    expect(sandbox.submissions).toHaveLength(0);
  });
});

describe('contact-form channel against a site that drops the connection', () => {
  it('reports STOP ambiguous_send, delivered, when the socket dies after the submission was sent', async () => {
    // Prepare: a site whose form page works but whose POST handler dies mid-request
    const posts: string[] = [];
    const site = createServer((req, res) => {
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(
          '<form method="post" action="/send"><input name="email" type="email"><textarea name="message"></textarea></form>',
        );
        return;
      }
      posts.push(req.url ?? '');
      req.socket.destroy();
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const { port } = site.address() as AddressInfo;
    process.env.CASCADE_CONNECT_TO = `*.example=${sandbox.url},broken.test=http://127.0.0.1:${port}`;

    // Act
    const result = await submitContactForm({ url: 'https://broken.test/contact', contact: CONTACT }).finally(() => {
      process.env.CASCADE_CONNECT_TO = `*.example=${sandbox.url}`;
      site.close();
    });

    // Assess
    expect(posts).toEqual(['/send']);
    expect(result).toMatchObject({ outcome: 'STOP', reason: 'ambiguous_send', verdict: { delivered: true } });
  });
});

describe('site sandbox server-side checks', () => {
  async function post(path: string, fields: Record<string, string>) {
    return outboundRequest(`https://acme.example${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      maxRedirects: 0,
    });
  }

  it('rejects a filled honeypot as spam and records it as rejected', async () => {
    // Prepare
    const fields = {
      form_id: 'sales-contact',
      first_name: 'B',
      last_name: 'Ot',
      email: 'b@ot.example',
      message: 'buy',
      website: 'http://spam.example',
    };

    // Act
    const response = await post('/contact-honeypot', fields);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toContain('flagged as spam');
    expect(sandbox.submissions).toHaveLength(0);
    expect(sandbox.rejected).toMatchObject([{ path: '/contact-honeypot', reason: 'spam_honeypot' }]);
  });

  it('rejects the protected form without a valid reCAPTCHA token and accepts it with one', async () => {
    // Prepare
    const fields = { name: 'Ada', email: 'ada@analytical.example', message: 'hi' };

    // Act
    const without = await post('/contact-protected', fields);
    const withToken = await post('/contact-protected', {
      ...fields,
      'g-recaptcha-response': SITE_SANDBOX_RECAPTCHA_TOKEN,
    });

    // Assess
    expect(without.status).toBe(400);
    expect(without.body).toContain('not a robot');
    expect(withToken.status).toBe(200);
    expect(sandbox.rejected.map((entry) => entry.reason)).toEqual(['captcha_missing']);
    expect(sandbox.submissions).toHaveLength(1);
  });

  it('answers 400 with an error message when required fields are missing', async () => {
    // Prepare
    const fields = { _wpcf7: '731', _wpcf7_unit_tag: 'wpcf7-f731-p12-o1', 'your-name': 'Ada', 'acceptance-1': '1' };

    // Act
    const response = await post('/contact', fields);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toContain('One or more fields have an error');
    expect(response.body).toContain('wpcf7-not-valid-tip');
    expect(sandbox.submissions).toHaveLength(0);
    expect(sandbox.rejected).toMatchObject([{ reason: 'validation_failed', status: 400 }]);
  });

  it('answers the CF7 REST feedback endpoint with JSON', async () => {
    // Prepare
    const fields = {
      _wpcf7: '731',
      _wpcf7_unit_tag: 'wpcf7-f731-p12-o1',
      'your-name': 'Ada',
      'your-email': 'ada@analytical.example',
      'your-subject': 'Hi',
      'your-message': 'Hello',
      'acceptance-1': '1',
    };

    // Act
    const response = await post('/wp-json/contact-form-7/v1/contact-forms/731/feedback', fields);

    // Assess
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ status: 'mail_sent' });
    expect(sandbox.submissions).toHaveLength(1);
  });
});
