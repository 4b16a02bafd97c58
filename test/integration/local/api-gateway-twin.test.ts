import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ROUTES } from '#functions/api/openapi';
import { type HttpAdapter, matchGatewayRoute, startHttpAdapter } from '#local/http-adapter/server';
import { synthesizeTemplate } from '#local/synth';
import { TemplateResolver, templateRoutes } from '#local/template';

/**
 * The API Gateway twin authorizes as the synthesized HTTP API does, route by route: `ANY /v1/{proxy+}` is
 * AWS_IAM (locally the operator's bearer token stands in for a SigV4 signature), the unsubscribe link and
 * the provider webhook are public, anything else is not routed. The API function never checks a token.
 */
const TOKEN = 'gateway-twin-token';
let adapter: HttpAdapter;
const reached: APIGatewayProxyEventV2[] = [];
const routes = templateRoutes(new TemplateResolver(synthesizeTemplate(), { apiUrl: 'http://127.0.0.1' }));

beforeAll(async () => {
  adapter = await startHttpAdapter({
    handler: async (event) => {
      reached.push(event);
      return { statusCode: 200, body: '{}' };
    },
    gateway: { routes, token: TOKEN },
    log: () => undefined,
  });
});

afterAll(async () => {
  await adapter?.close();
});

async function send(method: string, path: string, authorization?: string) {
  reached.length = 0;
  const response = await fetch(`${adapter.url}${path}`, {
    method,
    headers: authorization ? { authorization } : {},
  });
  return { status: response.status, body: await response.json(), challenge: response.headers.get('www-authenticate') };
}

describe('the API Gateway twin, with the template routes', () => {
  it('answers 401 on an AWS_IAM route without the token, with a wrong one and with another scheme; the function never runs', async () => {
    // Act
    const answers = [
      await send('GET', '/v1/campaigns/c1'),
      await send('GET', '/v1/campaigns/c1', `Bearer ${TOKEN}x`),
      await send('POST', '/v1/campaigns', `Basic ${TOKEN}`),
    ];

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({
        error: { code: 'unauthorized', message: 'A valid bearer token is required', details: [] },
      });
      expect(answer.challenge).toBe('Bearer realm="cascade"');
    }
    expect(reached).toHaveLength(0);
  });

  it('passes the token in any case of the scheme, and the public routes without one', async () => {
    // Act
    const operator = await send('GET', '/v1/campaigns/c1', `bearer ${TOKEN}`);
    const unsubscribe = await send('POST', '/v1/unsubscribe?token=abc.def');
    const webhook = await send('POST', '/v1/webhooks/linkedin');

    // Assess
    expect([operator.status, unsubscribe.status, webhook.status]).toEqual([200, 200, 200]);
  });

  it('routes nothing outside the template routes', async () => {
    // Act
    const outside = await send('GET', '/v2/campaigns', `Bearer ${TOKEN}`);

    // Assess
    expect(outside.status).toBe(404);
    expect(reached).toHaveLength(0);
  });

  it('makes public exactly the routes the API declares public (the function itself checks no credentials)', () => {
    // Prepare
    const publicInTemplate = routes
      .filter((route) => route.authorizationType === 'NONE')
      .map((route) => route.routeKey)
      .sort();

    // Act
    const publicInApi = ALL_ROUTES.filter((route) => route.public)
      .map((route) => `${route.method} ${route.path}`)
      .sort();

    // Assess
    expect(publicInTemplate).toEqual(publicInApi);
  });

  it('prefers the most specific route, as API Gateway does', () => {
    // Act / Assess
    expect(matchGatewayRoute(routes, 'POST', '/v1/unsubscribe')?.authorizationType).toBe('NONE');
    expect(matchGatewayRoute(routes, 'PUT', '/v1/unsubscribe')?.authorizationType).toBe('AWS_IAM');
    expect(matchGatewayRoute(routes, 'GET', '/v1/webhooks/linkedin')?.authorizationType).toBe('AWS_IAM');
    expect(matchGatewayRoute(routes, 'GET', '/v1')).toBeUndefined();
  });
});
