import type { Campaign, Lead, LeadStatus } from '../domain/schemas';
import { type CounterRule, shardKey } from '../rate-limit/limiter';
import type { LinkedInAccount, Sender } from '../senders/schema';
import { batchGetAll } from '../store/batch-get';
import type { AccountLimits } from '../store/config';
import { queryLeadsByStatus } from '../store/leads';
import { getLinkedInAccount, getSender } from '../store/senders';
import { tableName } from '../store/tables';
import { identityCounterRules, identityTouch, type PoolIdentity, type PoolRecords } from './schedule-pools';
import { type RateState, rulesForTouch, type TouchCandidate } from './schedule-simulation';

/**
 * What the schedule preview reads (schedule-preview.ts `readSchedulePreview`), never writes: the campaign's leads,
 * the pool identities, and the counters and last touches the simulation starts from.
 */

/**
 * The rate items the simulation starts from: every rule of a send now (this hour's and today's buckets), as each
 * identity of a pooled touch would send it, and every counter of the listed identities (their room, the `senders`
 * block).
 */
export function rateItemsToRead(
  candidates: readonly TouchCandidate[],
  limits: { account: AccountLimits; maxTouchesPerLead: number },
  atMs: number,
  identities: readonly PoolIdentity[] = [],
): { counters: CounterRule[]; cooldownKeys: string[] } {
  const counters = new Map<string, CounterRule>();
  const cooldownKeys = new Set<string>();
  for (const candidate of candidates) {
    const { pool } = candidate;
    const touches = pool
      ? pool.identities.map((identity) => identityTouch(identity, pool.invitation, atMs))
      : [undefined];
    for (const touch of touches) {
      for (const rule of rulesForTouch(candidate, limits, atMs, touch)) {
        if (rule.kind === 'counter') counters.set(rule.key, rule);
        else if (rule.kind === 'cooldown') cooldownKeys.add(rule.key);
      }
    }
  }
  for (const identity of identities)
    for (const rule of identityCounterRules(identity, atMs)) counters.set(rule.key, rule);
  return { counters: [...counters.values()], cooldownKeys: [...cooldownKeys] };
}

/** Reads (never writes) the stored counters, summed over their shards, and the leads' last touch times. */
export async function readRates(items: ReturnType<typeof rateItemsToRead>): Promise<RateState> {
  const shardKeys = items.counters.flatMap((rule) =>
    Array.from({ length: Math.max(1, rule.shards ?? 1) }, (_, index) => shardKey(rule.key, index)),
  );
  const keys = [...new Set([...shardKeys, ...items.cooldownKeys])].map((pk) => ({ pk }));
  const stored = new Map((await batchGetAll(tableName('rateCounters'), keys)).map((item) => [String(item.pk), item]));
  const counters = new Map<string, number>();
  for (const rule of items.counters) {
    let used = 0;
    for (let index = 0; index < Math.max(1, rule.shards ?? 1); index++)
      used += Number(stored.get(shardKey(rule.key, index))?.used ?? 0);
    if (used > 0) counters.set(rule.key, used);
  }
  const lastTouches = new Map<string, number>();
  for (const key of items.cooldownKeys) {
    const last = stored.get(key)?.lastTouchAt;
    if (last !== undefined) lastTouches.set(key, Number(last));
  }
  return { counters, lastTouches };
}

/** Every lead of the campaign in `status` (grades >= minGrade when given), in index order. */
export async function leadsIn(
  campaign: Campaign,
  status: LeadStatus,
  minGrade?: Campaign['minGrade'],
): Promise<Lead[]> {
  const leads: Lead[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryLeadsByStatus(campaign.campaignId, status, { minGrade, startKey, limit: 500 });
    leads.push(...page.leads);
    startKey = page.nextKey;
  } while (startKey);
  return leads;
}

/** The records of the campaign's pools and of the identities `leads` hold, as the send path reads them; once each. */
export async function readPoolRecords(
  campaign: Pick<Campaign, 'senderIds' | 'linkedinAccountIds'>,
  leads: readonly Pick<Lead, 'senderId' | 'linkedinAccountId'>[],
): Promise<PoolRecords> {
  const ids = (pool: readonly string[] | undefined, held: (string | undefined)[]) => [
    ...new Set([...(pool ?? []), ...held.filter((id): id is string => Boolean(id))]),
  ];
  const senderIds = ids(
    campaign.senderIds,
    leads.map((lead) => lead.senderId),
  );
  const accountIds = ids(
    campaign.linkedinAccountIds,
    leads.map((lead) => lead.linkedinAccountId),
  );
  const [senders, accounts] = await Promise.all([
    Promise.all(senderIds.map((id) => getSender(id))),
    Promise.all(accountIds.map((id) => getLinkedInAccount(id))),
  ]);
  return {
    senders: new Map(senders.filter((sender): sender is Sender => sender !== undefined).map((s) => [s.senderId, s])),
    linkedinAccounts: new Map(
      accounts.filter((account): account is LinkedInAccount => account !== undefined).map((a) => [a.accountId, a]),
    ),
  };
}
