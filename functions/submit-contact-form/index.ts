import { contactFormAdapter } from '../../shared/channels/contact-form/contact-form-adapter';
import { channelHandler } from '../../shared/lambda/channel-handler';

export const handler = channelHandler(contactFormAdapter);
