import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { ALL_ROUTES, buildOpenApiDocument } from '#functions/api/openapi';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

type Document = ReturnType<typeof buildOpenApiDocument>;

const TOKEN = 'openapi-test-token';

async function servedDocument(): Promise<Document> {
  const { handler } = await import('#functions/api/index');
  const result = await handler(
    {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/v1/openapi.json',
      rawQueryString: '',
      headers: { authorization: `Bearer ${TOKEN}` },
      requestContext: {
        accountId: '123456789012',
        apiId: 'local',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: {
          method: 'GET',
          path: '/v1/openapi.json',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'vitest',
        },
        requestId: 'openapi-test',
        routeKey: '$default',
        stage: '$default',
        time: '24/Nov/2026:00:00:00 +0000',
        timeEpoch: 0,
      },
      isBase64Encoded: false,
    },
    {} as never,
  );
  expect(result.statusCode).toBe(200);
  return JSON.parse(result.body ?? '{}') as Document;
}

describe('docs/openapi.json', () => {
  it('matches the document the API serves (run `npx tsx scripts/write-openapi.ts` after changing the API)', async () => {
    // Prepare
    const written = JSON.parse(readFileSync('docs/openapi.json', 'utf8'));

    // Act
    const served = await servedDocument();

    // Assess
    expect(served).toEqual(written);
  });
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and describes every route the router serves', () => {
    // Act
    const document = buildOpenApiDocument();

    // Assess
    expect(document.openapi).toBe('3.1.0');
    const described = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.keys(item ?? {}).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const served = ALL_ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(described.sort()).toEqual(served.sort());
    for (const expected of [
      'POST /v1/campaigns',
      'GET /v1/campaigns/{id}',
      'PUT /v1/campaigns/{id}/sequence',
      'POST /v1/campaigns/{id}/pause',
      'POST /v1/campaigns/{id}/resume',
      'POST /v1/campaigns/{id}/leads',
      'POST /v1/campaigns/{id}/batches',
      'GET /v1/leads/{id}',
      'DELETE /v1/leads/{id}',
      'POST /v1/leads/{id}/outreach',
      'GET /v1/leads/{id}/history',
      'GET /v1/channels/{channel}/config',
      'PUT /v1/channels/{channel}/config',
      'GET /v1/metrics/channels',
      'GET /v1/executions/{name}',
      'GET /v1/suppressions',
      'POST /v1/suppressions',
      'DELETE /v1/suppressions/{key}',
      'POST /v1/unsubscribe',
      'GET /v1/openapi.json',
    ]) {
      expect(described).toContain(expected);
    }
  });

  it('declares the bearer and SigV4 schemes for every route but the public ones', () => {
    // Act
    const document = buildOpenApiDocument();

    // Assess
    expect(document.components?.securitySchemes?.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ bearerAuth: [] }, { sigv4: [] }]);
    expect(document.paths?.['/v1/unsubscribe']?.post?.security).toEqual([]);
    expect(document.paths?.['/v1/campaigns']?.post?.security).toEqual([{ bearerAuth: [] }, { sigv4: [] }]);
  });

  it('gives every operation the error shape, and a 401 where a token is needed', () => {
    // Act
    const document = buildOpenApiDocument();

    // Assess
    expect(document.components?.schemas?.Error).toMatchObject({
      type: 'object',
      properties: { error: { type: 'object', required: ['code', 'message', 'details'] } },
    });
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      for (const [method, operation] of Object.entries(item ?? {})) {
        const responses = (
          operation as { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }
        ).responses;
        expect(responses['500']?.content?.['application/json']?.schema, `${method} ${path}`).toEqual({
          $ref: '#/components/schemas/Error',
        });
        if (path !== '/v1/unsubscribe') expect(responses['401'], `${method} ${path}`).toBeDefined();
      }
    }
  });

  it('documents Idempotency-Key on the routes that start work, and CSV on the lead import', () => {
    // Act
    const document = buildOpenApiDocument();

    // Assess
    const headerOf = (path: string) =>
      (document.paths?.[path]?.post?.parameters as { name: string; in: string }[] | undefined)?.find(
        (parameter) => parameter.in === 'header',
      )?.name;
    for (const path of [
      '/v1/campaigns',
      '/v1/campaigns/{id}/leads',
      '/v1/campaigns/{id}/batches',
      '/v1/leads/{id}/outreach',
    ])
      expect(headerOf(path), path).toBe('Idempotency-Key');
    const importBody = document.paths?.['/v1/campaigns/{id}/leads']?.post?.requestBody as {
      content: Record<string, unknown>;
    };
    expect(Object.keys(importBody.content)).toEqual(['application/json', 'text/csv']);
  });
});
