import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '#cli/serve';
import { openApiDocument } from '#functions/api/openapi';
import { unsubscribeToken } from '#shared/outreach/unsubscribe';
import { spawnCascade } from '#test/support/cli';

/**
 * The operator API over real HTTP: the embedded stack and the local API Gateway adapter in this process,
 * every route of docs/product.md §7 called with fetch.
 */

const TOKEN = 'serve-test-token';
let server: ApiServer;

interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field in the assertions.
  body: any;
}

interface CallOptions {
  json?: unknown;
  text?: string;
  contentType?: string;
  token?: string | null;
  idempotencyKey?: string;
}

async function call(method: string, pathname: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? TOKEN : options.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  } else if (options.text !== undefined) {
    body = options.text;
    headers['content-type'] = options.contentType ?? 'text/csv';
  }
  const response = await fetch(`${server.url}${pathname}`, { method, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** The fields named in a 400's details. */
function fields(answer: Answer): string[] {
  return (answer.body?.error?.details ?? []).map((detail: { field: string }) => detail.field);
}

const SENDER = { name: 'Ada Lovelace', email: 'ada@cascade-demo.example' };
const HEADER = 'first_name,last_name,email,company,website,contact_form_url,lead_score,budget_range,timeline_months';
const lead = (n: number, email = `lead${n}@acme-${n}.example`) =>
  `Lead${n},Test,${email},Acme ${n},https://acme-${n}.example,https://acme-${n}.example/contact,0.9,$10k,3`;
/** Three good rows, then a duplicate address (row 4) and a score out of range (row 5). */
const IMPORT_CSV = [
  HEADER,
  lead(1),
  lead(2),
  lead(3),
  lead(4, 'lead1@acme-1.example'),
  'NoScore,X,x@y.example,Y,,,7,,',
].join('\n');

async function waitForExecution(name: string): Promise<Answer> {
  for (let i = 0; i < 300; i++) {
    const answer = await call('GET', `/v1/executions/${name}`);
    if (answer.status !== 200 || answer.body.status !== 'RUNNING') return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`execution ${name} did not end`);
}

beforeAll(async () => {
  server = await startApiServer({ port: 0, token: TOKEN });
});

afterAll(async () => {
  await server?.close();
});

describe('cascade serve: authentication and the document', () => {
  it('answers 401 without the bearer token, and with a wrong one', async () => {
    // Act
    const missing = await call('GET', '/v1/campaigns/any', { token: null });
    const wrong = await call('GET', '/v1/suppressions', { token: 'not-the-token' });

    // Assess
    for (const answer of [missing, wrong]) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String), details: [] } });
    }
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('serves the OpenAPI document the API function builds (test/unit/functions/api/openapi.test.ts lists its routes)', async () => {
    // Act
    const answer = await call('GET', '/v1/openapi.json');

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toMatch(/^3\./);
    expect(answer.body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it('answers 404 for an unknown route and 405 for a known path with another method', async () => {
    // Act
    const unknown = await call('GET', '/v1/nothing-here');
    const method = await call('DELETE', '/v1/campaigns/x');

    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('route_not_found');
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toContain('GET');
  });
});

describe('cascade serve: campaigns', () => {
  it('creates, reads, replaces the sequence, pauses and resumes a campaign', async () => {
    // Act
    const created = await call('POST', '/v1/campaigns', {
      json: { campaignId: 'c-life', name: 'Life', sender: SENDER },
    });
    const read = await call('GET', '/v1/campaigns/c-life');
    const sequence = await call('PUT', '/v1/campaigns/c-life/sequence', {
      json: { steps: [{ channel: 'EMAIL' }, { channel: 'CONTACT_FORM', waitHoursBefore: 24 }] },
    });
    const paused = await call('POST', '/v1/campaigns/c-life/pause');
    const resumed = await call('POST', '/v1/campaigns/c-life/resume');

    // Assess
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v1/campaigns/c-life');
    expect(created.body).toMatchObject({
      campaignId: 'c-life',
      state: 'ACTIVE',
      minGrade: 'C',
      sequence: { version: 1 },
    });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(sequence.status).toBe(200);
    expect(sequence.body.sequence.version).toBe(2);
    expect(sequence.body.sequence.steps.map((step: { channel: string }) => step.channel)).toEqual([
      'EMAIL',
      'CONTACT_FORM',
    ]);
    expect(paused.body.state).toBe('PAUSED');
    expect(resumed.body.state).toBe('ACTIVE');
  });

  it('answers 400 with a detail per bad field', async () => {
    // Act
    const answer = await call('POST', '/v1/campaigns', { json: { name: '', sender: { email: 'not-an-address' } } });
    const badSequence = await call('PUT', '/v1/campaigns/c-life/sequence', { json: { steps: [] } });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_error');
    expect(fields(answer)).toEqual(expect.arrayContaining(['name', 'sender.name', 'sender.email']));
    expect(badSequence.status).toBe(400);
    expect(fields(badSequence)).toContain('steps');
  });

  it('answers 404 for an unknown campaign, and 409 for conflicts', async () => {
    // Prepare
    await call('POST', '/v1/campaigns', { json: { campaignId: 'c-conflict', name: 'Conflict', sender: SENDER } });

    // Act
    const unknown = await call('GET', '/v1/campaigns/no-such-campaign');
    const unknownPause = await call('POST', '/v1/campaigns/no-such-campaign/pause');
    const again = await call('POST', '/v1/campaigns', {
      json: { campaignId: 'c-conflict', name: 'Again', sender: SENDER },
    });
    const notPaused = await call('POST', '/v1/campaigns/c-conflict/resume');
    await call('POST', '/v1/campaigns/c-conflict/pause');
    const pausedTwice = await call('POST', '/v1/campaigns/c-conflict/pause');
    const batchWhilePaused = await call('POST', '/v1/campaigns/c-conflict/batches', { json: {} });

    // Assess
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect(unknownPause.status).toBe(404);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('campaign_exists');
    expect(notPaused.status).toBe(409);
    expect(pausedTwice.status).toBe(409);
    expect(batchWhilePaused.status).toBe(409);
    expect(batchWhilePaused.body.error.code).toBe('campaign_not_active');
  });

  it('replays a create with the same Idempotency-Key and body, and refuses the key with another body', async () => {
    // Prepare
    const body = { campaignId: 'c-idem', name: 'Idempotent', sender: SENDER };

    // Act
    const first = await call('POST', '/v1/campaigns', { json: body, idempotencyKey: 'key-create-1' });
    const replay = await call('POST', '/v1/campaigns', { json: body, idempotencyKey: 'key-create-1' });
    const other = await call('POST', '/v1/campaigns', {
      json: { ...body, name: 'Another' },
      idempotencyKey: 'key-create-1',
    });

    // Assess
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });
});

describe('cascade serve: leads, batches, executions, history, outreach, erasure, unsubscribe', () => {
  let leadIds: string[] = [];
  let executions: string[] = [];

  beforeAll(async () => {
    await call('POST', '/v1/campaigns', { json: { campaignId: 'c-leads', name: 'Leads', sender: SENDER } });
  });

  it('imports CSV keeping valid rows and reporting the others by row number', async () => {
    // Act
    const answer = await call('POST', '/v1/campaigns/c-leads/leads', { text: IMPORT_CSV, idempotencyKey: 'import-1' });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ campaignId: 'c-leads', rows: 5, imported: 3, rejected: 2 });
    expect(answer.body.leads.map((entry: { row: number }) => entry.row)).toEqual([1, 2, 3]);
    expect(answer.body.rejectedRows.map((entry: { row: number }) => entry.row)).toEqual([4, 5]);
    expect(answer.body.rejectedRows[1].errors).toEqual([{ field: 'leadScore', message: expect.any(String) }]);
    leadIds = answer.body.leads.map((entry: { leadId: string }) => entry.leadId);
  });

  it('replays an import with the same Idempotency-Key and body, and refuses the key with another body', async () => {
    // Act
    const replay = await call('POST', '/v1/campaigns/c-leads/leads', { text: IMPORT_CSV, idempotencyKey: 'import-1' });
    const other = await call('POST', '/v1/campaigns/c-leads/leads', {
      text: `${HEADER}\n${lead(9)}`,
      idempotencyKey: 'import-1',
    });

    // Assess
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.leads.map((entry: { leadId: string }) => entry.leadId)).toEqual(leadIds);
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('idempotency_key_reused');
  });

  it('imports a JSON array, with per-row errors', async () => {
    // Act
    const answer = await call('POST', '/v1/campaigns/c-leads/leads', {
      json: [
        { firstName: 'Json', email: 'json@json.example', leadScore: 0.9, budgetRange: '$5k', timelineMonths: 2 },
        { email: 'nofirst@json.example' },
      ],
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ imported: 1, rejected: 1 });
    expect(answer.body.rejectedRows[0]).toMatchObject({ row: 2, errors: [{ field: 'firstName' }] });
  });

  it('answers 413 for a JSON body over 1 MB and a CSV body over 6 MB', async () => {
    // Prepare
    const bigJson = [{ firstName: 'x'.repeat(1024 * 1024), email: 'big@big.example' }];
    const bigCsv = `${HEADER}\n${`${lead(1)}\n`.repeat(Math.ceil((6 * 1024 * 1024) / lead(1).length))}`;

    // Act
    const json = await call('POST', '/v1/campaigns/c-leads/leads', { json: bigJson });
    const csv = await call('POST', '/v1/campaigns/c-leads/leads', { text: bigCsv });

    // Assess
    expect(json.status).toBe(413);
    expect(json.body.error.code).toBe('payload_too_large');
    expect(csv.status).toBe(413);
    expect(csv.body).toEqual({ error: { code: 'payload_too_large', message: expect.any(String), details: [] } });
  });

  it('reads a lead, and answers 404 for an unknown one', async () => {
    // Act
    const found = await call('GET', `/v1/leads/${leadIds[0]}`);
    const unknown = await call('GET', '/v1/leads/lead_0000000000000000');

    // Assess
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ leadId: leadIds[0], campaignId: 'c-leads', status: 'NEW', firstName: 'Lead1' });
    expect(unknown.status).toBe(404);
  });

  it('renders a dry run without starting anything', async () => {
    // Act
    const answer = await call('POST', '/v1/campaigns/c-leads/batches', { json: { dryRun: true } });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body.started).toBe(0);
    expect(answer.body.dryRun.length).toBeGreaterThanOrEqual(3);
    expect(answer.body.dryRun[0]).toMatchObject({ firstChannel: 'EMAIL', subject: expect.any(String) });
  });

  it('launches a batch and audits each run until it ends', async () => {
    // Act
    const answer = await call('POST', '/v1/campaigns/c-leads/batches', { json: { limit: 3 }, idempotencyKey: 'b-1' });
    executions = answer.body.executions;
    const audits = await Promise.all(executions.map(waitForExecution));
    const unknown = await call('GET', '/v1/executions/c-leads--lead_ffffffffffffffff');
    const badName = await call('GET', '/v1/executions/not%20a%20name');

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ campaignId: 'c-leads', started: 3 });
    expect(executions).toHaveLength(3);
    for (const audit of audits) {
      expect(audit.status).toBe(200);
      expect(audit.body.status).toBe('SUCCEEDED');
      expect(audit.body.states.map((state: { name: string }) => state.name)).toContain('Send Email');
    }
    expect(unknown.status).toBe(404);
    expect(badName.status).toBe(400);
  });

  it("pages a lead's history, newest first, within the limit", async () => {
    // Act
    const answer = await call('GET', `/v1/leads/${leadIds[0]}/history?limit=50`);
    const tooMany = await call('GET', `/v1/leads/${leadIds[0]}/history?limit=500`);
    const unknown = await call('GET', '/v1/leads/lead_0000000000000000/history');

    // Assess
    expect(answer.status).toBe(200);
    const kinds = answer.body.items.map((entry: { kind: string }) => entry.kind);
    expect(kinds).toContain('message');
    expect(kinds).toContain('attempt');
    const times = answer.body.items.map((entry: { createdAt: string }) => entry.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    expect(tooMany.status).toBe(400);
    expect(fields(tooMany)).toEqual(['limit']);
    expect(unknown.status).toBe(404);
  });

  it('counts the sent mails in the channel metrics', async () => {
    // Act
    const answer = await call('GET', '/v1/metrics/channels?campaignId=c-leads&days=7');
    const badDays = await call('GET', '/v1/metrics/channels?days=0');
    const unknown = await call('GET', '/v1/metrics/channels?campaignId=no-such-campaign');

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.body.campaignId).toBe('c-leads');
    expect(answer.body.channels.EMAIL.sent).toBe(3);
    expect(Object.keys(answer.body.channels).sort()).toEqual(['CONTACT_FORM', 'EMAIL', 'LINKEDIN']);
    expect(badDays.status).toBe(400);
    expect(fields(badDays)).toEqual(['days']);
    expect(unknown.status).toBe(404);
  });

  it('starts an operator message, replays it by key, and refuses a lead already in a sequence', async () => {
    // Prepare
    const body = { body: 'Hello {{ lead.firstName }}', subject: 'A word', forceChannel: 'EMAIL' };

    // Act
    const started = await call('POST', `/v1/leads/${leadIds[0]}/outreach`, { json: body, idempotencyKey: 'o-1' });
    const replay = await call('POST', `/v1/leads/${leadIds[0]}/outreach`, { json: body, idempotencyKey: 'o-1' });
    const busy = await call('POST', `/v1/leads/${leadIds[0]}/outreach`, { json: body, idempotencyKey: 'o-2' });
    const ended = await waitForExecution(started.body.executionName);
    const badTemplate = await call('POST', `/v1/leads/${leadIds[1]}/outreach`, { json: { body: '{{ nope.x }}' } });
    const badBody = await call('POST', `/v1/leads/${leadIds[1]}/outreach`, { json: { forceChannel: 'FAX' } });

    // Assess
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/v1/executions/${started.body.executionName}`);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(started.body);
    expect(busy.status).toBe(409);
    expect(ended.body.status).toBe('SUCCEEDED');
    expect(badTemplate.status).toBe(400);
    expect(badBody.status).toBe(400);
    expect(fields(badBody)).toEqual(expect.arrayContaining(['body', 'forceChannel']));
  });

  it('unsubscribes by the public one-click link, without a token', async () => {
    // Prepare
    const token = unsubscribeToken(leadIds[1] ?? '', 'c-leads');

    // Act
    const answer = await fetch(`${server.url}/v1/unsubscribe?token=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    const forged = await call('POST', '/v1/unsubscribe?token=forged.token', { token: null });
    const unsubscribed = await call('GET', `/v1/leads/${leadIds[1]}`);
    const outreach = await call('POST', `/v1/leads/${leadIds[1]}/outreach`, { json: { body: 'Hi' } });

    // Assess
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ unsubscribed: true });
    expect(forged.status).toBe(400);
    expect(forged.body.error.code).toBe('invalid_token');
    expect(unsubscribed.body.status).toBe('UNSUBSCRIBED');
    expect(outreach.status).toBe(409);
  });

  it('erases a lead, and refuses to import its address again', async () => {
    // Act
    const erased = await call('DELETE', `/v1/leads/${leadIds[2]}`);
    const erasedLead = await call('GET', `/v1/leads/${leadIds[2]}`);
    const reimport = await call('POST', '/v1/campaigns/c-leads/leads', { text: `${HEADER}\n${lead(3)}` });
    const unknown = await call('DELETE', '/v1/leads/lead_0000000000000000');

    // Assess
    expect(erased.status).toBe(200);
    expect(erased.body).toMatchObject({
      leadId: leadIds[2],
      erased: true,
      suppression: expect.stringMatching(/^HASH#/),
    });
    expect(erasedLead.body.email).toBeUndefined();
    expect(reimport.body).toMatchObject({ imported: 0, rejected: 1 });
    expect(reimport.body.rejectedRows[0].errors[0].field).toBe('email');
    expect(unknown.status).toBe(404);
  });
});

