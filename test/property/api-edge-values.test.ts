import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiCall, campaignBody, useApiStack } from '#test/integration/functions/api/gateway';
import { expectRefused, runs, TableBaseline, Tally } from '#test/property/harness';

/**
 * The classes of bad input issue 12 found 500s with: numbers outside DynamoDB's range, prototype keys,
 * malformed percent-encoding and huge ids, put into every body route's numeric and keyed fields. Every one is
 * a 4xx naming the field (lead imports: 200 with the row rejected by field), no 5xx, and every table unchanged.
 * CASCADE_FC_EDGE_RUNS scales the run count (default: 2,000 requests in all).
 */

const CAMPAIGN = 'edge-prop';
const RUNS = Number(process.env.CASCADE_FC_EDGE_RUNS ?? 500);

const local = useApiStack();
const { call } = local;
const tables = new TableBaseline();
const tally = new Tally();
let leadId: string;

beforeAll(async () => {
  expect((await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody(CAMPAIGN) })).status).toBe(201);
  const imported = await call({
    method: 'POST',
    path: `/v1/campaigns/${CAMPAIGN}/leads`,
    json: [{ firstName: 'Edge', email: 'edge@prop.example', leadScore: 0.5 }],
  });
  leadId = imported.body.leads[0].leadId;
  await tables.record();
}, 60_000);

afterAll(() => {
  console.info(tally.report('edge values'));
});

/** Numbers DynamoDB refuses: tiny but not zero, or 1e125 and up, either sign. */
const extremeNumber = fc
  .oneof(
    fc.double({ min: 1e-323, max: 9.9e-131, noNaN: true }),
    fc.double({ min: 1e125, max: Number.MAX_VALUE, noNaN: true }),
    fc.constantFrom(1e-300, 5e-324, 1e125, 1e300, Number.MAX_VALUE),
  )
  .chain((value) => fc.constantFrom(value, -value));

const prototypeKey = fc.constantFrom('constructor', '__proto__', 'prototype');

function hasPath(base: unknown, path: string): boolean {
  let node = base as Record<string, unknown> | undefined;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return false;
    node = node[part] as Record<string, unknown>;
  }
  return true;
}

/** A body with `value` at `path` (dot-separated; digits index arrays). */
function withValue(base: unknown, path: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(base));
  const parts = path.split('.');
  let node = copy;
  for (const part of parts.slice(0, -1)) node = node[part];
  node[parts.at(-1) as string] = value;
  return copy;
}

const SEQUENCE = { steps: [{ channel: 'EMAIL', waitHoursBefore: 1, retryBackoffHours: [2] }] };
const CONFIG = { rateLimits: { perHour: 1, perDay: 2 }, settings: { mxTimeoutMs: 100 } };

/** Numeric fields of JSON routes, each with a body that is valid but for the number put there. */
const NUMERIC_TARGETS: { method: string; path: () => string; base: unknown; field: string }[] = [
  { method: 'PUT', path: () => `/v1/campaigns/${CAMPAIGN}/sequence`, base: SEQUENCE, field: 'steps.0.waitHoursBefore' },
  {
    method: 'PUT',
    path: () => `/v1/campaigns/${CAMPAIGN}/sequence`,
    base: SEQUENCE,
    field: 'steps.0.retryBackoffHours.0',
  },
  { method: 'PUT', path: () => '/v1/channels/EMAIL/config', base: CONFIG, field: 'settings.mxTimeoutMs' },
  { method: 'PUT', path: () => '/v1/channels/EMAIL/config', base: CONFIG, field: 'rateLimits.perHour' },
  { method: 'POST', path: () => '/v1/campaigns', base: { ...campaignBody('edge-new'), minGrade: 'C' }, field: 'x' },
  { method: 'POST', path: () => `/v1/campaigns/${CAMPAIGN}/batches`, base: { limit: 1 }, field: 'limit' },
];

async function refuse(kind: string, request: ApiCall, field?: string): Promise<void> {
  const reply = await call(request);
  const check = await tables.compare();
  tally.count(kind, reply.status);
  expect(reply.status, `${kind}: ${JSON.stringify(reply.body)?.slice(0, 300)}`).toBeLessThan(500);
  expectRefused(reply, kind, field);
  check(kind);
}

