import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaEntry } from '../commons/entry';
import { createApiHandler } from './router';

/**
 * The operator API Lambda (API Gateway HTTP API, payload format 2.0): every `/v1` route in one router
 * (the event fields it reads are listed in functions/api/router.ts), behind the one entry wrapper — so it loads
 * its secrets (unsubscribe signing key, LinkedIn webhook secret) like every other function.
 */
const api = createApiHandler();

export const handler = lambdaEntry({
  handle: (event: APIGatewayProxyEventV2, context): Promise<APIGatewayProxyStructuredResultV2> => api(event, context),
});
