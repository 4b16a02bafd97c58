import { linkedInAdapter } from '#shared/channels/linkedin/linkedin-adapter';
import { channelEntry } from '../commons/channel-entry';

export const handler = channelEntry(linkedInAdapter);