describe('cascade serve: channel config and suppressions', () => {
  beforeAll(async () => {
    await call('POST', '/v1/campaigns', { json: { campaignId: 'c-config', name: 'Config', sender: SENDER } });
  });

  it('reads the default config and replaces a campaign config', async () => {
    // Act
    const before = await call('GET', '/v1/channels/EMAIL/config?campaignId=c-config');
    const put = await call('PUT', '/v1/channels/EMAIL/config?campaignId=c-config', {
      json: { enabled: true, rateLimits: { perHour: 10, perDay: 100 }, settings: { mxCheck: false } },
    });
    const after = await call('GET', '/v1/channels/EMAIL/config?campaignId=c-config');
    const account = await call('GET', '/v1/channels/EMAIL/config');

    // Assess
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      channel: 'EMAIL',
      source: 'default',
      rateLimits: { perHour: 50, perDay: 200 },
    });
    expect(put.status).toBe(200);
    expect(after.body).toMatchObject({
      source: 'campaign',
      scope: 'c-config',
      rateLimits: { perHour: 10, perDay: 100 },
    });
    expect(account.body.source).not.toBe('campaign');
  });

  it('answers 400 for a bad channel or bad limits, and 404 for an unknown campaign', async () => {
    // Act
    const channel = await call('GET', '/v1/channels/FAX/config');
    const limits = await call('PUT', '/v1/channels/EMAIL/config', {
      json: { rateLimits: { perHour: -1, perDay: 1.5 } },
    });
    const unknown = await call('GET', '/v1/channels/EMAIL/config?campaignId=no-such-campaign');

    // Assess
    expect(channel.status).toBe(400);
    expect(fields(channel)).toEqual(['channel']);
    expect(limits.status).toBe(400);
    expect(fields(limits)).toEqual(expect.arrayContaining(['rateLimits.perHour', 'rateLimits.perDay']));
    expect(unknown.status).toBe(404);
  });

  it('adds, lists and removes suppressions', async () => {
    // Act
    const added = await call('POST', '/v1/suppressions', { json: { email: 'Stop@Me.example', reason: 'asked' } });
    const again = await call('POST', '/v1/suppressions', { json: { email: 'stop@me.example', reason: 'asked' } });
    const domain = await call('POST', '/v1/suppressions', { json: { domain: 'nomail.example', reason: 'policy' } });
    const listed = await call('GET', '/v1/suppressions?limit=500');
    const removed = await call('DELETE', `/v1/suppressions/${encodeURIComponent('EMAIL#stop@me.example')}`);
    const removedAgain = await call('DELETE', `/v1/suppressions/${encodeURIComponent('EMAIL#stop@me.example')}`);

    // Assess
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ key: 'EMAIL#stop@me.example', reason: 'asked' });
    expect(again.status).toBe(200);
    expect(domain.status).toBe(201);
    const keys = listed.body.items.map((entry: { key: string }) => entry.key);
    expect(keys).toEqual(expect.arrayContaining(['EMAIL#stop@me.example', 'DOMAIN#nomail.example']));
    expect(removed.status).toBe(204);
    expect(removedAgain.status).toBe(404);
  });

  it('answers 400 for a bad suppression and 409 for removing an erasure entry', async () => {
    // Act
    const neither = await call('POST', '/v1/suppressions', { json: { reason: 'x' } });
    const badKey = await call('DELETE', '/v1/suppressions/nothing');
    const hash = await call('DELETE', `/v1/suppressions/${encodeURIComponent(`HASH#${'0'.repeat(64)}`)}`);

    // Assess
    expect(neither.status).toBe(400);
    expect(fields(neither)).toContain('email');
    expect(badKey.status).toBe(400);
    expect(hash.status).toBe(409);
    expect(hash.body.error.code).toBe('erasure_suppression_permanent');
  });
});

