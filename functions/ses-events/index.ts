import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { logger, metrics } from '../../shared/observability';
import { handleSesEvent } from '../../shared/tracking/ses-events';

/** EventBridge → SES event (delivery, bounce, complaint, open, click, …) applied to its message. */
export const handler = middy(async (event: unknown) => {
  const result = await handleSesEvent(event);
  logger.info('SES event applied', { ...result });
  return result;
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
