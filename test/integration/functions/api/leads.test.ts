import { describe, expect, it } from 'vitest';
import type { OutreachMessage } from '#shared/domain/schemas';
import { leadFromInput } from '#shared/leads/create';
import { LeadInput } from '#shared/leads/import';
import { createLead, getLead, transitionLead } from '#shared/store/leads';
import { claimAttempt, putMessage } from '#shared/store/outreach';
import { erasureKeyFor, getSuppression } from '#shared/store/suppressions';
import { campaignBody, expectError, expectInvalid, useApiStack } from '#test/integration/functions/api/gateway';

const local = useApiStack();
const { call } = local;

async function newCampaign(campaignId: string) {
  const reply = await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody(campaignId) });
  expect(reply.status).toBe(201);
}

async function seedLead(campaignId: string, firstName: string, email: string) {
  const lead = leadFromInput(LeadInput.parse({ firstName, lastName: 'Doe', email, leadScore: 0.9 }), campaignId);
  await createLead(lead);
  return lead;
}

/** Posts a lead file of any content type (CSV by default) to a campaign's import. */
function importText(campaignId: string, body: string, contentType = 'text/csv') {
  return call({ method: 'POST', path: `/v1/campaigns/${campaignId}/leads`, raw: { body, contentType } });
}

function message(leadId: string, campaignId: string, index: number): OutreachMessage {
  return {
    messageId: `msg_${leadId}_${index}`,
    leadId,
    campaignId,
    channel: 'EMAIL',
    status: 'SENT',
    subject: `Subject ${index} for Ann`,
    body: `Body ${index}: hello Ann Doe`,
    executionName: `exec-${leadId}`,
    attemptKey: `exec-${leadId}#0#${index}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 10, index)).toISOString(),
  };
}

const CSV = [
  'first_name,last_name,email,lead_score,company',
  'Ann,Lee,ann@csv.example,0.9,Acme', // 1 good
  'Ben,Ng,ben@csv.example,0.5,Beta', // 2 good
  'Cat,Ray,ANN@csv.example,0.4,Acme', // 3 duplicate of row 1 in the file
  ',Nameless,nameless@csv.example,0.4,Gamma', // 4 no first name
  'Dan,Roe,dan@csv.example,1.5,Delta', // 5 score out of range
  'Eve,"Ad"am,eve@csv.example,0.3,Eps', // 6 broken quoting
  'Fay,Wu,fay@csv.example,0.6,Zeta,surplus', // 7 more cells than columns
  'Gus,Li,already@csv.example,0.7,Eta', // 8 already in the campaign
  'Hal,Oz,hal@csv.example,0.2,Theta', // 9 good
].join('\n');

describe('POST /v1/campaigns/{id}/leads', () => {
  it('imports the good CSV rows and reports every bad row by number', async () => {
    // Prepare
    await newCampaign('csv');
    await seedLead('csv', 'Gus', 'already@csv.example');

    // Act
    const reply = await importText('csv', CSV, 'text/csv; charset=utf-8');

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ campaignId: 'csv', rows: 9, imported: 3, rejected: 6 });
    expect(reply.body.leads.map((lead: { row: number }) => lead.row)).toEqual([1, 2, 9]);
    const byRow = Object.fromEntries(
      reply.body.rejectedRows.map((rejected: { row: number; errors: unknown[] }) => [rejected.row, rejected.errors]),
    );
    expect(Object.keys(byRow).map(Number)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(byRow[3]).toEqual([{ field: 'email', message: 'duplicate of row 1' }]);
    expect(byRow[4]).toEqual([{ field: 'firstName', message: 'is required' }]);
    expect(byRow[5]).toEqual([{ field: 'leadScore', message: 'must be between 0 and 1' }]);
    expect(byRow[6]).toEqual([{ field: 'row', message: expect.stringContaining('line 7') }]);
    expect(byRow[7]).toEqual([{ field: 'row', message: 'has 6 cells but the header has 5 columns' }]);
    expect(byRow[8]).toEqual([{ field: 'email', message: 'already in this campaign' }]);
    const imported = await getLead(reply.body.leads[0].leadId);
    expect(imported).toMatchObject({ firstName: 'Ann', email: 'ann@csv.example', status: 'NEW', campaignId: 'csv' });
  });

  it('imports a JSON array, validating each item on its own', async () => {
    // Prepare
    await newCampaign('json-import');
    const leads = [
      { firstName: 'Ivy', email: 'ivy@json.example', leadScore: 0.8, tags: ['a', 'b'] },
      'not an object',
      { first_name: 'Jon', email: 'jon@json.example', lead_score: '0.3' },
    ];

    // Act
    const reply = await call({ method: 'POST', path: '/v1/campaigns/json-import/leads', json: leads });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ rows: 3, imported: 2, rejected: 1 });
    expect(reply.body.rejectedRows).toEqual([
      { row: 2, reasons: [expect.any(String)], errors: [{ field: 'row', message: expect.any(String) }] },
    ]);
    expect(reply.body.leads.map((lead: { row: number }) => lead.row)).toEqual([1, 3]);
  });

  it('replays an import for the same Idempotency-Key instead of importing twice', async () => {
    // Prepare
    await newCampaign('import-once');
    const request = {
      method: 'POST',
      path: '/v1/campaigns/import-once/leads',
      raw: { body: 'first_name,email\nKim,kim@once.example\n', contentType: 'text/csv' },
      headers: { 'Idempotency-Key': 'import-once-1' },
    };

    // Act
    const first = await call(request);
    const replay = await call(request);
    const withoutKey = await call({ ...request, headers: {} });

    // Assess
    expect(first.body.imported).toBe(1);
    expect(replay.status).toBe(first.status);
    expect(replay.rawBody).toBe(first.rawBody);
    expect(withoutKey.body.rejectedRows[0].errors).toEqual([{ field: 'email', message: 'already in this campaign' }]);
  });

  it('answers 413 for more than 10,000 leads, a CSV over 6 MB and JSON over 1 MB', async () => {
    // Prepare
    await newCampaign('big');
    const manyLeads = Array.from({ length: 10_001 }, (_, index) => ({ firstName: `L${index}` }));
    const bigCsv = `first_name,company\nZed,${'x'.repeat(6 * 1024 * 1024)}\n`;
    const manyCsvRows = `first_name\n${'Zed\n'.repeat(10_001)}`;
    const bigJson = [{ firstName: 'Zed', company: 'x'.repeat(1024 * 1024) }];

    // Act
    const tooManyJson = await call({ method: 'POST', path: '/v1/campaigns/big/leads', json: manyLeads });
    const tooManyCsv = await importText('big', manyCsvRows);
    const csvTooBig = await importText('big', bigCsv);
    const jsonTooBig = await call({ method: 'POST', path: '/v1/campaigns/big/leads', json: bigJson });

    // Assess
    expectError(tooManyJson, 413, 'too_many_leads');
    expectError(tooManyCsv, 413, 'too_many_leads');
    expectError(csvTooBig, 413, 'payload_too_large');
    expectError(jsonTooBig, 413, 'payload_too_large');
  });

  it('answers 415 for another content type and 404 for an unknown campaign', async () => {
    // Act
    const plain = await importText('big', 'Ann', 'text/plain');
    const unknown = await call({ method: 'POST', path: '/v1/campaigns/ghost/leads', json: [] });

    // Assess
    expectError(plain, 415, 'unsupported_media_type');
    expect(unknown.status).toBe(404);
  });
});

describe('GET /v1/leads/{id}', () => {
  it('reads a lead and answers 404 for an unknown one', async () => {
    // Prepare
    await newCampaign('read-lead');
    const lead = await seedLead('read-lead', 'Lia', 'lia@read.example');

    // Act
    const found = await call({ method: 'GET', path: `/v1/leads/${lead.leadId}` });
    const missing = await call({ method: 'GET', path: '/v1/leads/lead_missing' });

    // Assess
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ leadId: lead.leadId, firstName: 'Lia', grade: lead.grade, status: 'NEW' });
    expectError(missing, 404, 'not_found');
  });
});

describe('GET /v1/leads/{id}/history', () => {
  it('pages newest first with an opaque cursor', async () => {
    // Prepare
    await newCampaign('history');
    const lead = await seedLead('history', 'Ann', 'ann@history.example');
    for (let index = 0; index < 3; index++) await putMessage(message(lead.leadId, 'history', index));
    await claimAttempt({
      attemptKey: `exec-${lead.leadId}#0#9`,
      leadId: lead.leadId,
      campaignId: 'history',
      executionName: `exec-${lead.leadId}`,
      channel: 'EMAIL',
      stepIndex: 0,
      tryNumber: 9,
      state: 'PENDING',
      phase: 'PREPARED',
      owner: 'test',
      createdAt: '2026-01-01T11:00:00.000Z',
      updatedAt: '2026-01-01T11:00:00.000Z',
    });

    // Act
    const first = await call({ method: 'GET', path: `/v1/leads/${lead.leadId}/history?limit=2` });
    const second = await call({
      method: 'GET',
      path: `/v1/leads/${lead.leadId}/history?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    });
    const all = await call({ method: 'GET', path: `/v1/leads/${lead.leadId}/history` });

    // Assess
    expect(first.status).toBe(200);
    expect(first.body.items.map((item: { kind: string }) => item.kind)).toEqual(['attempt', 'message']);
    expect(first.body.items[1].messageId).toBe(`msg_${lead.leadId}_2`);
    expect(typeof first.body.nextCursor).toBe('string');
    expect(second.body.items.map((item: { messageId: string }) => item.messageId)).toEqual([
      `msg_${lead.leadId}_1`,
      `msg_${lead.leadId}_0`,
    ]);
    expect(second.body.nextCursor).toBeUndefined();
    expect(all.body.items).toHaveLength(4);
  });

  it('rejects a limit above 200, a foreign cursor and an unknown lead', async () => {
    // Prepare
    await newCampaign('history-bad');
    const lead = await seedLead('history-bad', 'Ann', 'ann@history-bad.example');
    const foreign = Buffer.from(JSON.stringify({ pk: 'LEAD#someone-else', sk: 'x', timeSort: 'y' })).toString(
      'base64url',
    );

    // Act
    const tooMany = await call({ method: 'GET', path: `/v1/leads/${lead.leadId}/history?limit=201` });
    const badCursor = await call({ method: 'GET', path: `/v1/leads/${lead.leadId}/history?cursor=${foreign}` });
    const unknown = await call({ method: 'GET', path: '/v1/leads/lead_nobody/history' });

    // Assess
    expectInvalid(tooMany, 'limit');
    expectInvalid(badCursor, 'cursor');
    expect(unknown.status).toBe(404);
  });
});

describe('POST /v1/leads/{id}/outreach', () => {
  it('starts an execution that sends the operator message on the forced channel', async () => {
    // Prepare
    await newCampaign('operator');
    const lead = await seedLead('operator', 'Ann', 'ann@operator.example');

    // Act
    const reply = await call({
      method: 'POST',
      path: `/v1/leads/${lead.leadId}/outreach`,
      json: { body: 'Hi {{ lead.firstName }}, a note from a human.', subject: 'A note', forceChannel: 'EMAIL' },
      headers: { 'Idempotency-Key': 'operator-note-1' },
    });
    await local.stack.stepFunctions.drain();

    // Assess
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ channel: 'EMAIL', executionName: expect.stringContaining('-op-') });
    expect(reply.headers.location).toBe(`/v1/executions/${reply.body.executionName}`);
    const history = await call({ method: 'GET', path: `/v1/leads/${lead.leadId}/history` });
    const sent = history.body.items.find((item: { kind: string }) => item.kind === 'message');
    expect(sent).toMatchObject({ subject: 'A note', channel: 'EMAIL' });
    expect(['SENT', 'DELIVERED']).toContain(sent.status);
    expect(sent.body).toContain('Hi Ann, a note from a human.');
    expect((await getLead(lead.leadId))?.status).toBe('CONTACTED');
  });

  it('answers 409 while the lead is in a sequence, 400 for a broken template, 404 for an unknown lead', async () => {
    // Prepare
    await newCampaign('operator-busy');
    const lead = await seedLead('operator-busy', 'Bo', 'bo@operator.example');
    await transitionLead(lead, ['NEW'], 'IN_SEQUENCE', { executionName: 'running-elsewhere' });

    // Act
    const busy = await call({ method: 'POST', path: `/v1/leads/${lead.leadId}/outreach`, json: { body: 'Hello' } });
    const broken = await call({
      method: 'POST',
      path: `/v1/leads/${lead.leadId}/outreach`,
      json: { body: 'Hello {{ lead.nickname }}', forceChannel: 'SMS' },
    });
    const template = await call({
      method: 'POST',
      path: `/v1/leads/${lead.leadId}/outreach`,
      json: { body: 'Hello {{ lead.nickname }}' },
    });
    const unknown = await call({ method: 'POST', path: '/v1/leads/lead_nobody/outreach', json: { body: 'Hi' } });

    // Assess
    expectError(busy, 409, 'outreach_not_allowed');
    expectInvalid(broken, 'forceChannel');
    expect(template.status).toBe(400);
    expect(template.body.error.details).toEqual([{ field: 'body', message: expect.stringContaining('lead.nickname') }]);
    expect(unknown.status).toBe(404);
    expect((await getLead(lead.leadId))?.executionName).toBe('running-elsewhere');
  });
});

describe('DELETE /v1/leads/{id}', () => {
  it("erases the lead's personal data and its messages, and keeps the address out for good", async () => {
    // Prepare
    await newCampaign('erase');
    const lead = await seedLead('erase', 'Ann', 'Ann.Doe@Erase.example');
    await putMessage(message(lead.leadId, 'erase', 0));

    // Act
    const reply = await call({ method: 'DELETE', path: `/v1/leads/${lead.leadId}` });
    const again = await call({ method: 'DELETE', path: `/v1/leads/${lead.leadId}` });
    const reimport = await call({
      method: 'POST',
      path: '/v1/campaigns/erase/leads',
      json: [{ firstName: 'Ann', email: 'ann.doe@erase.example' }],
    });
    const removeHash = await call({
      method: 'DELETE',
      path: `/v1/suppressions/${encodeURIComponent(reply.body.suppression)}`,
    });

    // Assess
    const hashKey = erasureKeyFor('ann.doe@erase.example');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ leadId: lead.leadId, erased: true, suppression: hashKey, messagesErased: 1 });
    expect(again.status).toBe(200);
    expect(again.body.suppression).toBe(hashKey);
    const erased = await call({ method: 'GET', path: `/v1/leads/${lead.leadId}` });
    expect(erased.body).toMatchObject({ firstName: 'erased', status: 'UNSUBSCRIBED', erasedAt: expect.any(String) });
    expect(erased.body.email).toBeUndefined();
    expect(erased.body.lastName).toBeUndefined();
    expect(JSON.stringify(erased.body)).not.toMatch(/ann/i);
    const history = await call({ method: 'GET', path: `/v1/leads/${lead.leadId}/history` });
    expect(history.body.items[0]).toMatchObject({ kind: 'message', body: '', status: 'SENT' });
    expect(history.body.items[0].subject).toBeUndefined();
    expect(await getSuppression(hashKey)).toMatchObject({ reason: 'erased' });
    expect(reimport.body).toMatchObject({ imported: 0, rejected: 1 });
    expect(reimport.body.rejectedRows[0].errors[0]).toMatchObject({ field: 'email' });
    expectError(removeHash, 409, 'erasure_suppression_permanent');
  });

  it('answers 404 for an unknown lead', async () => {
    // Act
    const reply = await call({ method: 'DELETE', path: '/v1/leads/lead_nobody' });

    // Assess
    expect(reply.status).toBe(404);
  });
});
