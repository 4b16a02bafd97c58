import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { secretValue } from '#shared/secrets';

/**
 * The LinkedIn provider's webhook call as API Gateway hands it to the API function: `POST /v1/webhooks/linkedin`
 * (a public route) with the shared secret the provider is configured with. `cascade simulate`, the bench and the
 * fault suite deliver provider events this way, so they go through the API function's own checks and grants.
 */
export function linkedinWebhookCall(payload: unknown, userAgent: string): APIGatewayProxyEventV2 {
  const now = new Date();
  const path = '/v1/webhooks/linkedin';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      'user-agent': `${userAgent} (LinkedIn provider webhook)`,
      'x-cascade-webhook-secret': secretValue('CASCADE_LINKEDIN_WEBHOOK_SECRET') ?? '',
    },
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: JSON.stringify(payload),
    isBase64Encoded: false,
  };
}
