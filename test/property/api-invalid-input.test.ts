import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelType } from '#shared/domain/schemas';
import { type ApiCall, type ApiReply, campaignBody, useApiStack } from '#test/integration/functions/api/gateway';
import {
  deeplyNestedJson,
  expectRefused,
  runs,
  TableBaseline,
  Tally,
  unicodeText,
  wrongType,
} from '#test/property/harness';
import {
  type InvalidCase,
  type InvalidRow,
  invalidBatch,
  invalidCampaign,
  invalidChannelConfig,
  invalidCsvRow,
  invalidJsonRow,
  invalidLinkedInWebhook,
  invalidOutreach,
  invalidSequence,
  invalidSuppression,
  structurallyBrokenCsvRow,
  toCsv,
  tooLong,
} from '#test/property/invalid-bodies';

/**
 * Bad input never corrupts data: every generated INVALID request to the operator API (the Lambda handler,
 * called in-process with API Gateway v2 events) is answered with a 4xx carrying field-level details —
 * lead imports answer 200 with every row rejected by field, as the contract says — never a 5xx, and every
 * table is exactly as it was before (a full Scan of each table after every request).
 */

const CAMPAIGN = 'prop';
const WEBHOOK_SECRET = 'property-webhook-secret';

const local = useApiStack();
const { call } = local;
const tables = new TableBaseline();
let leadId: string;
const tally = new Tally();

beforeAll(async () => {
  await local.stack.setSecret('CASCADE_LINKEDIN_WEBHOOK_SECRET', WEBHOOK_SECRET);

  // Seed one of everything the invalid requests aim at.
  expect((await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody(CAMPAIGN) })).status).toBe(201);
  const imported = await call({
    method: 'POST',
    path: `/v1/campaigns/${CAMPAIGN}/leads`,
    json: [{ firstName: 'Zoë', lastName: 'Ångström', email: 'zoe@prop.example', leadScore: 0.9, tags: ['ß', '東京'] }],
  });
  expect(imported.body).toMatchObject({ imported: 1, rejected: 0 });
  leadId = imported.body.leads[0].leadId;
  const config = { rateLimits: { perHour: 3, perDay: 9 }, settings: { mxCheck: false } };
  expect(
    (await call({ method: 'PUT', path: `/v1/channels/EMAIL/config?campaignId=${CAMPAIGN}`, json: config })).status,
  ).toBe(200);
  expect(
    (await call({ method: 'POST', path: '/v1/suppressions', json: { domain: 'blocked.example', reason: 'test' } }))
      .status,
  ).toBe(201);
  await tables.record();
}, 60_000);

/** Calls the API and compares every table with the seeded ones (`check` fails the case when one changed). */
async function callAndSnapshot(request: ApiCall): Promise<{ reply: ApiReply; check: (kind: string) => void }> {
  const reply = await call(request);
  return { reply, check: await tables.compare() };
}

afterAll(async () => {
  console.info(tally.report('operator API'));
});

/** Sends one invalid request and checks the answer and that no table changed. */
async function refuse(kind: string, request: ApiCall, field?: string): Promise<ApiReply> {
  const { reply, check } = await callAndSnapshot(request);
  tally.count(kind, reply.status);
  expect(reply.status, `${kind}: ${JSON.stringify(reply.body)?.slice(0, 300)}`).toBeLessThan(500);
  expectRefused(reply, kind, field);
  check(kind);
  return reply;
}

/** A JSON body as the route gets it: content type variants, sometimes base64 (API Gateway's binary path). */
const delivery = fc.record({
  contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/vnd.cascade+json'),
  base64: fc.boolean(),
  idempotencyKey: fc.option(fc.stringMatching(/^[\x21-\x7E]{1,40}$/), { nil: undefined }),
});

function jsonRequest(
  method: string,
  path: string,
  body: unknown,
  how: { contentType: string; base64: boolean; idempotencyKey?: string },
  headers: Record<string, string> = {},
): ApiCall {
  return {
    method,
    path,
    raw: { body: JSON.stringify(body) ?? '', contentType: how.contentType, base64: how.base64 },
    headers: { ...headers, ...(how.idempotencyKey && { 'Idempotency-Key': how.idempotencyKey }) },
  };
}

type JsonRoute = { name: string; method: string; path: () => string; headers?: Record<string, string> };

