import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { ALL_ROUTES, buildOpenApiDocument } from '#functions/api/openapi';
import { callApi, loadHandler } from '#test/integration/functions/api/gateway';

vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

type Document = ReturnType<typeof buildOpenApiDocument>;

async function servedDocument(): Promise<Document> {
  const reply = await callApi(await loadHandler(), { method: 'GET', path: '/v1/openapi.json' });
  expect(reply.status).toBe(200);
  return reply.body as Document;
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

  it('is byte for byte the document the schemas generate (key order and formatting included)', () => {
    // Prepare
    const written = readFileSync('docs/openapi.json', 'utf8');

    // Act
    const generated = `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;

    // Assess
    expect(generated).toBe(written);
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
    const methodsByPath: Record<string, string[]> = {
      '/v1/campaigns': ['POST'],
      '/v1/campaigns/{id}': ['GET'],
      '/v1/campaigns/{id}/sequence': ['PUT'],
      '/v1/campaigns/{id}/pause': ['POST'],
      '/v1/campaigns/{id}/resume': ['POST'],
      '/v1/campaigns/{id}/leads': ['POST'],
      '/v1/campaigns/{id}/batches': ['POST'],
      '/v1/leads/{id}': ['GET', 'DELETE'],
      '/v1/leads/{id}/outreach': ['POST'],
      '/v1/leads/{id}/history': ['GET'],
      '/v1/channels/{channel}/config': ['GET', 'PUT'],
      '/v1/metrics/channels': ['GET'],
      '/v1/executions/{name}': ['GET'],
      '/v1/suppressions': ['GET', 'POST'],
      '/v1/suppressions/{key}': ['DELETE'],
      '/v1/unsubscribe': ['POST'],
      '/v1/openapi.json': ['GET'],
    };
    for (const [path, methods] of Object.entries(methodsByPath))
      for (const method of methods) expect(described).toContain(`${method} ${path}`);
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
