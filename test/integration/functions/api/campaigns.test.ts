import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { leadFromInput } from '#shared/leads/create';
import { LeadInput } from '#shared/leads/import';
import { createLead, getCampaign, getLead } from '#shared/store/leads';
import { campaignBody, expectError, expectInvalid, useApiStack } from '#test/integration/functions/api/gateway';

const local = useApiStack();
const { call } = local;

async function seedLeads(campaignId: string) {
  const rows = [
    { firstName: 'Ann', email: `ann@${campaignId}.example`, leadScore: 0.9, budgetRange: '$10k', timelineMonths: 3 },
    { firstName: 'Ben', email: `ben@${campaignId}.example`, leadScore: 0.5 },
    { firstName: 'Dee', email: `dee@${campaignId}.example`, leadScore: 0.1 },
  ];
  const leads = rows.map((row) => leadFromInput(LeadInput.parse(row), campaignId));
  for (const lead of leads) await createLead(lead);
  return leads;
}

describe('POST /v1/campaigns', () => {
  it('creates a campaign with the default sequence at version 1', async () => {
    // Prepare
    const body = campaignBody('create-1', { minGrade: 'B' });

    // Act
    const reply = await call({ method: 'POST', path: '/v1/campaigns', json: body });

    // Assess
    expect(reply.status).toBe(201);
    expect(reply.headers.location).toBe('/v1/campaigns/create-1');
    expect(reply.body).toMatchObject({ campaignId: 'create-1', state: 'ACTIVE', minGrade: 'B' });
    expect(reply.body.sequence.version).toBe(1);
    expect(reply.body.sequence.steps.map((step: { channel: string }) => step.channel)).toEqual([
      'EMAIL',
      'LINKEDIN',
      'CONTACT_FORM',
    ]);
    expect((await getCampaign('create-1'))?.name).toBe('Campaign create-1');
  });

  it('rejects invalid fields with one detail per field', async () => {
    // Prepare
    const body = { name: '', sender: { name: 'Ada', email: 'not-an-address' }, minGrade: 'Z' };

    // Act
    const reply = await call({ method: 'POST', path: '/v1/campaigns', json: body });

    // Assess
    expectError(reply, 400, 'validation_error');
    const fields = reply.body.error.details.map((detail: { field: string }) => detail.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'sender.email', 'minGrade']));
    expect(reply.body.error.details).toContainEqual({ field: 'sender.email', message: expect.any(String) });
  });

  it('rejects a template that does not compile, naming the template part', async () => {
    // Prepare
    const body = campaignBody('bad-template', {
      templates: { EMAIL: { subject: 'Hi {{ lead.firstName }}', body: 'Hello {{ lead.compnay }}' } },
    });

    // Act
    const reply = await call({ method: 'POST', path: '/v1/campaigns', json: body });

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.body.error.details).toEqual([
      { field: 'templates.EMAIL.body', message: expect.stringContaining('lead.compnay') },
    ]);
    expect(await getCampaign('bad-template')).toBeUndefined();
  });

  it('answers 409 for an id that is taken', async () => {
    // Prepare
    await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('taken') });

    // Act
    const reply = await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('taken') });

    // Assess
    expectError(reply, 409, 'campaign_exists');
  });

  it('replays the first response for the same Idempotency-Key and body, and refuses another body', async () => {
    // Prepare
    const body = { name: 'No id given', sender: { name: 'Ada', email: 'ada@cascade-demo.example' } };
    const headers = { 'Idempotency-Key': 'create-campaign-key-1' };
    const first = await call({ method: 'POST', path: '/v1/campaigns', json: body, headers });

    // Act
    const replay = await call({ method: 'POST', path: '/v1/campaigns', json: { ...body }, headers });
    const other = await call({ method: 'POST', path: '/v1/campaigns', json: { ...body, name: 'Other' }, headers });

    // Assess
    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.rawBody).toBe(first.rawBody);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.headers.location).toBe(first.headers.location);
    expectError(other, 409, 'idempotency_key_reused');
  });
});

