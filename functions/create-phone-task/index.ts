import { phoneAdapter } from '../../shared/channels/phone/manual-task-adapter';
import { channelHandler } from '../../shared/lambda/channel-handler';

export const handler = channelHandler(phoneAdapter);
