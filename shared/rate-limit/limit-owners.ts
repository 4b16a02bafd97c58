import type { ChannelConfig } from '../domain/schemas';
import { ACCOUNT_SCOPE } from '../store/config';
import type { SendLimitsInput } from './limiter';

/**
 * Whose channel limits a send counts against (PRODUCT.md §4). A campaign with its own channel config has its own
 * counters: its limits count its sends only, so one campaign never uses up another's. The account-scope config
 * (`PUT /v1/channels/{channel}/config` without a campaign) is channel-wide: every campaign's sends count against it.
 * Without either, the defaults of §4 are channel-wide. A campaign config alone does not bring the defaults back
 * channel-wide: an operator who gave every campaign its own limits has said what each may send.
 */
export function limitOwners(
  campaignId: string,
  resolved: Pick<ChannelConfig, 'scope' | 'rateLimits'>,
  accountWide: Pick<ChannelConfig, 'rateLimits'> | undefined,
): Pick<SendLimitsInput, 'channelLimits' | 'campaignLimits'> {
  if (resolved.scope === ACCOUNT_SCOPE) return { channelLimits: resolved.rateLimits };
  return {
    campaignLimits: { campaignId, ...resolved.rateLimits },
    ...(accountWide && { channelLimits: accountWide.rateLimits }),
  };
}