/** A request to one of the body routes with this body (`json` or `raw`), or none. */
const sendTo = (target: JsonRoute, body: Pick<ApiCall, 'json' | 'raw'>): ApiCall => ({
  method: target.method,
  path: target.path(),
  ...body,
  headers: target.headers,
});

const JSON_ROUTES: JsonRoute[] = [
  { name: 'campaign create', method: 'POST', path: () => '/v1/campaigns' },
  { name: 'sequence put', method: 'PUT', path: () => `/v1/campaigns/${CAMPAIGN}/sequence` },
  { name: 'lead import', method: 'POST', path: () => `/v1/campaigns/${CAMPAIGN}/leads` },
  { name: 'batch', method: 'POST', path: () => `/v1/campaigns/${CAMPAIGN}/batches` },
  { name: 'outreach', method: 'POST', path: () => `/v1/leads/${leadId}/outreach` },
  { name: 'channel config put', method: 'PUT', path: () => `/v1/channels/LINKEDIN/config?campaignId=${CAMPAIGN}` },
  { name: 'suppression add', method: 'POST', path: () => '/v1/suppressions' },
  {
    name: 'linkedin webhook',
    method: 'POST',
    path: () => '/v1/webhooks/linkedin',
    headers: { 'x-cascade-webhook-secret': WEBHOOK_SECRET },
  },
];

describe('invalid JSON bodies, route by route', () => {
  const families: [string, string, () => string, fc.Arbitrary<InvalidCase>, number, Record<string, string>?][] = [
    ['campaign create', 'POST', () => '/v1/campaigns', invalidCampaign('prop-new'), 60],
    ['sequence put', 'PUT', () => `/v1/campaigns/${CAMPAIGN}/sequence`, invalidSequence, 30],
    ['batch', 'POST', () => `/v1/campaigns/${CAMPAIGN}/batches`, invalidBatch, 20],
    ['outreach', 'POST', () => `/v1/leads/${leadId}/outreach`, invalidOutreach, 30],
    ['channel config put', 'PUT', () => `/v1/channels/EMAIL/config?campaignId=${CAMPAIGN}`, invalidChannelConfig, 30],
    ['suppression add', 'POST', () => '/v1/suppressions', invalidSuppression, 25],
    [
      'linkedin webhook',
      'POST',
      () => '/v1/webhooks/linkedin',
      invalidLinkedInWebhook,
      20,
      { 'x-cascade-webhook-secret': WEBHOOK_SECRET },
    ],
  ];

  for (const [name, method, path, cases, numRuns, headers] of families) {
    it(`${name}: 4xx naming the field, nothing stored`, async () => {
      await fc.assert(
        fc.asyncProperty(cases, delivery, async ({ kind, field, body }, how) => {
          await refuse(`${name} ${kind}`, jsonRequest(method, path(), body, how, headers), field);
        }),
        runs(numRuns),
      );
    });
  }

  it('channel config put: an unknown channel or campaign scope is a 400 naming it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc
            .oneof(unicodeText({ minLength: 1, maxLength: 12 }), fc.constantFrom('SMS', 'email', 'FAX'))
            .filter((channel) => !ChannelType.safeParse(channel).success)
            .map((channel) => ({ path: `/v1/channels/${encodeURIComponent(channel)}/config`, field: 'channel' })),
          fc.oneof(tooLong(200), fc.constant('')).map((scope) => ({
            path: `/v1/channels/EMAIL/config?campaignId=${encodeURIComponent(scope)}`,
            field: 'campaignId',
          })),
        ),
        async ({ path, field }) => {
          await refuse(
            'channel config scope',
            { method: 'PUT', path, json: { rateLimits: { perHour: 1, perDay: 1 } } },
            field,
          );
        },
      ),
      runs(15),
    );
  });
});

