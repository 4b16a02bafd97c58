import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { leadFromInput } from '#shared/leads/create';
import { LeadInput } from '#shared/leads/import';
import { unsubscribeToken } from '#shared/outreach/unsubscribe';
import { createLead, getLead } from '#shared/store/leads';
import { findSuppression, getSuppression } from '#shared/store/suppressions';
import { bumpCounters } from '#shared/tracking/metrics-aggregates';
import {
  type ApiCall,
  campaignBody,
  expectError,
  expectInvalid,
  gatewayEvent,
  lambdaContext,
  useApiStack,
} from '#test/integration/functions/api/gateway';

const local = useApiStack();
const { call } = local;
const handlerCall = (request: ApiCall): Promise<APIGatewayProxyStructuredResultV2> =>
  local.handler(gatewayEvent(request), lambdaContext);

async function newCampaign(campaignId: string) {
  expect((await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody(campaignId) })).status).toBe(201);
}

async function seedLead(campaignId: string, firstName: string, email: string) {
  const lead = leadFromInput(LeadInput.parse({ firstName, email, leadScore: 0.9 }), campaignId);
  await createLead(lead);
  return lead;
}

const CONFIG = {
  enabled: true,
  rateLimits: { perHour: 10, perDay: 40 },
  retryPolicy: { maxRetries: 1, retryBackoffHours: [6] },
  template: { subject: 'Hello {{ lead.company }}', body: 'Hi {{ lead.firstName }} from {{ sender.name }}' },
  // A setting the LinkedIn channel reads (each channel accepts only its own).
  settings: { accountType: 'free' },
};

describe('GET|PUT /v1/channels/{channel}/config', () => {
  it('falls back from the campaign to the account to the defaults', async () => {
    // Prepare
    await newCampaign('config');

    // Act
    const before = await call({ method: 'GET', path: '/v1/channels/LINKEDIN/config?campaignId=config' });
    const account = await call({ method: 'PUT', path: '/v1/channels/LINKEDIN/config', json: CONFIG });
    const inherited = await call({ method: 'GET', path: '/v1/channels/LINKEDIN/config?campaignId=config' });
    const scoped = await call({
      method: 'PUT',
      path: '/v1/channels/LINKEDIN/config?campaignId=config',
      json: { ...CONFIG, rateLimits: { perHour: 1, perDay: 2 } },
    });
    const effective = await call({ method: 'GET', path: '/v1/channels/LINKEDIN/config?campaignId=config' });
    const accountAfter = await call({ method: 'GET', path: '/v1/channels/LINKEDIN/config' });

    // Assess
    expect(before.body).toMatchObject({ source: 'default', rateLimits: { perHour: 5, perDay: 20 } });
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({ source: 'account', scope: 'ACCOUNT', channel: 'LINKEDIN' });
    expect(inherited.body).toMatchObject({ source: 'account', rateLimits: { perHour: 10, perDay: 40 } });
    expect(scoped.body).toMatchObject({ source: 'campaign', scope: 'config' });
    expect(effective.body).toMatchObject({ source: 'campaign', rateLimits: { perHour: 1, perDay: 2 } });
    expect(effective.body.retryPolicy).toEqual({ maxRetries: 1, retryBackoffHours: [6] });
    expect(accountAfter.body.rateLimits).toEqual({ perHour: 10, perDay: 40 });
  });

  it('rejects negative limits, a non-positive backoff and a template that does not compile', async () => {
    // Prepare
    const bad = {
      rateLimits: { perHour: -1, perDay: 1.5 },
      retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 0] },
      template: { body: 'Hi {{ lead.firstName }}' },
    };
    const emailConfig = { ...CONFIG, settings: { mxCheck: false } };
    const badTemplate = { ...emailConfig, template: { subject: 'Hi', body: 'Hi {{ lead.frist_name }}' } };

    // Act
    const invalid = await call({ method: 'PUT', path: '/v1/channels/EMAIL/config', json: bad });
    const template = await call({ method: 'PUT', path: '/v1/channels/EMAIL/config', json: badTemplate });
    const noSubject = await call({
      method: 'PUT',
      path: '/v1/channels/EMAIL/config',
      json: { ...emailConfig, template: { body: 'Hi' } },
    });

    // Assess
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.details.map((detail: { field: string }) => detail.field)).toEqual([
      'rateLimits.perHour',
      'rateLimits.perDay',
      'retryPolicy.retryBackoffHours.1',
    ]);
    expect(template.status).toBe(400);
    expect(template.body.error.details).toEqual([
      { field: 'template.body', message: expect.stringContaining('lead.frist_name') },
    ]);
    expectInvalid(noSubject, 'template.subject');
  });
});