describe('GET /v1/campaigns/{id}', () => {
  it('reads a campaign', async () => {
    // Prepare
    await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('read-me') });

    // Act
    const reply = await call({ method: 'GET', path: '/v1/campaigns/read-me' });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ campaignId: 'read-me', name: 'Campaign read-me' });
  });

  it('answers 404 for an unknown id', async () => {
    // Act
    const reply = await call({ method: 'GET', path: '/v1/campaigns/nobody' });

    // Assess
    expect(reply.status).toBe(404);
    expect(reply.body).toEqual({
      error: { code: 'not_found', message: 'campaign nobody does not exist', details: [] },
    });
  });
});

describe('PUT /v1/campaigns/{id}/sequence', () => {
  it('stores the new sequence as version old + 1 while a running execution keeps its own', async () => {
    // Prepare
    await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('versions') });
    const [ann] = await seedLeads('versions');
    const launched = await call({ method: 'POST', path: '/v1/campaigns/versions/batches', json: { limit: 1 } });
    const executionName = launched.body.executions[0] as string;

    // Act
    const reply = await call({
      method: 'PUT',
      path: '/v1/campaigns/versions/sequence',
      json: { steps: [{ channel: 'LINKEDIN', maxRetries: 1 }, { channel: 'EMAIL' }] },
    });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body.sequence.version).toBe(2);
    expect(reply.body.sequence.steps.map((step: { channel: string }) => step.channel)).toEqual(['LINKEDIN', 'EMAIL']);
    // Its own retry count; no backoff of its own: the channel config's retryPolicy gives it when a run starts.
    expect(reply.body.sequence.steps[0]).toMatchObject({ maxRetries: 1 });
    expect(reply.body.sequence.steps[0].retryBackoffHours).toBeUndefined();
    const described = await new SFNClient({}).send(
      new DescribeExecutionCommand({ executionArn: local.stack.stepFunctions.arnFor(executionName) }),
    );
    expect(JSON.parse(described.input ?? '{}').sequence.version).toBe(1);
    expect((await getLead(ann?.leadId ?? ''))?.sequenceVersion).toBe(1);
  });

  it('rejects an empty sequence and a negative wait with field details', async () => {
    // Prepare
    await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('bad-sequence') });

    // Act
    const empty = await call({ method: 'PUT', path: '/v1/campaigns/bad-sequence/sequence', json: { steps: [] } });
    const negative = await call({
      method: 'PUT',
      path: '/v1/campaigns/bad-sequence/sequence',
      json: { steps: [{ channel: 'EMAIL', waitHoursBefore: -1 }, { channel: 'FAX' }] },
    });

    // Assess
    expectInvalid(empty, 'steps');
    expect(negative.status).toBe(400);
    expect(negative.body.error.details.map((detail: { field: string }) => detail.field)).toEqual([
      'steps.0.waitHoursBefore',
      'steps.1.channel',
    ]);
  });

  it('answers 404 for an unknown campaign', async () => {
    // Act
    const reply = await call({
      method: 'PUT',
      path: '/v1/campaigns/ghost/sequence',
      json: { steps: [{ channel: 'EMAIL' }] },
    });

    // Assess
    expect(reply.status).toBe(404);
  });
});

