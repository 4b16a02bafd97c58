import { describe, expect, it } from 'vitest';
import { ALL_ROUTES, buildOpenApiDocument } from '#functions/api/openapi';

/** What the CLI's two auth modes rely on the OpenAPI document to say (docs/product.md §7). */

type Operation = { security?: Record<string, string[]>[] };

function operations(document: ReturnType<typeof buildOpenApiDocument>): [string, Operation][] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item ?? {}).map(([method, operation]) => [
      `${method.toUpperCase()} ${path}`,
      operation as Operation,
    ]),
  );
}

describe('the OpenAPI security schemes', () => {
  it('declares the bearer token and SigV4 in the form API Gateway documents', () => {
    // Act
    const schemes = buildOpenApiDocument().components?.securitySchemes;

    // Assess
    expect(schemes?.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(schemes?.sigv4).toMatchObject({
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    });
  });

  it('lets either scheme authorise every operator operation', () => {
    // Act
    const document = buildOpenApiDocument();

    // Assess
    expect(document.security).toEqual([{ bearerAuth: [] }, { sigv4: [] }]);
    const protectedOps = operations(document).filter(([key]) =>
      ALL_ROUTES.some((route) => !route.public && `${route.method} ${route.path}` === key),
    );
    expect(protectedOps.length).toBeGreaterThan(0);
    expect(protectedOps).toHaveLength(ALL_ROUTES.filter((route) => !route.public).length);
    for (const [key, operation] of protectedOps)
      expect(operation.security, key).toEqual([{ bearerAuth: [] }, { sigv4: [] }]);
  });

  it('leaves the public routes (unsubscribe, provider webhook) without any', () => {
    // Act
    const byKey = new Map(operations(buildOpenApiDocument()));

    // Assess
    for (const key of ['POST /v1/unsubscribe', 'GET /v1/unsubscribe', 'POST /v1/webhooks/linkedin'])
      expect(byKey.get(key)?.security, key).toEqual([]);
  });
});
