import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ChannelType, OutreachMessage, SequenceStep } from '../domain/schemas';
import { stepIdOf } from '../domain/schemas';
import { documentClient } from '../store/client';
import { queryAll } from '../store/paginate';
import { tableName } from '../store/tables';
import { probabilityBest } from '../variants/best-variant';
import { channelMetrics, METRICS_SHARDS, zeroCounters } from './metrics-aggregates';

/**
 * A/B variant counters (docs/product.md §9), kept like the channel counters (metrics-aggregates.ts): bumped only by
 * the writer whose conditional status change succeeded, per (campaign, send day, step, variant), spread over
 * METRICS_SHARDS items, in the Outreach table.
 *
 * Keys: pk `VARIANTS#<shard>#<campaignId>`, sk `<YYYY-MM-DD>#<stepId>#<variantId>`.
 * - One partition per campaign and shard, not per step: the report must also find steps and variants that are no
 *   longer in the sequence, which a per-step key could only reach by knowing their ids. A campaign's whole window
 *   is then one query per shard (8), as for the channel counters.
 * - The day leads the sort key, so the window is a key condition (`sk >= <from>#`) and older days are never read.
 * - The shard comes first in the pk, so no campaign id (any string) reads as another campaign's shard, and the
 *   `VARIANTS#` prefix keeps these items apart from the channel counters' `METRICS#` and the leads' `LEAD#`.
 * - Step and variant ids are percent-encoded in the sk: their schema forbids `#`, but a stray one must not merge two
 *   counters into one item.
 * Counts are dated by the message's send day (`createdAt`), as the channel counters are: a delivery or a reply
 * counts on the day its message went out, so each day's rates compare like with like.
 */

export const VARIANT_COUNTERS = ['sent', 'delivered', 'replied', 'bounced'] as const;
export type VariantCounter = (typeof VARIANT_COUNTERS)[number];
export type VariantCounts = Record<VariantCounter, number>;

/** What a bump needs of a message; `channel` is stored when given, so a step dropped from the sequence keeps it. */
export type VariantMessage = Pick<OutreachMessage, 'campaignId' | 'stepId' | 'variantId' | 'createdAt'> &
  Partial<Pick<OutreachMessage, 'channel'>>;

const pkFor = (campaignId: string, shard: number) => `VARIANTS#${shard}#${campaignId}`;
const skFor = (day: string, stepId: string, variantId: string) =>
  `${day}#${encodeURIComponent(stepId)}#${encodeURIComponent(variantId)}`;
const randomShard = () => Math.floor(Math.random() * METRICS_SHARDS);

/**
 * Adds `counts` to the message's variant counters; a no-op for a message sent without a variant (no stepId or
 * variantId). Counters other than sent/delivered/replied/bounced are ignored, so a caller may pass the channel
 * counters' change as is (`{ bounced: 1, delivered: -1 }` for a late bounce, `{ failed: 1 }` adds nothing).
 * Callers bump only after their own conditional write succeeded: this write is not conditional itself.
 */