describe('the batch schedule', () => {
  it("launches every active campaign's batch when the template's schedule rule fires (a weekday 09:00)", async () => {
    // Prepare
    await call('POST', '/v1/campaigns', { json: { campaignId: 'c-scheduled', name: 'Scheduled', sender: SENDER } });
    const imported = await call('POST', '/v1/campaigns/c-scheduled/leads', { text: `${HEADER}\n${lead(21)}` });
    const leadId = imported.body.leads[0].leadId as string;
    const { eventBridge } = server.stack;

    // Act: the EventBridge twin drives the synthesized rule (cron(0 8-17 ? * MON-FRI *)) over one minute.
    const quietSunday = eventBridge.fireSchedules(
      Date.parse('2026-12-06T08:59:00Z'),
      Date.parse('2026-12-06T09:00:00Z'),
    );
    const monday = eventBridge.fireSchedules(Date.parse('2026-12-07T08:59:00Z'), Date.parse('2026-12-07T09:00:00Z'));
    await eventBridge.drain();
    const ended = await waitForExecution(`c-scheduled--${leadId}`);

    // Assess
    expect(quietSunday).toBe(0);
    expect(monday).toBe(1);
    expect(ended.status).toBe(200);
    expect(ended.body.status).toBe('SUCCEEDED');
  });
});

