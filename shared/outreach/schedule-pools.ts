import type { Campaign, Lead, SequenceStep } from '../domain/schemas';
import { type CounterRule, counterShards, dayWindow, type OwnerCounter } from '../rate-limit/limiter';
import { type LinkedInAccount, type Sender, type SendingState, warmupLimitOn } from '../senders/schema';
import { accountCounters, invitesToday } from './linkedin-pool';
import { byRoomLeft } from './pool-choice';
import { senderDayKey } from './sender-pool';

/**
 * Sender pools in the schedule preview (PRODUCT.md §10), as the send path draws on them (sender-pool.ts,
 * linkedin-pool.ts, checkBeforeSend): a lead with an identity keeps it, and waits while it is paused or gone; any
 * other pooled lead gets, at its touch, the ACTIVE identity with the most room left today (`byRoomLeft`: room, then
 * pool order), and passes to the next when the first one's own counter is full. Each identity's own counters
 * (a sender's warm-up day, a LinkedIn account's invitations per day and week, messages per day) are `ownerCounters`
 * of the send's rules. Pure: the records and counters are read once by `readSchedulePreview`.
 */

/** The identity records the preview read: every pool member, and every identity a waiting lead holds. */
export interface PoolRecords {
  senders: ReadonlyMap<string, Sender>;
  linkedinAccounts: ReadonlyMap<string, LinkedInAccount>;
}

/** The cell `sender` of pooled leads not assigned an identity yet (an id never has `*`: RecordId). */
export const UNASSIGNED = '*';

/** A sending identity; without its record it is gone (deleted, or never created). */
export type PoolIdentity =
  | { channel: 'EMAIL'; id: string; record?: Sender }
  | { channel: 'LINKEDIN'; id: string; record?: LinkedInAccount };

/** The identities a pooled touch may go out as. */
export interface TouchPool {
  /** The lead's own identity (assigned: kept for every touch), else the campaign's pool, in its order. */
  identities: readonly PoolIdentity[];
  assigned: boolean;
  /** LinkedIn: an invitation (the account's invitation caps), else a message (its message cap). */
  invitation: boolean;
}

/** What a touch sends as when it goes out as `identity`: its cell, its rate scope and its own counters. */
export interface IdentityTouch {
  sender: string;
  rateScope?: string;
  ownerCounters: OwnerCounter[];
}

function identityOf(channel: 'EMAIL' | 'LINKEDIN', id: string, records: PoolRecords | undefined): PoolIdentity {
  return channel === 'EMAIL'
    ? { channel, id, record: records?.senders.get(id) }
    : { channel, id, record: records?.linkedinAccounts.get(id) };
}

/**
 * Whether a LinkedIn touch is an invitation: the adapter's rule (`decideLinkedInAction`) on the lead's stored
 * relation, since the preview does not ask the provider. A `message` step is counted as a message.
 */
function isInvitation(step: Pick<SequenceStep, 'linkedinAction'>, lead: Lead): boolean {
  if (step.linkedinAction === 'invite') return true;
  return step.linkedinAction !== 'message' && lead.linkedinConnectionStatus !== 'CONNECTED';
}

/** The pool a touch draws on (senderChoices / linkedinAccountChoices); undefined: the campaign's one identity. */
export function touchPoolOf(
  step: Pick<SequenceStep, 'channel' | 'linkedinAction'>,
  campaign: Pick<Campaign, 'senderIds' | 'linkedinAccountIds'>,
  lead: Lead,
  records: PoolRecords | undefined,
): TouchPool | undefined {
  const { channel } = step;
  if (channel !== 'EMAIL' && channel !== 'LINKEDIN') return undefined;
  const own = channel === 'EMAIL' ? lead.senderId : lead.linkedinAccountId;
  const pool = (channel === 'EMAIL' ? campaign.senderIds : campaign.linkedinAccountIds) ?? [];
  if (!own && pool.length === 0) return undefined;
  return {
    identities: (own ? [own] : pool).map((id) => identityOf(channel, id, records)),
    assigned: Boolean(own),
    invitation: channel === 'LINKEDIN' && isInvitation(step, lead),
  };
}