describe('lead import: every invalid row is rejected by field, nothing is imported', () => {
  type Row = Record<string, unknown>;
  /**
   * Sends one lead import whose rows are all invalid: a 200 that imports nothing and rejects each row by
   * number, naming its field, and no table changes. `tallied` groups the import in the tallies.
   */
  const importRejected = async (request: ApiCall, rows: InvalidRow[], tallied: string, kind: string) => {
    const { reply, check } = await callAndSnapshot(request);
    tally.count(tallied, reply.status);
    expect(reply.status, `${kind}: ${JSON.stringify(reply.body)?.slice(0, 300)}`).toBe(200);
    expect(reply.body).toMatchObject({ imported: 0, rejected: rows.length, leads: [] });
    rows.forEach((row, index) => {
      const rejected = reply.body.rejectedRows.find((entry: { row: number }) => entry.row === index + 1);
      expect(rejected, `${kind}: row ${index + 1} reported`).toBeDefined();
      expectRefused(
        { status: 400, body: { error: { code: 'row', message: 'row', details: rejected.errors } } },
        kind,
        row.field,
      );
    });
    check(kind);
  };
  const csvImport = (body: string, contentType = 'text/csv'): ApiCall => ({
    method: 'POST',
    path: `/v1/campaigns/${CAMPAIGN}/leads`,
    raw: { body, contentType },
  });

  it('JSON arrays of invalid leads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(invalidJsonRow, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        // A key would store the (200) answer for replay: the one write a valid request makes, so none here.
        delivery.map((how) => ({ ...how, idempotencyKey: undefined })),
        async (rows, snake, how) => {
          const body = rows.map(({ row }) =>
            snake && row !== null && typeof row === 'object' && !Array.isArray(row)
              ? Object.fromEntries(
                  Object.entries(row).map(([key, value]) => [
                    key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`),
                    value,
                  ]),
                )
              : row,
          );
          const kind = `lead import JSON ${rows.map((row) => row.kind).join(' + ')}`;
          const request = jsonRequest('POST', `/v1/campaigns/${CAMPAIGN}/leads`, body, how);
          await importRejected(request, rows, 'lead import JSON rows', kind);
        },
      ),
      runs(45),
    );
  });

  it('CSV files of invalid rows (unicode, BOM, snake_case or camelCase headers, CRLF)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(invalidCsvRow, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('text/csv', 'text/csv; charset=utf-8', 'TEXT/CSV'),
        async (rows, snake, bom, contentType) => {
          const csv = `${bom ? '\ufeff' : ''}${toCsv(
            rows.map((row) => row.row as Row),
            snake,
          )}\r\n`;
          const kind = `lead import CSV ${rows.map((row) => row.kind).join(' + ')}`;
          await importRejected(csvImport(csv, contentType), rows, 'lead import CSV rows', kind);
        },
      ),
      runs(40),
    );
  });

  it('CSV rows csv-parse cannot read, or with more cells than the header', async () => {
    await fc.assert(
      fc.asyncProperty(structurallyBrokenCsvRow, fc.nat({ max: 2 }), async ({ kind, line }, blankRows) => {
        const csv = ['first_name,last_name', ...Array.from({ length: blankRows }, () => ' ,Nameless'), line].join('\n');
        const expected: InvalidRow[] = [
          ...Array.from({ length: blankRows }, () => ({ kind: 'blank', field: 'firstName', row: {} })),
          { kind, field: 'row', row: {} },
        ];
        await importRejected(csvImport(csv), expected, 'lead import CSV structure', `CSV ${kind}`);
      }),
      runs(12),
    );
  });

  it('an import body that is not an array (JSON) is a 400', async () => {
    await fc.assert(
      fc.asyncProperty(wrongType('array'), delivery, async (body, how) => {
        await refuse(
          'lead import body type',
          jsonRequest('POST', `/v1/campaigns/${CAMPAIGN}/leads`, body, how),
          'body',
        );
      }),
      runs(12),
    );
  });
});

describe('oversized, deeply nested, wrong content type and malformed JSON, on every body route', () => {
  const route = fc.constantFrom(...JSON_ROUTES);

  it('a JSON body over 1 MB is a 413', async () => {
    await fc.assert(
      fc.asyncProperty(route, fc.string({ unit: 'grapheme', minLength: 1, maxLength: 4 }), async (target, chunk) => {
        const filler = chunk.repeat(Math.ceil((1024 * 1024) / Buffer.byteLength(chunk)) + 1);
        const request = sendTo(target, { json: { name: filler, firstName: filler, body: filler } });
        await refuse(`${target.name} oversized`, request, 'body');
      }),
      runs(10),
    );
  });

  it('JSON nested thousands of levels deep is a 400, at the top or inside a field', async () => {
    await fc.assert(
      fc.asyncProperty(
        route,
        fc.integer({ min: 1_000, max: 100_000 }),
        fc.constantFrom('array', 'object') as fc.Arbitrary<'array' | 'object'>,
        fc.boolean(),
        async (target, depth, shape, inField) => {
          const nested = deeplyNestedJson(depth, shape);
          const body = inField ? `[{"firstName":"Ann","name":"x","body":"x","tags":${nested}}]` : nested;
          const request = sendTo(target, { raw: { body, contentType: 'application/json' } });
          await refuse(`${target.name} nested ${depth}`, request, 'body');
        },
      ),
      runs(16),
    );
  });

  it('a body in another content type is a 415', async () => {
    await fc.assert(
      fc.asyncProperty(
        route,
        fc.constantFrom(
          'text/plain',
          'application/xml',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=xyz',
          'application/octet-stream',
          'text/html; charset=utf-8',
          undefined,
        ),
        unicodeText({ minLength: 1, maxLength: 30 }),
        async (target, contentType, text) => {
          const reply = await refuse(
            `${target.name} content type ${contentType}`,
            sendTo(target, { raw: { body: JSON.stringify({ name: text }), contentType } }),
            'content-type',
          );
          expect(reply.status).toBe(415);
        },
      ),
      runs(20),
    );
  });

  it('text/csv is refused on routes that only take JSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...JSON_ROUTES.filter((target) => target.name !== 'lead import')),
        async (target) => {
          const reply = await refuse(
            `${target.name} csv`,
            sendTo(target, { raw: { body: 'a,b\n1,2', contentType: 'text/csv' } }),
            'content-type',
          );
          expect(reply.status).toBe(415);
        },
      ),
      runs(7),
    );
  });

  const malformed = fc.oneof(
    fc
      .tuple(
        fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
        fc.nat(),
      )
      .map(([text, cut]) => text.slice(0, cut % Math.max(text.length, 1)))
      .filter((text) => text.trim() !== '' && !parses(text)),
    fc
      .tuple(
        fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
        unicodeText({ minLength: 1, maxLength: 3 }),
      )
      .map(([text, junk]) => `${text}${junk}`)
      .filter((text) => !parses(text)),
    fc.constantFrom(
      "{'name':'x'}",
      '{"name":"x",}',
      '[1,2,]',
      '{"name":NaN}',
      '{"name":undefined}',
      '\ufeff{"name":"x"}',
      '{"name":"\\x41"}',
      '{"name":"x"}{"name":"y"}',
      '{name:"x"}',
      '"unterminated',
      '{"a":1e999999999999}x',
    ),
  );

  it('malformed JSON is a 400 invalid_json', async () => {
    await fc.assert(
      fc.asyncProperty(route, malformed, async (target, text) => {
        const reply = await refuse(
          `${target.name} malformed`,
          sendTo(target, { raw: { body: text, contentType: 'application/json' } }),
          'body',
        );
        expect(reply.body.error.code).toBe('invalid_json');
      }),
      runs(25),
    );
  });

  it('a missing body is a 400 where the route needs one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...JSON_ROUTES.filter((target) => target.name !== 'batch')), async (target) => {
        await refuse(`${target.name} no body`, sendTo(target, {}), 'body');
      }),
      runs(8),
    );
  });
});

describe('invalid path parameters, queries and cursors', () => {
  const longId = tooLong(200).map(encodeURIComponent);
  const badPercent = fc.constantFrom('%', '%E0%A4%A', '%zz', 'a%');

  it('ids, channels, keys and names outside their patterns are 400s naming the parameter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.oneof(longId, badPercent).map((id) => ({ method: 'GET', path: `/v1/campaigns/${id}`, field: 'id' })),
          fc
            .oneof(longId, badPercent)
            .map((id) => ({ method: 'POST', path: `/v1/campaigns/${id}/pause`, field: 'id' })),
          fc.oneof(longId, badPercent).map((id) => ({ method: 'GET', path: `/v1/leads/${id}`, field: 'id' })),
          fc.oneof(longId, badPercent).map((id) => ({ method: 'DELETE', path: `/v1/leads/${id}`, field: 'id' })),
          unicodeText({ minLength: 1, maxLength: 12 })
            .filter((channel) => !ChannelType.safeParse(channel).success)
            .map((channel) => ({
              method: 'GET',
              path: `/v1/channels/${encodeURIComponent(channel)}/config`,
              field: 'channel',
            })),
          fc
            .oneof(
              unicodeText({ minLength: 1, maxLength: 20 }).filter((key) => !/^(EMAIL|DOMAIN|HASH)#.+$/.test(key)),
              tooLong(1_100).map((tail) => `EMAIL#${tail}`),
            )
            .map((key) => ({ method: 'DELETE', path: `/v1/suppressions/${encodeURIComponent(key)}`, field: 'key' })),
          fc
            .oneof(unicodeText({ minLength: 1, maxLength: 20 }), tooLong(80))
            .filter((name) => !/^[A-Za-z0-9_-]{1,80}$/.test(name))
            .map((name) => ({ method: 'GET', path: `/v1/executions/${encodeURIComponent(name)}`, field: 'name' })),
        ),
        async ({ method, path, field }) => {
          await refuse(`path ${method} ${path.split('/')[2]}`, { method, path }, field);
        },
      ),
      runs(30),
    );
  });

  /** Values a `1..max` whole-number query parameter refuses. */
  const badLimit = (max: number) =>
    fc.oneof(
      fc.constantFrom('0', '-1', '1.5', 'abc', '1e400', '', ' ', String(max + 1), '999999999999999999999'),
      fc.integer({ min: max + 1 }).map(String),
      unicodeText({ minLength: 1, maxLength: 6 }).filter((text) => Number.isNaN(Number(text))),
    );
  /** Cursors this API never issued: garbage, other partitions, extra or missing key attributes, huge keys. */
  const badCursor = fc.oneof(
    unicodeText({ minLength: 1, maxLength: 40 }),
    fc
      .dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.oneof(fc.string(), fc.integer()), { maxKeys: 4 })
      .map((key) => Buffer.from(JSON.stringify(key)).toString('base64url')),
    fc.constant(null).map(() => Buffer.from(JSON.stringify({ pk: `LEAD#${leadId}` })).toString('base64url')),
    fc
      .string({ minLength: 1, maxLength: 8 })
      .map((extra) =>
        Buffer.from(
          JSON.stringify({ pk: `LEAD#${leadId}`, sk: 'MESSAGE#x', timeSort: 'x', [`x${extra}`]: 'y' }),
        ).toString('base64url'),
      ),
    tooLong(1_100).map((sk) =>
      Buffer.from(JSON.stringify({ pk: `LEAD#${leadId}`, sk, timeSort: sk })).toString('base64url'),
    ),
    tooLong(2_100).map((pk) => Buffer.from(JSON.stringify({ pk })).toString('base64url')),
    fc.constant('x'.repeat(2_001)),
  );

  it('history, suppression and metrics queries outside their ranges are 400s naming the parameter', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          badLimit(200).map((limit) => ({
            path: `/v1/leads/${leadId}/history?limit=${encodeURIComponent(limit)}`,
            field: 'limit',
          })),
          badCursor.map((cursor) => ({
            path: `/v1/leads/${leadId}/history?cursor=${encodeURIComponent(cursor)}`,
            field: 'cursor',
          })),
          badLimit(500).map((limit) => ({
            path: `/v1/suppressions?limit=${encodeURIComponent(limit)}`,
            field: 'limit',
          })),
          badCursor.map((cursor) => ({
            path: `/v1/suppressions?cursor=${encodeURIComponent(cursor)}`,
            field: 'cursor',
          })),
          badLimit(90).map((days) => ({
            path: `/v1/metrics/channels?days=${encodeURIComponent(days)}`,
            field: 'days',
          })),
          fc.oneof(tooLong(200), fc.constant('')).map((campaignId) => ({
            path: `/v1/metrics/channels?campaignId=${encodeURIComponent(campaignId)}`,
            field: 'campaignId',
          })),
        ),
        async ({ path, field }) => {
          await refuse(`query ${path.split('?')[0]}`, { method: 'GET', path }, field);
        },
      ),
      runs(40),
    );
  });

  it('an unsubscribe token that was not signed here is a 400, and nothing is unsubscribed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          unicodeText({ minLength: 1, maxLength: 60 }),
          fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 80 }),
          fc.constant(`${Buffer.from(JSON.stringify({ l: leadId, c: CAMPAIGN })).toString('base64url')}.forged`),
          tooLong(2_000),
        ),
        fc.constantFrom('GET', 'POST'),
        async (token, method) => {
          await refuse(
            `unsubscribe ${method}`,
            {
              method,
              path: `/v1/unsubscribe?token=${encodeURIComponent(token)}`,
              token: null,
              ...(method === 'POST' && {
                raw: { body: 'List-Unsubscribe=One-Click', contentType: 'application/x-www-form-urlencoded' },
              }),
            },
            'token',
          );
        },
      ),
      runs(20),
    );
  });
});

describe('the tally', () => {
  it('tried at least 300 invalid inputs and saw no 5xx', () => {
    expect(tally.serverErrors).toBe(0);
    expect(tally.tried).toBeGreaterThanOrEqual(300);
  });
});

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
