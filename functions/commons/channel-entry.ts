import type { ChannelResult } from '#shared/domain/outcome';
import { asStoreUnavailable } from '#shared/errors';
import type { ChannelAdapter } from '#shared/outreach/channel-adapter';
import { type RoutedCursor, routeResult } from '#shared/outreach/step-route';
import { runChannelStep } from '#shared/outreach/step-runner';
import { dynamoStepStore, type StepStore } from '#shared/outreach/step-store';
import { StepTaskInput } from '#shared/outreach/task-input';
import { lambdaEntry, logger } from './entry';

/** The Lambda every channel folder exports: parse the Task input, run the step, log the outcome. */
export function channelEntry(adapter: ChannelAdapter, store: StepStore = dynamoStepStore) {
  return lambdaEntry({
    input: StepTaskInput,
    logKeys: (input) => ({
      leadId: input.leadId,
      campaignId: input.campaignId,
      executionName: input.executionName,
      channel: adapter.channel,
    }),
    async handle(input): Promise<RoutedCursor> {
      let result: ChannelResult;
      try {
        result = await runChannelStep(input, adapter, store);
      } catch (error) {
        throw asStoreUnavailable(error);
      }
      logger.info('step finished', { outcome: result.outcome, reason: result.reason, tryCount: input.cursor.tryCount });
      // The state machine routes on the next cursor (the result is in it): next step, retry, wait or end.
      return routeResult(input, result);
    },
  });
}
