import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotTables } from '#test/property/harness';
import { campaignBody, useApiStack } from './gateway';

/**
 * Validation at the edge (issue 12): numbers DynamoDB cannot hold, prototype keys, malformed escapes and
 * per-channel settings are 400s naming the field, never a 500; a lead import never fails after partial writes.
 */

const local = useApiStack();
const { call } = local;
const CAMPAIGN = 'edge';
const SECRET = 'edge-webhook-secret';

beforeAll(async () => {
  await local.stack.setSecret('CASCADE_LINKEDIN_WEBHOOK_SECRET', SECRET);
  expect((await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody(CAMPAIGN) })).status).toBe(201);
}, 60_000);

const fields = (reply: { body: { error: { details: { field: string }[] } } }) =>
  reply.body.error.details.map((detail) => detail.field);

describe('numbers and keys DynamoDB or a settings lookup cannot take', () => {
  it.each([
    [
      'a wait of 1e-300 hours',
      `/v1/campaigns/${CAMPAIGN}/sequence`,
      'PUT',
      { steps: [{ channel: 'EMAIL', waitHoursBefore: 1e-300 }] },
      'steps.0.waitHoursBefore',
    ],
    [
      'a setting of 1e200',
      '/v1/channels/EMAIL/config',
      'PUT',
      { rateLimits: { perHour: 1, perDay: 2 }, settings: { mxTimeoutMs: 1e200 } },
      'settings.mxTimeoutMs',
    ],
    [
      'a settings key constructor',
      '/v1/channels/EMAIL/config',
      'PUT',
      { rateLimits: { perHour: 1, perDay: 2 }, settings: { constructor: true } },
      'settings.constructor',
    ],
    [
      'a campaign with a __proto__ key',
      '/v1/campaigns',
      'POST',
      JSON.parse('{"name":"x","sender":{"name":"a","email":"a@b.example"},"__proto__":{"x":1}}'),
      '__proto__',
    ],
    ['a LinkedIn profile "%"', '/v1/suppressions', 'POST', { linkedinProfile: '%', reason: 'test' }, 'linkedinProfile'],
  ])('%s is a 400 naming the field', async (_name, path, method, json, field) => {
    // Prepare
    const before = await snapshotTables();

    // Act
    const reply = await call({ method, path, json });

    // Assess
    expect(reply.status).toBe(400);
    expect(fields(reply)).toContain(field);
    expect(await snapshotTables()).toEqual(before);
  });

  it('a 100,000-character lead id is a 400', async () => {
    // Act
    const reply = await call({ method: 'GET', path: `/v1/leads/${'x'.repeat(100_000)}` });

    // Assess
    expect(reply.status).toBe(400);
    expect(fields(reply)).toContain('id');
  });
});

describe('channel settings per channel', () => {
  it.each([
    ['EMAIL', { mxCheck: 'true' }, 'settings.mxCheck'],
    ['EMAIL', { mxcheck: true }, 'settings.mxcheck'],
    ['LINKEDIN', { minSpacingSeconds: -5 }, 'settings.minSpacingSeconds'],
    ['LINKEDIN', { minSpacingSeconds: 200 }, 'settings.maxSpacingSeconds'],
    ['LINKEDIN', { providerBaseUrl: 'https://user:pw@provider.example' }, 'settings.providerBaseUrl'],
    ['CONTACT_FORM', { consentPolicy: 'yes' }, 'settings.consentPolicy'],
  ])('%s %j is a 400 naming %s', async (channel, settings, field) => {
    // Act
    const reply = await call({
      method: 'PUT',
      path: `/v1/channels/${channel}/config`,
      json: { rateLimits: { perHour: 1, perDay: 2 }, settings },
    });

    // Assess
    expect(reply.status).toBe(400);
    expect(fields(reply)).toContain(field);
  });

  it('refuses perHour above perDay and stores settings the channel reads', async () => {
    // Act
    const inverted = await call({
      method: 'PUT',
      path: '/v1/channels/EMAIL/config',
      json: { rateLimits: { perHour: 50, perDay: 10 } },
    });
    const valid = await call({
      method: 'PUT',
      path: `/v1/channels/EMAIL/config?campaignId=${CAMPAIGN}`,
      json: { rateLimits: { perHour: 5, perDay: 10 }, settings: { mxCheck: true, mxTimeoutMs: 800 } },
    });

    // Assess
    expect(inverted.status).toBe(400);
    expect(fields(inverted)).toContain('rateLimits.perHour');
    expect(valid.status).toBe(200);
    expect(valid.body.settings).toEqual({ mxCheck: true, mxTimeoutMs: 800 });
  });
});

describe('media type and webhook order', () => {
  it('accepts application/JSON in any case', async () => {
    // Act
    const reply = await call({
      method: 'POST',
      path: `/v1/campaigns/${CAMPAIGN}/leads`,
      raw: {
        body: JSON.stringify([{ firstName: 'Case', email: 'case@edge.example' }]),
        contentType: 'Application/JSON',
      },
    });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ imported: 1 });
  });

  it('checks the LinkedIn webhook secret before the body', async () => {
    // Act
    const malformed = await call({
      method: 'POST',
      path: '/v1/webhooks/linkedin',
      token: null,
      raw: { body: '{not json', contentType: 'application/json' },
    });
    const invalid = await call({ method: 'POST', path: '/v1/webhooks/linkedin', token: null, json: { event: 1 } });

    // Assess
    expect(malformed.status).toBe(401);
    expect(invalid.status).toBe(401);
  });
});

describe('lead import, atomic per row', () => {
  it('rejects rows DynamoDB cannot store before writing any, and imports the rest', async () => {
    // Prepare
    const rows: Record<string, unknown>[] = [
      { firstName: 'Ok', email: 'ok@edge.example', leadScore: 0.5 },
      { firstName: 'Tiny', email: 'tiny@edge.example', leadScore: 1e-300 },
      { firstName: 'Proto', email: 'proto@edge.example', constructor: 'x' },
    ];
    const csv = 'first_name,email,lead_score\nCsv,csv@edge.example,1e-200\n';

    // Act
    const json = await call({ method: 'POST', path: `/v1/campaigns/${CAMPAIGN}/leads`, json: rows });
    const retry = await call({ method: 'POST', path: `/v1/campaigns/${CAMPAIGN}/leads`, json: rows.slice(1) });
    const fromCsv = await call({
      method: 'POST',
      path: `/v1/campaigns/${CAMPAIGN}/leads`,
      raw: { body: csv, contentType: 'text/csv' },
    });

    // Assess
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ imported: 1, rejected: 2 });
    expect(json.body.rejectedRows.map((row: { row: number }) => row.row)).toEqual([2, 3]);
    expect(json.body.rejectedRows[0].errors[0].field).toBe('leadScore');
    expect(json.body.rejectedRows[1].errors[0].field).toBe('constructor');
    expect(retry.body).toMatchObject({ imported: 0, rejected: 2 });
    expect(fromCsv.body).toMatchObject({ imported: 0, rejected: 1 });
    expect(fromCsv.body.rejectedRows[0].errors[0].field).toBe('leadScore');
  });
});
