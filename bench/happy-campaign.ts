import { type LocalStack, startLocalStack } from '#local/stack';
import { storeLeads } from '#shared/leads/create';
import { type AccountLimits, putAccountLimits } from '#shared/store/config';
import { configureChannel, createCampaign, happyLeads } from './harness';

export interface HappyCampaignLimits {
  email: { perHour: number; perDay: number };
  account: AccountLimits;
}

/**
 * The embedded stack with one campaign of `count` leads on the happy path (see `happyLeads`), its email channel
 * and the account held to `limits`: the set-up of the sections that measure many sends of one kind.
 */
export async function stackWithHappyCampaign(
  campaignId: string,
  count: number,
  limits: HappyCampaignLimits,
): Promise<LocalStack> {
  const stack = await startLocalStack({});
  const campaign = await createCampaign(campaignId);
  await putAccountLimits(limits.account);
  await configureChannel(campaignId, 'EMAIL', limits.email);
  await storeLeads(campaign, happyLeads(campaignId, count), { concurrency: 16 });
  return stack;
}
