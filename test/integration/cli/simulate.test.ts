import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '#cli/serve';
import { cascadeAgainst, errorLines } from '#test/support/cli';
import { callJson } from '#test/support/http-call';

/**
 * `cascade simulate` as subprocesses (`node bin/cascade.js simulate …`) against an API served by this
 * process: its LOCAL-ONLY `/_local/…` routes feed the same handlers as SES events, inbound mail and the
 * LinkedIn webhook do in AWS.
 */

const TOKEN = 'simulate-test-token';
let server: ApiServer;
const workDir = mkdtempSync(path.join(tmpdir(), 'cascade-simulate-'));

/** The configuration set this stack's send function names (the SES events rule matches its tag). */
const configurationSetName = () =>
  server.stack.lambda.function('SendEmailFunction').environment.CASCADE_SES_CONFIGURATION_SET ?? '';

const cascade = cascadeAgainst(() => ({ url: server.url, token: TOKEN }));

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field in the assertions.
async function call(method: string, pathname: string, json?: unknown, token: string | null = TOKEN): Promise<any> {
  const answer = await callJson(server.url, method, pathname, { body: json, token });
  return { status: answer.status, ...answer.body };
}

interface Message {
  messageId: string;
  providerMessageId?: string;
  channel: string;
  status: string;
}

async function messagesOf(leadId: string): Promise<Message[]> {
  const history = await call('GET', `/v1/leads/${leadId}/history`);
  return (history.items as (Message & { kind: string })[]).filter((entry) => entry.kind === 'message');
}

async function leadStatus(leadId: string): Promise<string> {
  return (await call('GET', `/v1/leads/${leadId}`)).status;
}

const fixture = (name: string) =>
  JSON.parse(readFileSync(`test/fixtures/ses-events/${name}.json`, 'utf8')) as {
    detail: { mail: { messageId: string; destination: string[]; tags: Record<string, string[]> } };
  };

function writeFile(name: string, content: string): string {
  const file = path.join(workDir, name);
  writeFileSync(file, content);
  return file;
}

const leads: Record<string, string> = {};