describe('PUT /v1/campaigns/{id}/schedule', () => {
  it('gives a new campaign the default window, replaces it, and names a bad field', async () => {
    // Prepare: no schedule in the request (campaignBody's any-hour one taken out).
    const { schedule: _anyHour, ...body } = campaignBody('schedule-1');
    const created = await call({ method: 'POST', path: '/v1/campaigns', json: body });
    const weekend = { days: ['SAT', 'SUN'], start: '10:00', end: '14:00', timezone: 'Asia/Tokyo' };

    // Act
    const replaced = await call({ method: 'PUT', path: '/v1/campaigns/schedule-1/schedule', json: weekend });
    const badZone = await call({
      method: 'PUT',
      path: '/v1/campaigns/schedule-1/schedule',
      json: { ...weekend, timezone: 'Mars/Olympus' },
    });
    const missing = await call({ method: 'PUT', path: '/v1/campaigns/nobody/schedule', json: weekend });

    // Assess
    expect(created.body.schedule).toEqual({
      days: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
      start: '09:00',
      end: '17:00',
      timezone: 'lead',
      fallbackTimezone: 'UTC',
      skipHolidays: true,
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.schedule).toEqual({ ...weekend, fallbackTimezone: 'UTC', skipHolidays: true });
    expect((await getCampaign('schedule-1'))?.schedule?.timezone).toBe('Asia/Tokyo');
    expectInvalid(badZone, 'timezone');
    expect(missing.status).toBe(404);
  });
});

describe('POST /v1/campaigns/{id}/pause and /resume', () => {
  it('pauses, refuses a second pause, resumes and refuses a second resume', async () => {
    // Prepare
    await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('pausable') });

    // Act
    const paused = await call({ method: 'POST', path: '/v1/campaigns/pausable/pause' });
    const pausedAgain = await call({ method: 'POST', path: '/v1/campaigns/pausable/pause' });
    const batchWhilePaused = await call({ method: 'POST', path: '/v1/campaigns/pausable/batches' });
    const resumed = await call({ method: 'POST', path: '/v1/campaigns/pausable/resume' });
    const resumedAgain = await call({ method: 'POST', path: '/v1/campaigns/pausable/resume' });

    // Assess
    expect(paused.status).toBe(200);
    expect(paused.body.state).toBe('PAUSED');
    expectError(pausedAgain, 409, 'campaign_already_paused');
    expectError(batchWhilePaused, 409, 'campaign_not_active');
    expect(resumed.status).toBe(200);
    expect(resumed.body.state).toBe('ACTIVE');
    expect(resumed.body.sequences).toEqual({ resumed: 0, keptParked: 0 });
    expectError(resumedAgain, 409, 'campaign_not_paused');
    expect((await getCampaign('pausable'))?.state).toBe('ACTIVE');
  });

  it('answers 404 for an unknown campaign', async () => {
    // Act
    const reply = await call({ method: 'POST', path: '/v1/campaigns/ghost/pause' });

    // Assess
    expect(reply.status).toBe(404);
  });
});

describe('POST /v1/campaigns/{id}/batches', () => {
  it('dry run renders first steps and starts nothing', async () => {
    // Prepare
    await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('dry') });
    const leads = await seedLeads('dry');

    // Act
    const reply = await call({ method: 'POST', path: '/v1/campaigns/dry/batches', json: { dryRun: true } });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ started: 0, alreadyRunning: 0, skipped: { belowGrade: 1, suppressed: 0 } });
    expect(reply.body.dryRun).toHaveLength(2);
    expect(reply.body.dryRun[0]).toMatchObject({ firstChannel: 'EMAIL', subject: expect.any(String) });
    for (const lead of leads) expect((await getLead(lead.leadId))?.status).toBe('NEW');
  });

  it('starts one execution per eligible lead, and a replay with the same key starts nothing more', async () => {
    // Prepare
    await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('launch') });
    await seedLeads('launch');
    const headers = { 'idempotency-key': 'launch-batch-1' };

    // Act
    const first = await call({ method: 'POST', path: '/v1/campaigns/launch/batches', headers });
    const replay = await call({ method: 'POST', path: '/v1/campaigns/launch/batches', headers });
    const again = await call({ method: 'POST', path: '/v1/campaigns/launch/batches' });
    await local.stack.stepFunctions.drain();

    // Assess
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ campaignId: 'launch', started: 2, alreadyRunning: 0 });
    expect(first.body.executions).toHaveLength(2);
    expect(replay.status).toBe(202);
    expect(replay.body).toEqual(first.body);
    expect(again.body.started).toBe(0);
    expect(local.stack.stepFunctions.list().filter((execution) => execution.name.startsWith('launch--'))).toHaveLength(
      2,
    );
  });

  it('rejects a limit that is not a positive whole number', async () => {
    // Prepare
    await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('limits') });

    // Act
    const reply = await call({
      method: 'POST',
      path: '/v1/campaigns/limits/batches',
      json: { limit: 0, dryRun: 'yes' },
    });

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.body.error.details.map((detail: { field: string }) => detail.field)).toEqual(['dryRun', 'limit']);
  });

  it('answers 404 for an unknown campaign', async () => {
    // Act
    const reply = await call({ method: 'POST', path: '/v1/campaigns/ghost/batches', json: {} });

    // Assess
    expect(reply.status).toBe(404);
  });
});