describe('GET /v1/metrics/channels', () => {
  it('reads the counters kept per channel and day and computes rates without dividing by zero', async () => {
    // Prepare: what the channel services and the SES/reply handlers count as they write.
    await newCampaign('metrics');
    const today = new Date().toISOString();
    const day = today.slice(0, 10);
    await bumpCounters('metrics', 'EMAIL', day, {
      sequences: 4,
      leads: 4,
      attempts: 4,
      sent: 4,
      delivered: 2,
      replied: 1,
      bounced: 1,
      fallbacks: 2,
    });
    await bumpCounters('metrics', 'LINKEDIN', day, {
      leads: 2,
      attempts: 2,
      sent: 1,
      delivered: 1,
      replied: 1,
      fallbacks: 1,
    });
    await bumpCounters('metrics', 'CONTACT_FORM', day, { leads: 1, attempts: 1, failed: 1, fallbacks: 1 });

    // Act
    const reply = await call({ method: 'GET', path: '/v1/metrics/channels?campaignId=metrics&days=7' });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ campaignId: 'metrics', days: 7, to: day, leads: 4 });
    expect(reply.body.channels.EMAIL).toEqual({
      sent: 4,
      delivered: 2,
      replied: 1,
      bounced: 1,
      failed: 0,
      deliveryRate: 0.5,
      replyRate: 0.5,
      bounceRate: 0.25,
      fallbackRate: 0.5,
      averageAttemptsPerLead: 1,
    });
    expect(reply.body.channels.LINKEDIN).toMatchObject({
      sent: 1,
      delivered: 1,
      replied: 1,
      replyRate: 1,
      fallbackRate: 0.5,
    });
    expect(reply.body.channels.CONTACT_FORM).toEqual({
      sent: 0,
      delivered: 0,
      replied: 0,
      bounced: 0,
      failed: 1,
      deliveryRate: 0,
      replyRate: 0,
      bounceRate: 0,
      fallbackRate: 1,
      averageAttemptsPerLead: 1,
    });
    expect(reply.body.fallbackRate).toBe(1);
    expect(reply.body.averageAttemptsPerLead).toBe(1.75);
  });
});

describe('GET channel config and metrics with a bad parameter', () => {
  it.each([
    { path: '/v1/channels/FAX/config', status: 400, field: 'channel' },
    { path: '/v1/channels/EMAIL/config?campaignId=ghost', status: 404 },
    { path: '/v1/metrics/channels?days=0', status: 400, field: 'days' },
    { path: '/v1/metrics/channels?campaignId=ghost', status: 404 },
  ])('answers $path with $status', async ({ path, status, field }) => {
    // Act
    const reply = await call({ method: 'GET', path });

    // Assess
    expect(reply.status).toBe(status);
    if (field) expectInvalid(reply, field);
  });
});

describe('GET /v1/executions/{name}', () => {
  it('audits a finished run: its status and the states it went through', async () => {
    // Prepare
    await newCampaign('audit');
    await seedLead('audit', 'Ann', 'ann@audit.example');
    const launched = await call({ method: 'POST', path: '/v1/campaigns/audit/batches' });
    await local.stack.stepFunctions.drain();
    const name = launched.body.executions[0] as string;

    // Act
    const reply = await call({ method: 'GET', path: `/v1/executions/${name}` });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ name, status: 'SUCCEEDED', startDate: expect.any(String) });
    const names = reply.body.states.map((state: { name: string }) => state.name);
    expect(names[0]).toBe('Route By Channel');
    expect(names).toContain('Send Email');
    const sendEmail = reply.body.states.find((state: { name: string }) => state.name === 'Send Email');
    expect(sendEmail).toMatchObject({ type: 'Task', exitedAt: expect.any(String) });
    expect(sendEmail.output.cursor.result).toMatchObject({ outcome: 'SENT', channel: 'EMAIL' });
  });

  it('answers 404 for an unknown run and 400 for a name Step Functions cannot have', async () => {
    // Act
    const unknown = await call({ method: 'GET', path: '/v1/executions/no-such-run' });
    const invalid = await call({ method: 'GET', path: '/v1/executions/bad%20name' });

    // Assess
    expectError(unknown, 404, 'not_found');
    expectInvalid(invalid, 'name');
  });
});

