import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { requestFingerprint } from '#functions/api/idempotency';
import type { LocalDynamo } from '#local/dynamodb';
import { logger } from '#shared/observability';
import { primeSecrets } from '#shared/secrets';
import { claimIdempotencyKey } from '#shared/store/idempotency';
import {
  type ApiCall,
  type ApiReply,
  api,
  campaignBody,
  expectError,
  expectInvalid,
  gatewayEvent,
  lambdaContext,
  loadHandler,
} from '#test/integration/functions/api/gateway';
import { useLocalDynamo } from '#test/support/local-dynamo';

// Quiet handler logs (the logger reads the level when first imported); one test turns them on.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

let dynamo: LocalDynamo;
let handler: Awaited<ReturnType<typeof loadHandler>>;
let call: (request: ApiCall) => Promise<ApiReply>;

beforeAll(async () => {
  dynamo = await useLocalDynamo();
  primeSecrets({ CASCADE_UNSUBSCRIBE_SECRET: 'http-test-secret' });
  handler = await loadHandler();
  call = api(handler);
  await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('http') });
}, 60_000);

afterAll(async () => {
  await dynamo.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('public routes', () => {
  it('lets the one-click unsubscribe through without a token', async () => {
    // Act
    const reply = await call({ method: 'POST', path: '/v1/unsubscribe?token=abc.def', token: null });

    // Assess
    expectError(reply, 400, 'invalid_token');
  });
});

describe('routing', () => {
  it('answers 404 for an unknown route and 405 with Allow for a known path', async () => {
    // Act
    const unknown = await call({ method: 'GET', path: '/v1/campaigns/http/nothing' });
    const wrongMethod = await call({ method: 'DELETE', path: '/v1/campaigns/http' });
    const config = await call({ method: 'POST', path: '/v1/channels/EMAIL/config' });

    // Assess
    expectError(unknown, 404, 'route_not_found');
    expectError(wrongMethod, 405, 'method_not_allowed');
    expect(wrongMethod.headers.allow).toBe('GET');
    expect(config.headers.allow).toBe('GET, PUT');
  });

  it('strips a named stage from the path and echoes the request id', async () => {
    // Prepare
    const event = gatewayEvent({ method: 'GET', path: '/prod/v1/campaigns/http' });
    event.requestContext.stage = 'prod';

    // Act
    const result = await handler(event, lambdaContext);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body ?? '{}').campaignId).toBe('http');
    expect(result.headers?.['x-request-id']).toBe(event.requestContext.requestId);
  });

  it('logs every request with its API Gateway request id', async () => {
    // Prepare
    const appended = vi.spyOn(logger, 'appendKeys');
    const info = vi.spyOn(logger, 'info');
    const event = gatewayEvent({ method: 'GET', path: '/v1/campaigns/nobody' });

    // Act
    await handler(event, lambdaContext);

    // Assess
    expect(appended).toHaveBeenCalledWith(
      expect.objectContaining({ requestId: event.requestContext.requestId, httpMethod: 'GET' }),
    );
    expect(info).toHaveBeenCalledWith('request', expect.objectContaining({ status: 404 }));
  });
});

describe('bodies', () => {
  it('answers 400 for a body that is not JSON, and 415 for JSON routes sent another type', async () => {
    // Act
    const broken = await call({
      method: 'POST',
      path: '/v1/campaigns',
      raw: { body: '{"name": "x",', contentType: 'application/json' },
    });
    const form = await call({
      method: 'POST',
      path: '/v1/campaigns',
      raw: { body: 'name=x', contentType: 'text/plain' },
    });

    // Assess
    expectError(broken, 400, 'invalid_json');
    expect(form.status).toBe(415);
  });

  it('reads a base64-encoded body and a body without content type is asked for JSON', async () => {
    // Act
    const encoded = await call({
      method: 'POST',
      path: '/v1/campaigns',
      raw: { body: JSON.stringify(campaignBody('from-base64')), contentType: 'application/json', base64: true },
    });
    const missingBody = await call({ method: 'POST', path: '/v1/campaigns' });

    // Assess
    expect(encoded.status).toBe(201);
    expect(encoded.body.campaignId).toBe('from-base64');
    expect(missingBody.status).toBe(400);
    expect(missingBody.body.error.details).toEqual([{ field: 'body', message: 'is required' }]);
  });

  it('decodes percent-encoded path parameters', async () => {
    // Prepare
    await call({ method: 'POST', path: '/v1/suppressions', json: { email: 'a+b@enc.example', reason: 'test' } });

    // Act
    const reply = await call({
      method: 'DELETE',
      path: `/v1/suppressions/${encodeURIComponent('EMAIL#a+b@enc.example')}`,
    });

    // Assess
    expect(reply.status).toBe(204);
  });
});

describe('errors', () => {
  it('answers 500 without leaking internals', async () => {
    // Prepare
    const table = process.env.CASCADE_LEADS_TABLE;
    delete process.env.CASCADE_LEADS_TABLE;

    // Act
    const reply = await call({ method: 'GET', path: '/v1/campaigns/http' });
    process.env.CASCADE_LEADS_TABLE = table;

    // Assess
    expect(reply.status).toBe(500);
    expect(reply.body).toEqual({ error: { code: 'internal_error', message: 'Internal server error', details: [] } });
    expect(reply.rawBody).not.toContain('CASCADE_LEADS_TABLE');
  });
});

describe('Idempotency-Key', () => {
  const createCampaign = (body: unknown, key: string) =>
    call({ method: 'POST', path: '/v1/campaigns', json: body, headers: { 'Idempotency-Key': key } });

  it('answers 409 while the first request with the key is still running, or when it was another request', async () => {
    // Prepare
    const body = campaignBody('idem-running');
    const fingerprint = requestFingerprint({ method: 'POST', path: '/v1/campaigns', query: {}, body });
    await claimIdempotencyKey('still-running', fingerprint);
    await claimIdempotencyKey('used-elsewhere', 'another-fingerprint');

    // Act
    const running = await createCampaign(body, 'still-running');
    const reused = await createCampaign(body, 'used-elsewhere');

    // Assess
    expectError(running, 409, 'idempotency_request_in_progress');
    expectError(reused, 409, 'idempotency_key_reused');
  });

  it('answers 400 for a malformed key', async () => {
    // Act
    const malformed = await createCampaign(campaignBody('idem-malformed'), 'has spaces');

    // Assess
    expectInvalid(malformed, 'Idempotency-Key');
  });

  it('gives the key back when the request fails, so a corrected retry with the same key runs', async () => {
    // Prepare
    const conflicting = campaignBody('http');

    // Act
    const failed = await createCampaign(conflicting, 'retry-after-failure');
    const retried = await createCampaign(conflicting, 'retry-after-failure');

    // Assess
    expectError(failed, 409, 'campaign_exists');
    expectError(retried, 409, 'campaign_exists');
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
  });
});
