import type { Campaign, Lead } from '../domain/schemas';
import { counterShards, counterTotal, dayWindow } from '../rate-limit/limiter';
import { type Sender, warmupLimitOn } from '../senders/schema';
import { getSender } from '../store/senders';
import { nowMs } from '../time/clock';
import { byRoomLeft, type PoolChoice, type PoolChoices, pausedVerdict } from './pool-choice';

/**
 * Email sender pools (PRODUCT.md §10): a campaign draws on `senderIds`; a lead gets the ACTIVE sender with the most
 * room left today when its first email goes out, and keeps it for every later email (one mailbox, one thread).
 * Each sender has its own daily counter (`SENDER#<id>#D#<day>`), limited by its warm-up ramp (`warmupLimitOn`),
 * taken atomically with the other limits. A campaign without `senderIds` sends as its one `sender`, as before.
 */

export const senderDayKey = (senderId: string, day: string) => `SENDER#${senderId}#D#${day}`;

/** How long a lead held by a paused sender waits before it looks again (an operator resumes the sender by hand). */
export const PAUSED_SENDER_RETRY_SECONDS = 6 * 3600;

/** The senders this email may go out from, best first (the lead's own, else the pool's ACTIVE ones by room). */
export async function senderChoices(
  campaign: Pick<Campaign, 'senderIds'>,
  lead: Pick<Lead, 'senderId'>,
): Promise<PoolChoices> {
  const pool = campaign.senderIds ?? [];
  if (pool.length === 0 && !lead.senderId) return undefined;
  const day = dayWindow(nowMs()).label;
  if (lead.senderId) {
    const own = await getSender(lead.senderId);
    if (own?.state !== 'ACTIVE')
      return pausedVerdict(
        own
          ? `sender ${own.senderId} is paused (${own.pausedReason ?? 'operator'})`
          : `sender ${lead.senderId} is gone`,
        PAUSED_SENDER_RETRY_SECONDS,
      );
    return [senderChoice(own, false)];
  }
  const active = (await Promise.all(pool.map((id) => getSender(id)))).filter(
    (sender): sender is Sender => sender?.state === 'ACTIVE',
  );
  if (active.length === 0)
    return pausedVerdict(
      `every sender of the pool is paused or gone (${pool.join(', ')})`,
      PAUSED_SENDER_RETRY_SECONDS,
    );
  const room = await Promise.all(
    active.map(async (sender) => {
      const limit = warmupLimitOn(sender, day);
      const used = await counterTotal(senderDayKey(sender.senderId, day), counterShards(limit));
      return { choice: senderChoice(sender, true), left: limit - used };
    }),
  );
  return byRoomLeft(room);
}

function senderChoice(sender: Sender, assign: boolean): PoolChoice {
  return {
    counterPrefix: `SENDER#${sender.senderId}#`,
    campaign: (campaign) => withPoolSender(campaign, sender),
    config: (config) => config,
    counters: (_plan, atMs) => {
      const day = dayWindow(atMs);
      return [
        {
          key: senderDayKey(sender.senderId, day.label),
          limit: warmupLimitOn(sender, day.label),
          windowEndMs: day.endMs,
        },
      ];
    },
    assignment: assign ? { senderId: sender.senderId } : {},
    messageFields: { senderId: sender.senderId },
  };
}

/** The campaign as this touch sends it: its `sender` is the pool sender (From, Reply-To, `sender.*` in templates). */
export function withPoolSender(campaign: Campaign, sender: Sender): Campaign {
  return {
    ...campaign,
    sender: {
      ...campaign.sender,
      name: sender.name,
      email: sender.email,
      ...(sender.replyTo ? { replyTo: sender.replyTo } : {}),
    },
  };
}
