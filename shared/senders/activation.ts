import type { Campaign } from '../domain/schemas';
import { getSender } from '../store/senders';
import { checkSenderHealth, type HealthOptions } from './health';

/**
 * Before a campaign goes ACTIVE with a sender pool (PRODUCT.md §10, Gmail/Yahoo/Microsoft bulk-sender rules): its
 * senders whose From domain is known NOT to align with SPF or DKIM under DMARC. Activating anyway needs an explicit
 * `force`. A check that could not be read (`unknown`, DNS or SES unreachable) does not hold a campaign back.
 */
export async function unalignedSenders(
  campaign: Pick<Campaign, 'senderIds'>,
  options: HealthOptions = {},
): Promise<{ senderId: string; problems: string[] }[]> {
  const unaligned: { senderId: string; problems: string[] }[] = [];
  for (const senderId of campaign.senderIds ?? []) {
    const sender = await getSender(senderId);
    if (!sender) continue;
    const health = await checkSenderHealth(sender, options);
    if (health.aligned === false || health.dmarc === 'fail') unaligned.push({ senderId, problems: health.problems });
  }
  return unaligned;
}