/** The `sender` of an identity's cells: the sender's address (its id when gone), the LinkedIn account id. */
export const identityName = (identity: PoolIdentity): string =>
  identity.channel === 'EMAIL' ? (identity.record?.email ?? identity.id) : identity.id;

/** The prefix of the identity's own counters (`PoolChoice.counterPrefix`): a full one passes the touch on. */
export const counterPrefixOf = (identity: PoolIdentity): string =>
  `${identity.channel === 'EMAIL' ? 'SENDER' : 'LIACCOUNT'}#${identity.id}#`;

const isActive = (identity: PoolIdentity) => identity.record?.state === 'ACTIVE';

/**
 * The identity's own counters for a touch at `atMs` (the pool choice's `counters`): a sender's day under its warm-up
 * ramp (built as sender-pool.ts's `senderChoice` builds it), a LinkedIn account's `accountCounters`.
 */
function ownCounters(identity: PoolIdentity, invitation: boolean, atMs: number, firstSendDay?: string): OwnerCounter[] {
  if (!identity.record) return [];
  if (identity.channel === 'LINKEDIN') return accountCounters(identity.record, invitation, atMs);
  const day = dayWindow(atMs);
  const sender = { ...identity.record, firstSendDay: identity.record.firstSendDay ?? firstSendDay };
  return [
    { key: senderDayKey(identity.id, day.label), limit: warmupLimitOn(sender, day.label), windowEndMs: day.endMs },
  ];
}

/** A touch as `identity`; its LinkedIn calls go through that account, so its channel limits are the account's. */
export function identityTouch(
  identity: PoolIdentity,
  invitation: boolean,
  atMs: number,
  firstSendDay?: string,
): IdentityTouch {
  return {
    sender: identityName(identity),
    ...(identity.channel === 'LINKEDIN' && { rateScope: `LINKEDIN:${identity.id}` }),
    ownerCounters: ownCounters(identity, invitation, atMs, firstSendDay),
  };
}

/** Every counter of the identity at `atMs` (for the reads): a sender's day; an account's invitations and messages. */
export function identityCounterRules(identity: PoolIdentity, atMs: number): CounterRule[] {
  const counters = [
    ...ownCounters(identity, true, atMs),
    ...(identity.channel === 'LINKEDIN' ? ownCounters(identity, false, atMs) : []),
  ];
  return counters.map((counter) => ({
    kind: 'counter',
    ...counter,
    whenFull: 'retry',
    shards: counterShards(counter.limit),
  }));
}

/** The room the send path ranks by: a sender's warm-up limit today, an account's invitations today, less the used. */
function roomLeft(
  identity: PoolIdentity,
  counters: ReadonlyMap<string, number>,
  atMs: number,
  firstSendDay?: string,
): number {
  if (!identity.record) return 0;
  const day = dayWindow(atMs).label;
  if (identity.channel === 'LINKEDIN')
    return identity.record.dailyInvites - (counters.get(invitesToday(identity.id, day)) ?? 0);
  const [today] = ownCounters(identity, false, atMs, firstSendDay);
  return (today?.limit ?? 0) - (counters.get(senderDayKey(identity.id, day)) ?? 0);
}

/**
 * The pools' side of one simulation: the choice at a moment, from the simulation's live counters, and the first
 * sends it simulates (a warm-up ramp counts from the sender's first send: `markFirstSend` after a SENT).
 */
export class PoolSimulation {
  private readonly firstSendDays = new Map<string, string>();

  constructor(private readonly counters: ReadonlyMap<string, number>) {}

  /** The identities to try at `atMs`, best first; `paused` when the lead's own, or every one of the pool, is not ACTIVE. */
  choices(pool: TouchPool, atMs: number): PoolIdentity[] | 'paused' {
    const active = pool.identities.filter(isActive);
    if (active.length === 0) return 'paused';
    if (pool.assigned) return active;
    return byRoomLeft(
      active.map((identity) => ({
        choice: identity,
        left: roomLeft(identity, this.counters, atMs, this.firstSendDays.get(identity.id)),
      })),
    );
  }

  touchAs(identity: PoolIdentity, pool: TouchPool, atMs: number): IdentityTouch {
    return identityTouch(identity, pool.invitation, atMs, this.firstSendDays.get(identity.id));
  }