describe('extreme numbers, prototype keys, malformed escapes and huge ids', () => {
  it('a number DynamoDB cannot hold, in any numeric field, is a 400 naming it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...NUMERIC_TARGETS), extremeNumber, async (target, value) => {
        const json = withValue(target.base, target.field, value);
        await refuse(`number ${target.field}`, { method: target.method, path: target.path(), json }, target.field);
      }),
      runs(RUNS),
    );
  });

  it('a prototype key, at the top or inside settings, sender or a step, is a 400 naming it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...NUMERIC_TARGETS),
        prototypeKey,
        fc.constantFrom('', 'settings', 'sender', 'steps.0', 'rateLimits'),
        fc.jsonValue({ maxDepth: 1 }),
        async (target, key, where, value) => {
          // The key goes at the top, or into an object the body already has.
          const inside = where !== '' && hasPath(target.base, where);
          const container = inside ? withValue(target.base, where, {}) : target.base;
          const raw = JSON.stringify(container).replace(
            /^\{/,
            `{${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'},`,
          );
          const body = raw.endsWith(',}') ? `${raw.slice(0, -2)}}` : raw;
          await refuse(`prototype key ${key}`, {
            method: target.method,
            path: target.path(),
            raw: { body, contentType: 'application/json' },
          });
        },
      ),
      runs(RUNS),
    );
  });

  it('lead rows with extreme scores or prototype keys are rejected by row, nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          extremeNumber.map((leadScore) => ({ row: { firstName: 'A', leadScore }, field: 'leadScore' })),
          extremeNumber.map((n) => ({ row: { first_name: 'A', lead_score: String(n) }, field: 'lead_score' })),
          prototypeKey.map((key) => ({ row: JSON.parse(`{"firstName":"A",${JSON.stringify(key)}:"x"}`), field: key })),
        ),
        fc.boolean(),
        async ({ row }, csv) => {
          const request: ApiCall = csv
            ? {
                method: 'POST',
                path: `/v1/campaigns/${CAMPAIGN}/leads`,
                raw: {
                  body: `${Object.keys(row).join(',')}\n${Object.values(row).join(',')}\n`,
                  contentType: 'text/csv',
                },
              }
            : { method: 'POST', path: `/v1/campaigns/${CAMPAIGN}/leads`, json: [row] };
          const reply = await call(request);
          const check = await tables.compare();
          tally.count('lead import edge row', reply.status);
          expect(reply.status, JSON.stringify(reply.body)).toBe(200);
          expect(reply.body).toMatchObject({ imported: 0, rejected: 1 });
          check('lead import edge row');
        },
      ),
      runs(RUNS),
    );
  });

  it('malformed escapes and huge ids in paths and bodies are 400s', async () => {
    const badEscape = fc.constantFrom('%', '%zz', 'a%', '%E0%A4%A', '%%', 'in%');
    const hugeId = fc.integer({ min: 201, max: 100_000 }).map((length) => 'x'.repeat(length));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          badEscape.map((profile) => ({
            request: { method: 'POST', path: '/v1/suppressions', json: { linkedinProfile: profile, reason: 'r' } },
            field: 'linkedinProfile',
          })),
          fc
            .oneof(badEscape, hugeId)
            .map((id) => ({ request: { method: 'GET', path: `/v1/leads/${id}` }, field: 'id' })),
          hugeId.map((id) => ({
            request: { method: 'POST', path: `/v1/leads/${id}/outreach`, json: { body: 'Hi' } },
            field: 'id',
          })),
          hugeId.map((id) => ({
            request: { method: 'GET', path: `/v1/leads/${leadId}/history?cursor=${id}` },
            field: 'cursor',
          })),
        ),
        async ({ request, field }) => {
          await refuse(`escape/id ${field}`, request, field);
        },
      ),
      runs(RUNS),
    );
  });
});

describe('the tally', () => {
  it('saw no 5xx', () => {
    expect(tally.serverErrors).toBe(0);
    expect(tally.tried).toBeGreaterThanOrEqual(RUNS * 4);
  });
});
