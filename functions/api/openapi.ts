import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod';
import { defineRoute, errorStatuses, type Route } from './route';
import { API_ROUTES } from './routes/index';
import { ErrorResponse, IdempotencyHeaders, OpenApiDocumentResponse } from './schemas/common';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input: `details` names each field (`sender.email`, `limit`, …)',
  401: 'Missing or wrong bearer token (local mode; deployed, API Gateway answers a bad SigV4 signature with 403)',
  404: 'Unknown id or route',
  405: 'Method not allowed on this path',
  409: 'Conflicts with the current state, or an Idempotency-Key reused for another request',
  413: 'Body too large (1 MB JSON, 6 MB CSV) or more than 10,000 leads',
  415: 'Unsupported content type',
  500: 'Internal error (no details)',
};

const openApiRoute = defineRoute({
  method: 'GET',
  path: '/v1/openapi.json',
  operationId: 'getOpenApiDocument',
  tag: 'Meta',
  summary: 'This OpenAPI 3.1 document',
  responses: { 200: { description: 'The document', schema: OpenApiDocumentResponse } },
  async handle() {
    return { status: 200, body: openApiDocument() };
  },
});

/** Every route the API serves, the document's own included. */
export const ALL_ROUTES: readonly Route[] = [...API_ROUTES, openApiRoute];

const jsonContent = (schema: z.ZodType) => ({ 'application/json': { schema } });

/** Either scheme authorises an operator route: the bearer token locally, SigV4 behind API Gateway. */
const OPERATOR_SECURITY: Record<string, string[]>[] = [{ bearerAuth: [] }, { sigv4: [] }];

function registerRoute(registry: OpenAPIRegistry, route: Route): void {
  const bodySchema = route.bodyDoc ?? route.body;
  const content: Record<string, { schema: z.ZodType }> = {};
  if (bodySchema) Object.assign(content, jsonContent(bodySchema));
  if (route.csv)
    content['text/csv'] = { schema: z.string().meta({ description: 'A header row, then one lead per row' }) };
  if (route.formBody) {
    content['application/x-www-form-urlencoded'] = {
      schema: z.object({ 'List-Unsubscribe': z.literal('One-Click').optional() }),
    };
  }
  const responses: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(route.responses)) {
    responses[status] = {
      description: spec.description,
      ...(spec.schema && { content: { [spec.contentType ?? 'application/json']: { schema: spec.schema } } }),
    };
  }
  for (const status of errorStatuses(route)) {
    responses[String(status)] = {
      description: ERROR_DESCRIPTIONS[status] ?? 'Error',
      content: jsonContent(ErrorResponse),
    };
  }
  registry.registerPath({
    method: route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete',
    path: route.path,
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description && { description: route.description }),
    // Explicit on every operation (an empty list for the public ones, as infra/operator-api.ts leaves them
    // unauthorised), so a client or gateway reading one operation needs no top-level default to know its auth.
    security: route.public ? [] : OPERATOR_SECURITY,
    request: {
      ...(route.params && { params: route.params as z.ZodObject }),
      ...(route.query && { query: route.query as z.ZodObject }),
      ...(route.idempotent && { headers: IdempotencyHeaders }),
      ...(Object.keys(content).length > 0 && {
        body: { required: route.body ? !route.body.safeParse(undefined).success : !!route.csv, content },
      }),
    },
    responses: responses as Parameters<OpenAPIRegistry['registerPath']>[0]['responses'],
  });
}

/** The OpenAPI 3.1 document of the operator API, generated from the routes' zod schemas. */
export function buildOpenApiDocument(routes: readonly Route[] = ALL_ROUTES) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description:
      'Local mode (`cascade serve`): the operator token (`Authorization: Bearer …`). Deployed, use sigv4 instead.',
  });
  // The form API Gateway documents for IAM authorisation: an apiKey-style header carrying the SigV4 signature.
  registry.registerComponent('securitySchemes', 'sigv4', {
    type: 'apiKey',
    name: 'Authorization',
    in: 'header',
    'x-amazon-apigateway-authtype': 'awsSigv4',
    description:
      'Deployed: API Gateway authorises operators with IAM; sign each request with AWS Signature Version 4 ' +
      "(service `execute-api`, the API's region), e.g. `cascade --auth iam`.",
  });
  for (const route of routes) registerRoute(registry, route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Cascade operator API',
      version: '1.0.0',
      description:
        'Campaigns, leads, batches, operator outreach, channel configuration, metrics, audits and suppressions. Errors are `{"error":{"code","message","details"}}`. POST routes that start work honour `Idempotency-Key`.',
    },
    security: OPERATOR_SECURITY,
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
  });
}

let cached: ReturnType<typeof buildOpenApiDocument> | undefined;
export function openApiDocument() {
  cached ??= buildOpenApiDocument();
  return cached;
}