describe('strings that reach mail headers', () => {
  it('refuses a sender name with CR/LF with a 400 naming sender.name, and stores nothing', async () => {
    // Prepare
    const body = campaignBody('crlf-sender', {
      sender: { name: 'Ada\r\nBcc: everyone@victim.example', email: 'ada@cascade-demo.example' },
    });

    // Act
    const reply = await call({ method: 'POST', path: '/v1/campaigns', json: body });

    // Assess
    expectError(reply, 400, 'validation_error');
    expect(reply.body.error.details).toEqual([
      { field: 'sender.name', message: 'must be a single line without control characters' },
    ]);
    expect(await getCampaign('crlf-sender')).toBeUndefined();
  });

  it('refuses control characters in the other sender fields, the campaign name and the subject template', async () => {
    // Prepare
    const body = campaignBody('crlf-more', {
      name: 'Spring\nlaunch',
      sender: { name: 'Ada', email: 'ada@cascade-demo.example', company: 'Acme\u0000', replyTo: 'a@x.example\r\n' },
      templates: { EMAIL: { subject: 'Hi\r\nBcc: x@y.example', body: 'Hello {{ unsubscribeUrl }}' } },
    });

    // Act
    const reply = await call({ method: 'POST', path: '/v1/campaigns', json: body });

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.body.error.details.map((detail: { field: string }) => detail.field).sort()).toEqual([
      'name',
      'sender.company',
      'sender.replyTo',
      'templates.EMAIL.subject',
    ]);
  });

  it('accepts non-ASCII and RFC 5322 specials in a sender name (they are encoded when sent)', async () => {
    // Prepare
    const body = campaignBody('unicode-sender', {
      sender: { name: 'José Núñez, "Cascade"', email: 'jose@cascade-demo.example' },
    });

    // Act
    const reply = await call({ method: 'POST', path: '/v1/campaigns', json: body });

    // Assess
    expect(reply.status).toBe(201);
    expect((await getCampaign('unicode-sender'))?.sender.name).toBe('José Núñez, "Cascade"');
  });

  it.each([
    ['replyDomain', 'replies.cascade-demo.example\r\nBcc: all@victim.example'],
    ['configurationSet', 'cascade-events\nX-Injected: 1'],
    ['configurationSet', 'cascade.events'],
    ['replyDomain', 'not a domain'],
  ])('refuses EMAIL setting %s = %j with a 400 naming it', async (key, value) => {
    // Prepare
    const body = { rateLimits: { perHour: 10, perDay: 40 }, settings: { [key]: value } };

    // Act
    const reply = await call({ method: 'PUT', path: '/v1/channels/EMAIL/config', json: body });

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.body.error.details).toEqual([{ field: `settings.${key}`, message: expect.any(String) }]);
  });

  it('stores valid header-bound EMAIL settings', async () => {
    // Prepare
    const settings = { replyDomain: 'replies.cascade-demo.example', configurationSet: 'cascade-events' };

    // Act
    const reply = await call({
      method: 'PUT',
      path: '/v1/channels/EMAIL/config',
      json: { rateLimits: { perHour: 10, perDay: 40 }, settings },
    });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body.settings).toEqual(settings);
  });
});
