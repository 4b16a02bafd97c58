import { emailAdapter } from '../../shared/channels/email/ses-adapter';
import { channelHandler } from '../../shared/lambda/channel-handler';

export const handler = channelHandler(emailAdapter);