beforeAll(async () => {
  server = await startApiServer({ port: 0, token: TOKEN });
  await call('POST', '/v1/campaigns', {
    campaignId: 'simulate',
    name: 'Simulate',
    sender: { name: 'Ada Lovelace', email: 'ada@cascade-demo.example' },
  });
  const people = [
    { key: 'bounce', firstName: 'Bea', email: 'bea@sim-bounce.example' },
    { key: 'open', firstName: 'Otto', email: 'otto@sim-open.example' },
    { key: 'reply', firstName: 'Rosa', email: 'rosa@sim-reply.example' },
    { key: 'inbound', firstName: 'Ines', email: 'ines@sim-inbound.example' },
    { key: 'linkedin', firstName: 'Lars', linkedinUrl: 'https://www.linkedin.com/in/lars-sim-4711' },
  ];
  const imported = await call(
    'POST',
    '/v1/campaigns/simulate/leads',
    people.map(({ key: _key, ...person }) => ({ ...person, leadScore: 0.9, budgetRange: '$10k', timelineMonths: 3 })),
  );
  for (const entry of imported.leads as { row: number; leadId: string }[])
    leads[people[entry.row - 1]?.key ?? ''] = entry.leadId;
  await call('POST', '/v1/campaigns/simulate/batches', {});
  await server.stack.stepFunctions.drain();
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('cascade simulate ses-event', () => {
  it('feeds a fixture re-addressed to a real message: the message moves to BOUNCED', async () => {
    // Prepare: the documented bounce event, naming Bea's email by its tags and SES id.
    const leadId = leads.bounce ?? '';
    const [email] = await messagesOf(leadId);
    expect(email).toMatchObject({ channel: 'EMAIL', status: 'DELIVERED' });
    const event = fixture('bounce-permanent');
    event.detail.mail.messageId = email?.providerMessageId ?? '';
    event.detail.mail.destination = ['bea@sim-bounce.example'];
    event.detail.mail.tags.lead = [leadId];
    event.detail.mail.tags.message = [email?.messageId ?? ''];
    event.detail.mail.tags['ses:configuration-set'] = [configurationSetName()];
    const file = writeFile('bounce.json', JSON.stringify(event));

    // Act
    const run = await cascade(['simulate', 'ses-event', file, '--json']);

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      eventType: 'Bounce',
      effect: 'status',
      status: 'BOUNCED',
      leadId,
      messageId: email?.messageId,
      messageStatus: 'BOUNCED',
    });
    expect((await messagesOf(leadId))[0]?.status).toBe('BOUNCED');
    const suppressions = await call('GET', '/v1/suppressions');
    expect(suppressions.items.map((item: { key: string }) => item.key)).toContain('EMAIL#bea@sim-bounce.example');
  });

  it('re-addresses a fixture file as it is with --lead, and says what changed', async () => {
    // Act
    const [opened, again] = [
      await cascade(['simulate', 'ses-event', 'test/fixtures/ses-events/open.json', '--lead', leads.open ?? '']),
      await cascade(['simulate', 'ses-event', 'test/fixtures/ses-events/open.json', '--lead', leads.open ?? '']),
    ];

    // Assess
    expect(opened.code).toBe(0);
    expect(opened.stdout.trim()).toMatch(
      new RegExp(`^Open: message msg_\\w+ of lead ${leads.open} noted \\(message DELIVERED, lead CONTACTED\\)$`),
    );
    expect(again.stdout).toContain('nothing changed (duplicate or late event)');
  });

  it("routes a fixture of another configuration set nowhere: the stack's SES rule does not match it", async () => {
    // Act
    const run = await cascade(['simulate', 'ses-event', 'test/fixtures/ses-events/delivery.json']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(
      'no rule of the stack matches this event (another configuration set?); nothing ran, as in AWS',
    );
  });

  it('ignores an event of our configuration set for a message it does not know, as the handler does in AWS', async () => {
    // Prepare: the fixture as SES would publish it for this stack's configuration set.
    const fixture = JSON.parse(readFileSync('test/fixtures/ses-events/delivery.json', 'utf8'));
    fixture.detail.mail.tags['ses:configuration-set'] = [configurationSetName()];
    const file = writeFile('ours-unknown.json', JSON.stringify(fixture));

    // Act
    const run = await cascade(['simulate', 'ses-event', file]);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(
      'Delivery: no message with SES id or tags of this event; ignored, as the handler does in AWS',
    );
  });

  it('refuses a file that is not an SES event in its envelope, in one line', async () => {
    // Prepare
    const notSes = writeFile('not-ses.json', JSON.stringify({ source: 'aws.s3', detail: {} }));
    const notJson = writeFile('not-json.json', 'hello');

    // Act
    const [wrong, garbage, missing] = await Promise.all([
      cascade(['simulate', 'ses-event', notSes]),
      cascade(['simulate', 'ses-event', notJson]),
      cascade(['simulate', 'ses-event', path.join(workDir, 'nope.json')]),
    ]);

    // Assess
    for (const run of [wrong, garbage, missing]) {
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(errorLines(run)).toHaveLength(1);
    }
    expect(errorLines(wrong)[0]).toMatch(
      new RegExp(`^cascade: ${notSes}: not_an_ses_event: not an SES event in its EventBridge envelope .*source: `),
    );
    expect(errorLines(garbage)[0]).toMatch(/^cascade: .*not-json\.json is not JSON/);
    expect(errorLines(missing)[0]).toMatch(/^cascade: cannot read .*nope\.json: ENOENT$/);
  });
});

describe('cascade simulate reply', () => {
  it('EMAIL: a reply mail through the inbound-mail handler; message and lead become REPLIED', async () => {
    // Prepare
    const leadId = leads.reply ?? '';
    expect(await leadStatus(leadId)).toBe('CONTACTED');

    // Act
    const run = await cascade(['simulate', 'reply', leadId]);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(
      new RegExp(`^reply recorded for lead ${leadId} \\(EMAIL, message msg_\\w+\\): lead REPLIED$`),
    );
    expect(await leadStatus(leadId)).toBe('REPLIED');
    expect((await messagesOf(leadId))[0]?.status).toBe('REPLIED');
  });

  it("LINKEDIN: the provider's message_received webhook from the member stops the lead", async () => {
    // Prepare: the invitation was the LinkedIn touch; the member's provider id is on the lead.
    const leadId = leads.linkedin ?? '';
    expect((await call('GET', `/v1/leads/${leadId}`)).linkedinProviderId).toBeTruthy();

    // Act
    const run = await cascade(['simulate', 'reply', leadId, '--channel', 'linkedin', '--json']);

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      via: 'linkedin-webhook',
      channel: 'LINKEDIN',
      matched: true,
      leadId,
      leadStatus: 'REPLIED',
    });
    expect(await leadStatus(leadId)).toBe('REPLIED');
  });

  it('fails in one line for an unknown lead, a lead without a LinkedIn profile, a bad channel', async () => {
    // Act
    const [unknown, noProfile, badChannel] = await Promise.all([
      cascade(['simulate', 'reply', 'lead_does_not_exist']),
      cascade(['simulate', 'reply', leads.open ?? '', '--channel', 'LINKEDIN']),
      cascade(['simulate', 'reply', leads.open ?? '', '--channel', 'FAX']),
    ]);

    // Assess
    for (const run of [unknown, noProfile, badChannel]) {
      expect(run.code).not.toBe(0);
      expect(run.stdout).toBe('');
      expect(errorLines(run)).toHaveLength(1);
    }
    expect(errorLines(unknown)).toEqual(['cascade: not_found: lead lead_does_not_exist does not exist']);
    expect(errorLines(noProfile)[0]).toMatch(/^cascade: no_linkedin_profile: lead \w+ has no LinkedIn provider id/);
    expect(errorLines(badChannel)).toEqual(['cascade: --channel "FAX" is not EMAIL or LINKEDIN']);
  });

  it('works without an API too: the embedded stack for the one command', async () => {
    // Act
    const run = await cascade(['simulate', 'reply', 'lead_nowhere'], { api: false });

    // Assess: a fresh embedded stack has no such lead.
    expect(run.code).not.toBe(0);
    expect(errorLines(run)).toEqual(['cascade: not_found: lead lead_nowhere does not exist']);
  });
});

