import { linkedInAdapter } from '../../shared/channels/linkedin/linkedin-adapter';
import { channelHandler } from '../../shared/lambda/channel-handler';

export const handler = channelHandler(linkedInAdapter);
