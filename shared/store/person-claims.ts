import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Lead } from '../domain/schemas';
import { sha256 } from '../ids';
import { batchGetAll } from './batch-get';
import { documentClient, ifConditionHolds } from './client';
import { personContactKeys } from './suppression-checks';
import { tableName } from './tables';

/**
 * How many sequences a person is in, across campaigns (`maxActiveSequencesPerPerson`, docs/product.md §2). One item
 * per person (`pk PERSON#<sha256 of the person's key>`, `sk ACTIVE`: hashed, the address is personal data) holding
 * one attribute per campaign whose lead holds a claim (`c:<campaign>` = that lead's id) and their count `held`. A
 * claim is one conditional update on that one item, so two batches of different campaigns can never both take
 * the person's last place.
 *
 * A claim is not given back where a sequence ends — a lead leaves IN_SEQUENCE in a dozen places (sent, replied,
 * bounced, exhausted, erased…) and one missed release would keep the person out for good. It is checked instead
 * when a claim finds the person full: a claim whose lead is no longer in a sequence (not IN_SEQUENCE, and not
 * PAUSED, which resumes) is released then, and the claim tried again. Releases cost only when someone is waiting.
 */

/** A lead still holds its person's place while its sequence runs or waits to resume (a lead paused NEW never ran). */
const holdsPlace = (lead: Record<string, unknown>) =>
  lead.status === 'IN_SEQUENCE' || (lead.status === 'PAUSED' && typeof lead.executionName === 'string');

const CLAIM_PREFIX = 'c:';

/** The person behind a lead: the normalised address, else the LinkedIn profile (suppression-checks.ts). */
export function personKeyOf(lead: Lead): string | undefined {
  return personContactKeys(lead)[0];
}

const claimItemKey = (personKey: string) => ({ pk: `PERSON#${sha256(personKey)}`, sk: 'ACTIVE' });

export type PersonClaim = 'claimed' | 'full';

/**
 * Takes one of the person's `max` places for this lead's campaign: `claimed` (also when this lead already holds it,
 * so a retried batch claims once), `full` when `max` other campaigns' leads hold them. A lead no person key
 * identifies is always `claimed` (nothing to count it by).
 */
export async function claimPersonSlot(lead: Lead, max: number): Promise<PersonClaim> {
  const personKey = personKeyOf(lead);
  if (!personKey) return 'claimed';
  for (let round = 0; round < 2; round++) {
    if (await tryClaim(personKey, lead, max)) return 'claimed';
    const holders = await claimHolders(personKey);
    if (holders.get(lead.campaignId) === lead.leadId) return 'claimed';
    // Full: give back the places of leads whose sequences ended, then try once more.
    if ((await releaseEnded(personKey, holders)) === 0) return 'full';
  }
  return 'full';
}

/** Gives a claim back (a batch that could not start the lead after all). */
export async function releasePersonSlot(lead: Lead): Promise<void> {
  const personKey = personKeyOf(lead);
  if (personKey) await release(personKey, lead.campaignId, lead.leadId);
}

async function tryClaim(personKey: string, lead: Lead, max: number): Promise<boolean> {
  const claimed = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('leads'),
        Key: claimItemKey(personKey),
        UpdateExpression: 'SET #claim = :lead ADD #held :one',
        ConditionExpression: 'attribute_not_exists(#claim) AND (attribute_not_exists(#held) OR #held < :max)',
        ExpressionAttributeNames: { '#claim': `${CLAIM_PREFIX}${lead.campaignId}`, '#held': 'held' },
        ExpressionAttributeValues: { ':lead': lead.leadId, ':one': 1, ':max': max },
      }),
    ),
  );
  return claimed !== undefined;
}

/** Campaign → the lead holding the person's place in it. */
async function claimHolders(personKey: string): Promise<Map<string, string>> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('leads'), Key: claimItemKey(personKey), ConsistentRead: true }),
  );
  const holders = new Map<string, string>();
  for (const [name, value] of Object.entries(Item ?? {}))
    if (name.startsWith(CLAIM_PREFIX) && typeof value === 'string') holders.set(name.slice(CLAIM_PREFIX.length), value);
  return holders;
}

/** Releases the claims whose leads no longer hold a place; how many it released. */
async function releaseEnded(personKey: string, holders: Map<string, string>): Promise<number> {
  const leads = await batchGetAll(
    tableName('leads'),
    [...holders.values()].map((leadId) => ({ pk: `LEAD#${leadId}`, sk: 'LEAD' })),
    { consistent: true },
  );
  const holding = new Set(leads.filter(holdsPlace).map((lead) => String(lead.leadId)));
  const ended = [...holders].filter(([, leadId]) => !holding.has(leadId));
  const released = await Promise.all(ended.map(([campaignId, leadId]) => release(personKey, campaignId, leadId)));
  return released.filter(Boolean).length;
}

/** Gives back one campaign's claim if that lead still holds it (a concurrent release acts once). */
async function release(personKey: string, campaignId: string, leadId: string): Promise<boolean> {
  const released = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('leads'),
        Key: claimItemKey(personKey),
        UpdateExpression: 'REMOVE #claim ADD #held :minusOne',
        ConditionExpression: '#claim = :lead',
        ExpressionAttributeNames: { '#claim': `${CLAIM_PREFIX}${campaignId}`, '#held': 'held' },
        ExpressionAttributeValues: { ':lead': leadId, ':minusOne': -1 },
      }),
    ),
  );
  return released !== undefined;
}
