import { emailAdapter } from '#shared/channels/email/ses-adapter';
import { channelEntry } from '../commons/channel-entry';

export const handler = channelEntry(emailAdapter);
