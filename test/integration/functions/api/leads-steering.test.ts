import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { Lead } from '#shared/domain/schemas';
import { createLead, getLead } from '#shared/store/leads';
import { putMessage } from '#shared/store/outreach';
import {
  campaignBody,
  expectError,
  gatewayEvent,
  lambdaContext,
  useApiStack,
} from '#test/integration/functions/api/gateway';
import { testLead } from '#test/support/fixtures';

/** The lead steering routes: pause/resume one lead, list a campaign's leads by status, export them as CSV. */
const local = useApiStack();
const { call } = local;

async function newCampaign(campaignId: string) {
  const reply = await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody(campaignId) });
  expect(reply.status).toBe(201);
}

const seed = (campaignId: string, name: string, fields: Partial<Lead> = {}) =>
  createLead(testLead({ leadId: `${campaignId}-${name}`, campaignId, firstName: name, ...fields }));

/** A GET whose answer is not JSON: status, headers and the raw text. */
async function getText(path: string) {
  const result = await local.handler(gatewayEvent({ method: 'GET', path }), lambdaContext);
  return { status: result.statusCode, headers: result.headers ?? {}, text: result.body ?? '' };
}

describe('POST /v1/leads/{id}/pause and /resume', () => {
  it('pauses a NEW lead, resumes it to NEW, and answers 409 with the status it cannot pause or resume', async () => {
    // Prepare
    await newCampaign('api-steer');
    await seed('api-steer', 'ann');
    await seed('api-steer', 'bob', { status: 'CONTACTED' });
    await seed('api-steer', 'cy', { status: 'PAUSED', stopReason: 'ambiguous_send', executionName: 'x' });

    // Act
    const paused = await call({ method: 'POST', path: '/v1/leads/api-steer-ann/pause' });
    const resumed = await call({ method: 'POST', path: '/v1/leads/api-steer-ann/resume', json: {} });
    const contacted = await call({ method: 'POST', path: '/v1/leads/api-steer-bob/pause' });
    const ambiguous = await call({ method: 'POST', path: '/v1/leads/api-steer-cy/resume' });
    const missing = await call({ method: 'POST', path: '/v1/leads/nobody/pause' });
    const unknownField = await call({ method: 'POST', path: '/v1/leads/api-steer-ann/resume', json: { from: 1 } });

    // Assess
    expect(paused).toMatchObject({ status: 200, body: { status: 'PAUSED', stopReason: 'lead_paused' } });
    expect(resumed).toMatchObject({ status: 200, body: { leadId: 'api-steer-ann', status: 'NEW' } });
    expectError(contacted, 409, 'lead_not_pausable');
    expect(contacted.body.error.message).toContain('CONTACTED');
    expectError(ambiguous, 409, 'lead_awaits_release');
    expect(ambiguous.body.error.message).toContain('/v1/leads/api-steer-cy/release');
    expectError(missing, 404, 'not_found');
    expect(unknownField.status).toBe(400);
    expect((await getLead('api-steer-ann'))?.status).toBe('NEW');
  });
});

describe('GET /v1/campaigns/{id}/leads', () => {
  it('pages through one status or all of them with an opaque cursor', async () => {
    // Prepare: 3 NEW, 2 CONTACTED, 1 REPLIED.
    await newCampaign('api-list');
    for (const name of ['a', 'b', 'c']) await seed('api-list', name);
    for (const name of ['d', 'e']) await seed('api-list', name, { status: 'CONTACTED' });
    await seed('api-list', 'f', { status: 'REPLIED' });

    // Act
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call({
        method: 'GET',
        path: `/v1/campaigns/api-list/leads?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      });
      expect(page.status).toBe(200);
      ids.push(...page.body.items.map((lead: Lead) => lead.leadId));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    const contacted = await call({ method: 'GET', path: '/v1/campaigns/api-list/leads?status=CONTACTED' });
    const first = await call({ method: 'GET', path: '/v1/campaigns/api-list/leads?status=NEW&limit=2' });
    const foreign = await call({
      method: 'GET',
      path: `/v1/campaigns/api-steer/leads?cursor=${first.body.nextCursor}`,
    });
    const tooMany = await call({ method: 'GET', path: '/v1/campaigns/api-list/leads?limit=101' });

    // Assess
    expect(ids.sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f'].map((name) => `api-list-${name}`));
    expect(contacted.body.items.map((lead: Lead) => lead.status)).toEqual(['CONTACTED', 'CONTACTED']);
    expect(contacted.body.nextCursor).toBeUndefined();
    expect(foreign.status).toBe(400);
    expect(tooMany.status).toBe(400);
  });
});

describe('GET /v1/campaigns/{id}/leads.csv', () => {
  it('exports every lead with a header row, RFC 4180 quoting and formula-safe cells', async () => {
    // Prepare
    await newCampaign('api-csv');
    await seed('api-csv', 'eve', {
      firstName: '=HYPERLINK("http://evil.example","x")',
      lastName: 'O"Neil, Jr.',
      company: 'Line\nBreak',
      email: 'eve@csv.example',
      status: 'CONTACTED',
    });
    await seed('api-csv', 'max', { firstName: '-2+3', company: '@corp', lastName: '\tTab' });
    await putMessage({
      messageId: 'msg_csv_1',
      leadId: 'api-csv-eve',
      campaignId: 'api-csv',
      channel: 'EMAIL',
      status: 'DELIVERED',
      body: 'Hello',
      executionName: 'api-csv--api-csv-eve',
      attemptKey: 'api-csv--api-csv-eve#0#1',
      createdAt: '2026-11-24T09:00:00.000Z',
      sentAt: '2026-11-24T09:00:01.000Z',
    });

    // Act
    const reply = await getText('/v1/campaigns/api-csv/leads.csv');
    const rows = parse(reply.text, { columns: true }) as Record<string, string>[];
    const missing = await call({ method: 'GET', path: '/v1/campaigns/nowhere/leads.csv' });

    // Assess: a text answer of its own type (no HTML page policy), the file name a browser saves it under.
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(reply.headers['content-disposition']).toBe('attachment; filename="api-csv-leads.csv"');
    expect(reply.headers['content-security-policy']).toBeUndefined();
    expect(reply.headers['x-request-id']).toBeDefined();
    expect(reply.text.endsWith('\r\n')).toBe(true);
    expectError(missing, 404, 'not_found');
    expect(reply.text.split('\r\n')[0]).toBe(
      'leadId,firstName,lastName,email,company,grade,status,stopReason,channelUsed,touches,lastTouchAt,repliedAt,senderId,variantIds',
    );
    const eve = rows.find((row) => row.leadId === 'api-csv-eve');
    const max = rows.find((row) => row.leadId === 'api-csv-max');
    expect(eve).toMatchObject({
      firstName: `'=HYPERLINK("http://evil.example","x")`,
      lastName: 'O"Neil, Jr.',
      company: 'Line\nBreak',
      status: 'CONTACTED',
      channelUsed: 'EMAIL',
      touches: '1',
      lastTouchAt: '2026-11-24T09:00:01.000Z',
    });
    expect(max).toMatchObject({ firstName: "'-2+3", lastName: "'\tTab", company: "'@corp", touches: '0' });
    expect(rows).toHaveLength(2);
  });
});