export async function bumpVariantCounters(
  message: VariantMessage,
  counts: Partial<Record<VariantCounter, number>>,
): Promise<void> {
  const { campaignId, stepId, variantId, createdAt, channel } = message;
  if (!stepId || !variantId) return;
  const known = counts as Partial<Record<string, number>>;
  const entries = VARIANT_COUNTERS.flatMap((name) => {
    const value = known[name];
    return value === undefined || value === 0 ? [] : [[name, value] as const];
  });
  if (entries.length === 0) return;
  const names: Record<string, string> = Object.fromEntries(entries.map(([name], index) => [`#c${index}`, name]));
  const values: Record<string, unknown> = Object.fromEntries(entries.map(([, value], index) => [`:c${index}`, value]));
  let expression = `ADD ${entries.map((_, index) => `#c${index} :c${index}`).join(', ')}`;
  if (channel) {
    names['#channel'] = 'channel';
    values[':channel'] = channel;
    expression += ' SET #channel = :channel';
  }
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('outreach'),
      Key: { pk: pkFor(campaignId, randomShard()), sk: skFor(createdAt.slice(0, 10), stepId, variantId) },
      UpdateExpression: expression,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

export interface VariantMetrics extends VariantCounts {
  variantId: string;
  /** The variant's weight in the current sequence; null when it is no longer there (its counts remain). */
  weight: number | null;
  replyRate: number;
  bounceRate: number;
  probabilityBest: number;
}

export interface StepVariantMetrics {
  stepId: string;
  /** The step's channel: the sequence's, else the one its counters recorded; null when neither says. */
  channel: ChannelType | null;
  variants: VariantMetrics[];
}

export interface VariantRead {
  steps: StepVariantMetrics[];
  /** Items DynamoDB returned: the cost of the read (days × variants × shards at most). */
  itemsRead: number;
}

/** Channels whose accepted send is the delivery (no receipt): as metrics-aggregates.ts reads them. */
const ACCEPTANCE_IS_DELIVERY: ReadonlySet<string> = new Set<ChannelType>(['LINKEDIN', 'CONTACT_FORM']);

const zeroCounts = (): VariantCounts => ({ sent: 0, delivered: 0, replied: 0, bounced: 0 });
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface StepTally {
  channel?: ChannelType;
  /** Insertion order: the sequence's variants first, in declared order, then any others found in the counters. */
  variants: Map<string, { weight: number | null; counts: VariantCounts }>;
}

/** The campaign's current steps with variants, each variant at zero: they are listed even before any send. */
function tallyFromSequence(steps: readonly SequenceStep[]): Map<string, StepTally> {
  const tallies = new Map<string, StepTally>();
  steps.forEach((step, index) => {
    if (!step.variants) return;
    tallies.set(stepIdOf(step, index), {
      channel: step.channel,
      variants: new Map(step.variants.map((variant) => [variant.id, { weight: variant.weight, counts: zeroCounts() }])),
    });
  });
  return tallies;
}

/** Every day from `from` on (no upper bound, as readCounters explains for the compressed clock). */
function queryShard(pk: string, from: string): Promise<Record<string, unknown>[]> {
  return queryAll({
    TableName: tableName('outreach'),
    KeyConditionExpression: 'pk = :pk AND sk >= :from',
    ExpressionAttributeValues: { ':pk': pk, ':from': `${from}#` },
  });
}

function addItem(tallies: Map<string, StepTally>, item: Record<string, unknown>): void {
  const [, step = '', variant = ''] = String(item.sk).split('#');
  const stepId = decodeURIComponent(step);
  const variantId = decodeURIComponent(variant);
  let tally = tallies.get(stepId);
  if (!tally) {
    tally = { variants: new Map() };
    tallies.set(stepId, tally);
  }
  if (!tally.channel && typeof item.channel === 'string') tally.channel = item.channel as ChannelType;
  let entry = tally.variants.get(variantId);
  if (!entry) {
    entry = { weight: null, counts: zeroCounts() };
    tally.variants.set(variantId, entry);
  }
  for (const counter of VARIANT_COUNTERS) entry.counts[counter] += Number(item[counter] ?? 0);
}

/**
 * P(best) is computed on replied out of delivered, the reply rate's own definition (replied / delivered, §7):
 * a bounced mail never reached anyone, so it is no evidence about the content, and counting it would penalise a
 * variant for its recipients' bad addresses. A variant with nothing delivered yet (SES receipts not in, or a
 * channel without receipts) falls back to sent so its replies still count as evidence.
 */
function stepMetrics(stepId: string, tally: StepTally): StepVariantMetrics {
  const entries = [...tally.variants].map(([variantId, { weight, counts }]) => {
    const delivered = tally.channel && ACCEPTANCE_IS_DELIVERY.has(tally.channel) ? counts.sent : counts.delivered;
    return { variantId, weight, counts: { ...counts, delivered } };
  });
  const best = probabilityBest(
    entries.map(({ variantId, counts }) => ({
      id: variantId,
      successes: counts.replied,
      trials: counts.delivered > 0 ? counts.delivered : counts.sent,
    })),
  );
  return {
    stepId,
    channel: tally.channel ?? null,
    variants: entries.map(({ variantId, weight, counts }) => {
      const { replyRate, bounceRate } = channelMetrics({ ...zeroCounters(), ...counts });
      return { variantId, weight, ...counts, replyRate, bounceRate, probabilityBest: round(best[variantId] ?? 0) };
    }),
  };
}

/** Four decimals, as the channel metrics' rates. */
const round = (value: number) => Math.round(value * 10_000) / 10_000;

/**
 * Per step × variant of one campaign over the `days` UTC days ending on `todayMs`'s day: counts, reply and bounce
 * rates (the channel metrics' definitions, docs/product.md §7) and each variant's probability of the best reply
 * rate among its step's listed variants. With `sequence` (the campaign's current steps) every variant of it is
 * listed, at zero before any send, in declared order; variants and steps found only in the counters (removed
 * since) follow, by id. One query per shard.
 */
export async function readVariantMetrics(
  campaignId: string,
  days: number,
  todayMs = Date.now(),
  sequence: readonly SequenceStep[] = [],
): Promise<VariantRead> {
  const from = dayOf(todayMs - (days - 1) * 86_400_000);
  const pages = await Promise.all(
    Array.from({ length: METRICS_SHARDS }, (_, shard) => queryShard(pkFor(campaignId, shard), from)),
  );
  const items = pages.flat();
  // Counter items sort by day first: sorting by step and variant makes the ones absent from the sequence list by id.
  const sorted = [...items].sort((a, b) => byStepAndVariant(String(a.sk), String(b.sk)));
  const tallies = tallyFromSequence(sequence);
  for (const item of sorted) addItem(tallies, item);
  return {
    steps: [...tallies].map(([stepId, tally]) => stepMetrics(stepId, tally)),
    itemsRead: items.length,
  };
}

function byStepAndVariant(left: string, right: string): number {
  const key = (sk: string) => sk.slice(sk.indexOf('#') + 1);
  return key(left) < key(right) ? -1 : key(left) > key(right) ? 1 : 0;
}