  /** A touch went out as `identity`: a sender that had not sent yet starts its warm-up on that UTC day. */
  sent(identity: PoolIdentity, atMs: number): void {
    if (identity.channel === 'EMAIL' && !identity.record?.firstSendDay && !this.firstSendDays.has(identity.id))
      this.firstSendDays.set(identity.id, dayWindow(atMs).label);
  }
}

/** One pool identity in the preview's `senders` block: its state and today's limits and use. */
export type PreviewSender = {
  id: string;
  /** The `sender` of its cells. */
  sender: string;
  /** MISSING: no such record (its leads wait, as for a paused one). */
  state: SendingState | 'MISSING';
  pausedReason?: string;
  /** In the campaign's pool; false: only held by waiting leads assigned to it. */
  inPool: boolean;
} & (
  | {
      channel: 'EMAIL';
      /** Mails it may send today: the warm-up ramp, capped by dailyLimit. */
      limitToday: number;
      usedToday: number;
      dailyLimit?: number;
      warmup?: Sender['warmup'];
      firstSendDay?: string;
    }
  | {
      channel: 'LINKEDIN';
      /** Invitations it may send today, and this ISO week; messages today. */
      limitToday: number;
      usedToday: number;
      weeklyInvites?: number;
      usedThisWeek?: number;
      dailyMessages?: number;
      messagesToday?: number;
    }
);

/** Every identity the preview knows of: the campaign's pools, then those waiting leads hold outside them. */
export function previewIdentities(
  campaign: Pick<Campaign, 'senderIds' | 'linkedinAccountIds'>,
  pools: readonly (TouchPool | undefined)[],
  records: PoolRecords | undefined,
): { identity: PoolIdentity; inPool: boolean }[] {
  const listed = new Map<string, { identity: PoolIdentity; inPool: boolean }>();
  const add = (identity: PoolIdentity, inPool: boolean) => {
    const key = `${identity.channel}\n${identity.id}`;
    if (!listed.has(key)) listed.set(key, { identity, inPool });
  };
  for (const id of campaign.senderIds ?? []) add(identityOf('EMAIL', id, records), true);
  for (const id of campaign.linkedinAccountIds ?? []) add(identityOf('LINKEDIN', id, records), true);
  const held = pools.flatMap((pool) => (pool?.assigned ? pool.identities : []));
  held.sort((a, b) => a.channel.localeCompare(b.channel) || a.id.localeCompare(b.id));
  for (const identity of held) add(identity, false);
  return [...listed.values()];
}

/** The `senders` block: each identity's state, and its limits and stored use at `atMs` (today, this week). */
export function describeIdentity(
  { identity, inPool }: { identity: PoolIdentity; inPool: boolean },
  counters: ReadonlyMap<string, number>,
  atMs: number,
): PreviewSender {
  const { record } = identity;
  const common = {
    id: identity.id,
    sender: identityName(identity),
    state: record?.state ?? ('MISSING' as const),
    ...(record?.pausedReason && { pausedReason: record.pausedReason }),
    inPool,
  };
  const used = (counter: OwnerCounter | undefined) => (counter ? (counters.get(counter.key) ?? 0) : 0);
  if (identity.channel === 'EMAIL') {
    const [today] = ownCounters(identity, false, atMs);
    const sender = identity.record;
    return {
      ...common,
      channel: 'EMAIL',
      limitToday: today?.limit ?? 0,
      usedToday: used(today),
      ...(sender && { dailyLimit: sender.dailyLimit }),
      ...(sender?.warmup && { warmup: sender.warmup }),
      ...(sender?.firstSendDay && { firstSendDay: sender.firstSendDay }),
    };
  }
  const [invitesDay, invitesWeek] = ownCounters(identity, true, atMs);
  const [messagesDay] = ownCounters(identity, false, atMs);
  const account = identity.record;
  return {
    ...common,
    channel: 'LINKEDIN',
    limitToday: invitesDay?.limit ?? 0,
    usedToday: used(invitesDay),
    ...(account && {
      weeklyInvites: account.weeklyInvites,
      usedThisWeek: used(invitesWeek),
      dailyMessages: account.dailyMessages,
      messagesToday: used(messagesDay),
    }),
  };
}