describe('/v1/suppressions', () => {
  it('adds addresses and domains, lists them page by page, and removes them', async () => {
    // Prepare
    const entries = [
      { email: 'Opt.Out@Suppress.example', reason: 'asked by phone' },
      { domain: '@competitor.example', reason: 'competitor' },
      { email: 'third@suppress.example', reason: 'legal' },
    ];

    // Act
    const added = [];
    for (const entry of entries) added.push(await call({ method: 'POST', path: '/v1/suppressions', json: entry }));
    const repeated = await call({ method: 'POST', path: '/v1/suppressions', json: entries[0] });
    const first = await call({ method: 'GET', path: '/v1/suppressions?limit=2' });
    const second = await call({
      method: 'GET',
      path: `/v1/suppressions?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    });
    const removed = await call({ method: 'DELETE', path: '/v1/suppressions/EMAIL%23opt.out%40suppress.example' });
    const removedAgain = await call({ method: 'DELETE', path: '/v1/suppressions/EMAIL%23opt.out%40suppress.example' });

    // Assess
    expect(added.map((reply) => reply.status)).toEqual([201, 201, 201]);
    expect(added[0]?.body).toMatchObject({ key: 'EMAIL#opt.out@suppress.example', reason: 'asked by phone' });
    expect(added[1]?.body.key).toBe('DOMAIN#competitor.example');
    expect(repeated.status).toBe(200);
    const listed = [...first.body.items, ...second.body.items].map((item: { key: string }) => item.key);
    expect(first.body.items).toHaveLength(2);
    expect(second.body.nextCursor).toBeUndefined();
    expect(listed.sort()).toEqual([
      'DOMAIN#competitor.example',
      'EMAIL#opt.out@suppress.example',
      'EMAIL#third@suppress.example',
    ]);
    expect(removed.status).toBe(204);
    expect(removed.rawBody).toBeUndefined();
    expect(removedAgain.status).toBe(404);
    expect(await findSuppression('opt.out@suppress.example')).toBeUndefined();
    expect(await findSuppression('anyone@competitor.example')).toMatchObject({ reason: 'competitor' });
  });

  it('needs exactly one of email, domain, leadId, linkedinProfile or formDomain', async () => {
    // Act
    const neither = await call({ method: 'POST', path: '/v1/suppressions', json: { reason: 'x' } });
    const both = await call({
      method: 'POST',
      path: '/v1/suppressions',
      json: { email: 'a@b.example', domain: 'b.example', reason: 'x' },
    });
    const badKey = await call({ method: 'DELETE', path: '/v1/suppressions/nonsense' });

    // Assess
    expect(neither.status).toBe(400);
    expect(neither.body.error.details).toEqual([
      { field: 'email', message: 'give exactly one of email, domain, leadId, linkedinProfile or formDomain' },
    ]);
    expect(both.status).toBe(400);
    expect(badKey.status).toBe(400);
    expect(badKey.body.error.details[0].field).toBe('key');
  });
});

describe('POST /v1/unsubscribe', () => {
  it('unsubscribes the lead and suppresses its address without a bearer token (RFC 8058 one-click)', async () => {
    // Prepare
    await newCampaign('unsubscribe');
    const lead = await seedLead('unsubscribe', 'Uma', 'Uma@Unsub.example');
    const token = unsubscribeToken(lead.leadId, 'unsubscribe');

    // Act
    const reply = await call({
      method: 'POST',
      path: `/v1/unsubscribe?token=${token}`,
      raw: { body: 'List-Unsubscribe=One-Click', contentType: 'application/x-www-form-urlencoded' },
      token: null,
    });
    const again = await call({ method: 'POST', path: `/v1/unsubscribe?token=${token}`, token: null });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ unsubscribed: true });
    expect(again.status).toBe(200);
    expect((await getLead(lead.leadId))?.status).toBe('UNSUBSCRIBED');
    expect(await getSuppression('EMAIL#uma@unsub.example')).toMatchObject({ reason: 'unsubscribed' });
  });

  it('answers 400 for a forged or missing token', async () => {
    // Prepare
    const lead = await seedLead('unsubscribe', 'Vic', 'vic@unsub.example');
    const [payload] = unsubscribeToken(lead.leadId, 'unsubscribe').split('.');

    // Act
    const forged = await call({ method: 'POST', path: `/v1/unsubscribe?token=${payload}.forged`, token: null });
    const missing = await call({ method: 'POST', path: '/v1/unsubscribe', token: null });

    // Assess
    expect(forged.status).toBe(400);
    expect(forged.body.error).toMatchObject({ code: 'invalid_token', details: [{ field: 'token' }] });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ field: 'token', message: 'is required' }]);
    expect((await getLead(lead.leadId))?.status).toBe('NEW');
  });

  it('serves a public landing page for the visible link that changes nothing until its button is pressed', async () => {
    // Prepare
    const lead = await seedLead('unsubscribe', 'Wes', 'wes@unsub.example');
    const token = unsubscribeToken(lead.leadId, 'unsubscribe');

    // Act
    const page = await handlerCall({ method: 'GET', path: `/v1/unsubscribe?token=${token}`, token: null });
    const pressed = await handlerCall({
      method: 'POST',
      path: `/v1/unsubscribe?token=${token}`,
      raw: { body: 'List-Unsubscribe=One-Click', contentType: 'application/x-www-form-urlencoded' },
      headers: { accept: 'text/html,application/xhtml+xml' },
      token: null,
    });
    const forged = await call({ method: 'GET', path: '/v1/unsubscribe?token=abc.def', token: null });

    // Assess
    expect(page.statusCode).toBe(200);
    expect(page.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain(`<form method="post" action="?token=${token}">`);
    expect(pressed.statusCode).toBe(200);
    expect(pressed.body).toContain('You are unsubscribed');
    expect(forged.status).toBe(400);
    expect((await getLead(lead.leadId))?.status).toBe('UNSUBSCRIBED');
  });
});

describe('POST /v1/webhooks/linkedin', () => {
  const NEW_RELATION = { event: 'new_relation', account_id: 'acct', user_provider_id: 'ACoAA-nobody' };
  /** The provider's call: public (no bearer token), with the shared secret when one is given. */
  const webhook = (json: unknown, secret?: string) =>
    call({
      method: 'POST',
      path: '/v1/webhooks/linkedin',
      token: null,
      headers: secret === undefined ? {} : { 'x-cascade-webhook-secret': secret },
      json,
    });

  beforeEach(async () => {
    await local.stack.setSecret('CASCADE_LINKEDIN_WEBHOOK_SECRET', 'hook-secret');
  });

  it('refuses a call without the shared secret, even with no bearer token needed', async () => {
    // Act
    const reply = await webhook(NEW_RELATION);

    // Assess
    expectError(reply, 401, 'unauthorized');
  });

  it('accepts a verified event and reports the leads it touched', async () => {
    // Act
    const reply = await webhook(NEW_RELATION, 'hook-secret');

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ event: 'new_relation', leads: [], replies: 0, resumed: [] });
  });

  it('rejects an unknown event with field details', async () => {
    // Act
    const reply = await webhook({ event: 'something_else' }, 'hook-secret');

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.body.error.details.length).toBeGreaterThan(0);
  });
});

describe('POST /v1/suppressions for every scope', () => {
  it.each([
    [{ leadId: 'lead_abc' }, 'LEAD#lead_abc'],
    [{ linkedinProfile: 'https://www.linkedin.com/in/Ada-Lovelace-1' }, 'LINKEDIN#ada-lovelace-1'],
    [{ formDomain: 'www.acme.example' }, 'FORMDOMAIN#acme.example'],
  ])('%o is stored under %s and can be removed', async (target, key) => {
    // Act
    const added = await call({
      method: 'POST',
      path: '/v1/suppressions',
      json: { ...target, reason: 'do_not_contact' },
    });
    const removed = await call({ method: 'DELETE', path: `/v1/suppressions/${encodeURIComponent(key)}` });

    // Assess
    expect(added.status).toBe(201);
    expect(added.body.key).toBe(key);
    expect(removed.status).toBeLessThan(300);
  });
});
