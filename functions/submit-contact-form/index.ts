import { contactFormAdapter } from '#shared/channels/contact-form/contact-form-adapter';
import { channelEntry } from '../commons/channel-entry';

export const handler = channelEntry(contactFormAdapter);
