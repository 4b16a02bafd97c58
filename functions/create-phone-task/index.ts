import { phoneAdapter } from '#shared/channels/phone/manual-task-adapter';
import { channelEntry } from '../commons/channel-entry';

export const handler = channelEntry(phoneAdapter);
