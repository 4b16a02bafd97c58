import type { Campaign, Lead } from '../domain/schemas';
import { counterShards, counterTotal, dayWindow, type OwnerCounter, weekWindow } from '../rate-limit/limiter';
import type { LinkedInAccount } from '../senders/schema';
import { getLinkedInAccount } from '../store/senders';
import { nowMs } from '../time/clock';
import { byRoomLeft, type PoolChoice, type PoolChoices, pausedVerdict } from './pool-choice';

/**
 * LinkedIn account pools (PRODUCT.md §10): a campaign draws on `linkedinAccountIds`; a lead gets the ACTIVE account
 * with the most invitations left today at its first LinkedIn touch and keeps it (one conversation). Each account
 * has its own counters: invitations per day and per ISO week, messages per day. Its calls go through that account
 * (the channel config's `accountId` for this touch), so its pacing (`LINKEDIN:<account>` spacing) is its own too.
 */

export const invitesToday = (accountId: string, day: string) => `LIACCOUNT#${accountId}#INV#D#${day}`;

/** A held lead looks again after this long (an operator resumes a paused account by hand). */
const PAUSED_ACCOUNT_RETRY_SECONDS = 6 * 3600;

export async function linkedinAccountChoices(
  campaign: Pick<Campaign, 'linkedinAccountIds'>,
  lead: Pick<Lead, 'linkedinAccountId'>,
): Promise<PoolChoices> {
  const pool = campaign.linkedinAccountIds ?? [];
  if (pool.length === 0 && !lead.linkedinAccountId) return undefined;
  if (lead.linkedinAccountId) {
    const own = await getLinkedInAccount(lead.linkedinAccountId);
    if (own?.state !== 'ACTIVE')
      return pausedVerdict(
        `LinkedIn account ${lead.linkedinAccountId} is paused or gone`,
        PAUSED_ACCOUNT_RETRY_SECONDS,
      );
    return [accountChoice(own, false)];
  }
  const active = (await Promise.all(pool.map((id) => getLinkedInAccount(id)))).filter(
    (account): account is LinkedInAccount => account?.state === 'ACTIVE',
  );
  if (active.length === 0)
    return pausedVerdict(
      `every LinkedIn account of the pool is paused or gone (${pool.join(', ')})`,
      PAUSED_ACCOUNT_RETRY_SECONDS,
    );
  const day = dayWindow(nowMs()).label;
  const room = await Promise.all(
    active.map(async (account) => {
      const used = await counterTotal(invitesToday(account.accountId, day), counterShards(account.dailyInvites));
      return { choice: accountChoice(account, true), left: account.dailyInvites - used };
    }),
  );
  return byRoomLeft(room);
}

function accountChoice(account: LinkedInAccount, assign: boolean): PoolChoice {
  return {
    counterPrefix: `LIACCOUNT#${account.accountId}#`,
    campaign: (campaign) => campaign,
    config: (config) => ({ ...config, settings: { ...config.settings, accountId: account.accountId } }),
    counters: (plan, atMs) => accountCounters(account, plan.data?.action === 'send_invitation', atMs),
    assignment: assign ? { linkedinAccountId: account.accountId } : {},
    messageFields: {},
  };
}

export function accountCounters(account: LinkedInAccount, invitation: boolean, atMs: number): OwnerCounter[] {
  const day = dayWindow(atMs);
  const { accountId } = account;
  if (!invitation)
    return [{ key: `LIACCOUNT#${accountId}#MSG#D#${day.label}`, limit: account.dailyMessages, windowEndMs: day.endMs }];
  const week = weekWindow(atMs);
  return [
    { key: invitesToday(accountId, day.label), limit: account.dailyInvites, windowEndMs: day.endMs },
    { key: `LIACCOUNT#${accountId}#INV#${week.label}`, limit: account.weeklyInvites, windowEndMs: week.endMs },
  ];
}