describe('the out-of-office sweep', () => {
  it('is its own quarter-hourly rule, the one serve drives without --schedule', async () => {
    // Prepare
    const { isOutOfOfficeSweep } = await import('#cli/serve');
    const { eventBridge } = server.stack;

    // Act
    const sweeps = eventBridge.rules.filter(isOutOfOfficeSweep);
    const fired = eventBridge.fireSchedules(
      Date.parse('2026-12-08T09:00:00Z'),
      Date.parse('2026-12-08T10:00:00Z'),
      isOutOfOfficeSweep,
    );
    await eventBridge.drain();

    // Assess: four sweeps in an hour, and no batch launch among them.
    expect(sweeps.map((rule) => rule.scheduleExpression)).toEqual(['rate(15 minutes)']);
    expect(fired).toBe(4);
  });
});

describe('cascade serve as a command', () => {
  let child: ChildProcess | undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cascade-serve-'));

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the API, OpenAPI and SES-inbox URLs and the token, serves them, and stops on SIGTERM', async () => {
    // Prepare
    // A fresh process: nothing of this process's embedded stack (its signing secret included) carries over.
    const serve = spawnCascade(['serve', '--port', '0', '--data', dataDir], { CASCADE_API_TOKEN: 'smoke-token' });
    child = serve;
    let stdout = '';
    serve.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => serve.on('exit', (code) => resolve(code)));

    // Act
    for (let i = 0; i < 300 && !/Ctrl-C stops/.test(stdout); i++) await new Promise((r) => setTimeout(r, 100));
    const peer = (name: string) =>
      new RegExp(`^\\s+${name}\\s+(http://127\\.0\\.0\\.1:\\d+)`, 'm').exec(stdout)?.[1] ?? '';
    // A stock client pointed at the printed Step Functions endpoint with the printed keys (what the AWS CLI does).
    const sfn = new SFNClient({
      endpoint: peer('Step Functions'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const machines = await sfn.send(new ListStateMachinesCommand({}));
    const api = /Cascade API\s+(\S+)/.exec(stdout)?.[1] ?? '';
    const openApi = /OpenAPI\s+(\S+)/.exec(stdout)?.[1] ?? '';
    const inbox = /SES inbox\s+(\S+)/.exec(stdout)?.[1] ?? '';
    const document = await fetch(openApi, { headers: { authorization: 'Bearer smoke-token' } });
    const inboxPage = await fetch(inbox);
    const created = await fetch(`${api}/campaigns`, {
      method: 'POST',
      headers: { authorization: 'Bearer smoke-token', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Smoke', sender: SENDER }),
    });
    serve.kill('SIGTERM');
    const code = await exited;

    // Assess
    expect(api).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(openApi).toBe(`${api}/openapi.json`);
    expect(stdout).toMatch(/Token\s+smoke-token/);
    expect(document.status).toBe(200);
    expect(inboxPage.status).toBe(200);
    expect(created.status).toBe(201);
    expect(code).toBe(0);
    expect(existsSync(path.join(dataDir, 'dynamodb'))).toBe(true);
    expect(existsSync(path.join(dataDir, 'unsubscribe-secret'))).toBe(true);
    for (const name of [
      'DynamoDB',
      'SES \\(v2\\)',
      'Step Functions',
      'SSM',
      'EventBridge',
      'LinkedIn sandbox',
      'Sandbox site',
      'S3',
    ])
      expect(peer(name), name).not.toBe('');
    expect(machines.stateMachines?.map((machine) => machine.name)).toEqual(['CascadeOutreach']);
    expect(stdout).toContain('export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local');
    expect(existsSync(path.join(dataDir, 'logs'))).toBe(true);
  }, 60_000);
});
