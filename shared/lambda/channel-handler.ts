import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { ChannelResult } from '../domain/outcome';
import { asStoreUnavailable, InvalidTaskInputError } from '../errors';
import { logger, metrics } from '../observability';
import type { ChannelAdapter } from '../outreach/channel-adapter';
import { runChannelStep } from '../outreach/step-runner';
import { StepTaskInput } from '../outreach/task-input';
import { secretsMiddleware } from '../secrets';

export { logger };

/** Parses a Task payload or throws the error the state machine catches as fatal. */
export function parseTaskInput(event: unknown): StepTaskInput {
  const parsed = StepTaskInput.safeParse(event);
  if (!parsed.success) {
    const details = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
      .join('; ');
    throw new InvalidTaskInputError(`invalid step input: ${details}`);
  }
  return parsed.data;
}

/** The thin Lambda adapter every channel folder exports: parse, run the step, log the outcome. */
export function channelHandler(adapter: ChannelAdapter) {
  return middy(async (event: unknown, _context: Context): Promise<ChannelResult> => {
    const input = parseTaskInput(event);
    logger.appendKeys({
      leadId: input.leadId,
      campaignId: input.campaignId,
      executionName: input.executionName,
      channel: adapter.channel,
    });
    let result: ChannelResult;
    try {
      result = await runChannelStep(input, adapter);
    } catch (error) {
      throw asStoreUnavailable(error);
    }
    logger.info('step finished', { outcome: result.outcome, reason: result.reason, tryCount: input.cursor.tryCount });
    return result;
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(secretsMiddleware())
    .use(logMetrics(metrics));
}