describe('cascade simulate inbound', () => {
  it('drops a raw mail into the inbound-mail handler: matched by In-Reply-To, the lead REPLIED', async () => {
    // Prepare
    const leadId = leads.inbound ?? '';
    const [email] = await messagesOf(leadId);
    const eml = writeFile(
      'reply.eml',
      [
        'From: Ines <ines@sim-inbound.example>',
        'To: ada@cascade-demo.example',
        'Subject: Re: Quick question',
        'Date: Tue, 24 Nov 2026 09:00:00 +0000',
        `In-Reply-To: <${email?.providerMessageId}@email.amazonses.com>`,
        '',
        'Yes, let us talk.',
        '',
      ].join('\r\n'),
    );

    // Act
    const run = await cascade(['simulate', 'inbound', eml, '--json']);

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      via: 'inbound-email',
      matched: true,
      leadId,
      messageId: email?.messageId,
      leadStatus: 'REPLIED',
    });
    expect((await messagesOf(leadId))[0]?.status).toBe('REPLIED');
  });

  it('refuses a file that is not a mail, in one line', async () => {
    // Prepare
    const notMail = writeFile('not-mail.eml', '{"hello": "world"}');

    // Act
    const run = await cascade(['simulate', 'inbound', notMail]);

    // Assess
    expect(run.code).not.toBe(0);
    expect(errorLines(run)).toEqual([
      `cascade: ${notMail}: not_an_email: not a raw RFC 822 message (it should start with header fields)`,
    ]);
  });
});

describe('the local routes', () => {
  it('need the bearer token and are not part of the API or its OpenAPI document', async () => {
    // Act
    const [noToken, wrongToken, unknown, document] = await Promise.all([
      call('POST', '/_local/reply', { leadId: leads.open }, null),
      call('POST', '/_local/reply', { leadId: leads.open }, 'wrong'),
      call('POST', '/_local/nothing', {}),
      fetch(`${server.url}/v1/openapi.json`).then((response) => response.text()),
    ]);

    // Assess
    expect(noToken).toMatchObject({ status: 401, error: { code: 'unauthorized' } });
    expect(wrongToken.status).toBe(401);
    expect(unknown).toMatchObject({ status: 404, error: { code: 'route_not_found' } });
    expect(document).not.toContain('_local');
    expect(await leadStatus(leads.open ?? '')).toBe('CONTACTED');
  });
});
