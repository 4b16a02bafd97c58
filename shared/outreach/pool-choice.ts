import type { ProviderVerdict } from '../domain/outcome';
import type { Campaign, ChannelConfig, Lead } from '../domain/schemas';
import type { OwnerCounter } from '../rate-limit/limiter';
import type { SendPlan } from './channel-adapter';

/**
 * One sending identity a touch may go out as (PRODUCT.md §10): a pool sender for email, a LinkedIn account. It
 * changes what the touch sends as (the campaign's sender, the channel config's account), brings its own counters
 * (taken atomically with the other limits), and is recorded on the lead at its first touch.
 */
export interface PoolChoice {
  /** `SENDER#<id>` / `LIACCOUNT#<id>`: the prefix of its counters (a full one passes the touch to the next choice). */
  counterPrefix: string;
  /** The campaign and config the touch is rendered and sent with. */
  campaign(campaign: Campaign): Campaign;
  config(config: ChannelConfig): ChannelConfig;
  /** Its counters for this send (the plan says whether a LinkedIn touch is an invitation or a message). */
  counters(plan: SendPlan, atMs: number): OwnerCounter[];
  /** What the lead records when this is its first touch on the channel (kept for every later one). */
  assignment: Partial<Lead>;
  /** Recorded on the message (email: the sender its bounces count against). */
  messageFields: { senderId?: string };
}

/** The choices for a touch, best first; a verdict that holds it back; or undefined when the campaign has no pool. */
export type PoolChoices = PoolChoice[] | { verdict: ProviderVerdict } | undefined;

/** A touch held because its identity (or every identity of the pool) is paused: it waits, using no retry. */
export const pausedVerdict = (detail: string, retryAfterSeconds: number): { verdict: ProviderVerdict } => ({
  verdict: { outcome: 'RETRY', reason: 'sender_paused', detail, retryAfterSeconds, usesRetry: false, delivered: false },
});

/** Candidates ordered by room left, most first; a tie keeps the pool's order, so assignment is stable. */
export function byRoomLeft<T>(entries: readonly { choice: T; left: number }[]): T[] {
  return entries
    .map((entry, index) => ({ ...entry, index }))
    .sort((a, b) => b.left - a.left || a.index - b.index)
    .map((entry) => entry.choice);
}
