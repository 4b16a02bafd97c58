import { handleSesEvent } from '#shared/tracking/ses-events';
import { lambdaEntry, logger } from '../commons/entry';

/** EventBridge → SES event (delivery, bounce, complaint, open, click, …) applied to its message. */
export const handler = lambdaEntry({
  async handle(event: unknown) {
    const result = await handleSesEvent(event);
    logger.info('SES event applied', { ...result });
    return result;
  },
});
