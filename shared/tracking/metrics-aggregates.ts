import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AUTOMATED_CHANNELS, type ChannelType, type OutreachStatus } from '../domain/schemas';
import { documentClient } from '../store/client';
import { queryAll } from '../store/paginate';
import { tableName } from '../store/tables';

/**
 * Channel metrics kept as counters when events are written, per (campaign, day, channel) and per (all
 * campaigns, day, channel), so reading N days costs at most N × channels × shards items whatever the volume.
 * Counters are only bumped by the writer whose conditional status change succeeded: duplicates and late
 * events never count twice.
 *
 * Each counter is spread over METRICS_SHARDS partition keys (`METRICS#0#<scope>` … `METRICS#7#<scope>`): a
 * bump goes to a random one, a read sums them all. One item takes ~1,000 writes a second, and the midnight
 * retry herds of docs/capacity.md put up to ~4,700 a second on the all-campaign item.
 */
/**
 * `leads`: leads this channel was tried on; `sequences`: leads whose sequence started (counted on the
 * first step's channel) — the denominator for averages over distinct leads.
 */
const CORE_COUNTERS = [
  'sent',
  'delivered',
  'replied',
  'bounced',
  'failed',
  'attempts',
  'fallbacks',
  'leads',
  'sequences',
] as const;
export type Counter = (typeof CORE_COUNTERS)[number] | ReplyBucket;

/** Time from send to first reply, as a histogram of counters (a median from O(days × channels) items). */
export const REPLY_BUCKETS = [
  { counter: 'replyWithin1h', hours: 1 },
  { counter: 'replyWithin4h', hours: 4 },
  { counter: 'replyWithin24h', hours: 24 },
  { counter: 'replyWithin72h', hours: 72 },
  { counter: 'replyWithin168h', hours: 168 },
  { counter: 'replyWithin720h', hours: 720 },
  { counter: 'replyLater', hours: Number.POSITIVE_INFINITY },
] as const;
export type ReplyBucket = (typeof REPLY_BUCKETS)[number]['counter'];

export function replyBucket(hours: number): ReplyBucket {
  return REPLY_BUCKETS.find((bucket) => hours <= bucket.hours)?.counter ?? 'replyLater';
}

/** The upper bound (hours) of the bucket holding the median reply; null without replies. */
export function medianReplyHours(counters: Partial<Record<Counter, number>>): number | null {
  const total = REPLY_BUCKETS.reduce((sum, bucket) => sum + (counters[bucket.counter] ?? 0), 0);
  if (total === 0) return null;
  let seen = 0;
  for (const bucket of REPLY_BUCKETS) {
    seen += counters[bucket.counter] ?? 0;
    if (seen * 2 >= total) return Number.isFinite(bucket.hours) ? bucket.hours : null;
  }
  return null;
}

export const ALL_CAMPAIGNS = '*';
export const METRICS_SHARDS = 8;
/** The shard comes first, so no campaign id (any string) can read as another campaign's shard. */
const pkFor = (campaignId: string, shard: number) => `METRICS#${shard}#${campaignId}`;
const randomShard = () => Math.floor(Math.random() * METRICS_SHARDS);

export async function bumpCounters(
  campaignId: string,
  channel: ChannelType,
  day: string,
  counters: Partial<Record<Counter, number>>,
): Promise<void> {
  const entries = Object.entries(counters).filter(([, value]) => value !== undefined && value !== 0);
  if (entries.length === 0) return;
  const names = Object.fromEntries(entries.map(([name], index) => [`#c${index}`, name]));
  const values = Object.fromEntries(entries.map(([, value], index) => [`:c${index}`, value]));
  const expression = `ADD ${entries.map((_, index) => `#c${index} :c${index}`).join(', ')}`;
  await Promise.all(
    [campaignId, ALL_CAMPAIGNS].map((scope) =>
      documentClient().send(
        new UpdateCommand({
          TableName: tableName('outreach'),
          Key: { pk: pkFor(scope, randomShard()), sk: `${day}#${channel}` },
          UpdateExpression: expression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      ),
    ),
  );
}

/**
 * A message counts once, in its final state (docs/product.md §7): what a status change adds to the counters.
 * DELIVERED → BOUNCED (a late bounce) or → FAILED moves the message out of `delivered`, so delivered + bounced
 * never exceeds sent. `previous` must be the status the conditional write moved the message from.
 */
export function finalStateCounters(
  previous: OutreachStatus | undefined,
  counter: 'delivered' | 'bounced' | 'failed',
): Partial<Record<Counter, number>> {
  if (counter !== 'delivered' && previous === 'DELIVERED') return { [counter]: 1, delivered: -1 };
  return { [counter]: 1 };
}

/**
 * Channels whose provider sends no delivery receipt: LinkedIn puts an accepted message (or invite) in the
 * member's inbox at once, and a form submission judged successful has reached the site. For them the accepted
 * send is the delivery, so `delivered` reads as `sent` and the reply rate (replied / delivered) means something.
 */
const ACCEPTANCE_IS_DELIVERY: ReadonlySet<string> = new Set<ChannelType>(['LINKEDIN', 'CONTACT_FORM']);

export type ChannelCounters = Record<Counter, number>;

/** The core counters; reply-time buckets default to 0. */
export type CoreCounters = Omit<ChannelCounters, ReplyBucket> & Partial<Record<ReplyBucket, number>>;

/** Every counter at 0: the start of a sum. */
export const zeroCounters = (): ChannelCounters =>
  Object.fromEntries(
    [...CORE_COUNTERS, ...REPLY_BUCKETS.map((bucket) => bucket.counter)].map((counter) => [counter, 0]),
  ) as ChannelCounters;

export interface CounterRead {
  byChannel: Record<string, ChannelCounters>;
  /** Items DynamoDB returned: the cost of the read (days × channels × shards at most). */
  itemsRead: number;
}

/** Every day from `from` on: no upper bound (see readCounters). */
async function queryShard(pk: string, from: string): Promise<Record<string, unknown>[]> {
  return queryAll({
    TableName: tableName('outreach'),
    KeyConditionExpression: 'pk = :pk AND sk >= :from',
    ExpressionAttributeValues: { ':pk': pk, ':from': `${from}#` },
  });
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Sums the counters per channel from the first UTC day of the window (`days` days ending today) on: one query
 * per shard. The window has no upper bound: in AWS nothing is dated after today, and in the embedded stack each
 * execution's compressed clock dates its later sends on later days, which belong to the run being measured.
 */
export async function readCounters(
  campaignId: string | undefined,
  days: number,
  todayMs = Date.now(),
): Promise<CounterRead & { lastDay?: string }> {
  const from = dayOf(todayMs - (days - 1) * 86_400_000);
  const byChannel: Record<string, ChannelCounters> = Object.fromEntries(
    AUTOMATED_CHANNELS.map((channel) => [channel, zeroCounters()]),
  );
  const pages = await Promise.all(
    Array.from({ length: METRICS_SHARDS }, (_, shard) => queryShard(pkFor(campaignId ?? ALL_CAMPAIGNS, shard), from)),
  );
  let itemsRead = 0;
  let lastDay: string | undefined;
  for (const item of pages.flat()) {
    itemsRead++;
    const [day = '', channel = ''] = String(item.sk).split('#');
    if (!lastDay || day > lastDay) lastDay = day;
    byChannel[channel] ??= zeroCounters();
    const totals = byChannel[channel];
    for (const key of Object.keys(totals) as Counter[]) totals[key] += Number(item[key] ?? 0);
  }
  for (const [channel, totals] of Object.entries(byChannel))
    if (ACCEPTANCE_IS_DELIVERY.has(channel)) totals.delivered = totals.sent;
  return { byChannel, itemsRead, ...(lastDay && { lastDay }) };
}

const ratio = (numerator: number, denominator: number) =>
  denominator === 0 ? 0 : Math.round((numerator / denominator) * 10_000) / 10_000;

export interface ChannelMetrics {
  sent: number;
  delivered: number;
  replied: number;
  bounced: number;
  failed: number;
  deliveryRate: number;
  replyRate: number;
  bounceRate: number;
  fallbackRate: number;
  averageAttemptsPerLead: number;
}

/**
 * docs/product.md §7 formulas; a zero denominator gives 0, never NaN. fallbackRate: of the leads a channel was
 * tried on, the share that moved on to the next channel. averageAttemptsPerLead: tries per lead (per channel:
 * per lead tried there; in the totals: per sequence).
 */
export function channelMetrics(counters: CoreCounters, perSequence = false): ChannelMetrics {
  return {
    sent: counters.sent,
    delivered: counters.delivered,
    replied: counters.replied,
    bounced: counters.bounced,
    failed: counters.failed,
    deliveryRate: ratio(counters.delivered, counters.sent),
    replyRate: ratio(counters.replied, counters.delivered),
    bounceRate: ratio(counters.bounced, counters.sent),
    fallbackRate: ratio(counters.fallbacks, counters.leads),
    averageAttemptsPerLead: ratio(counters.attempts, perSequence ? counters.sequences : counters.leads),
  };
}

export interface MetricsReport {
  campaignId: string | null;
  days: number;
  /** First and last UTC day counted (YYYY-MM-DD): today, or a later day a compressed clock dated a send on. */
  from: string;
  to: string;
  channels: Record<string, ChannelMetrics>;
  totals: ChannelMetrics;
  /** Sequences started in the window (distinct leads). */
  leads: number;
  /** Channel fallbacks per sequence. */
  fallbackRate: number;
  averageAttemptsPerLead: number;
  /** Median time from send to first reply (upper bound of its histogram bucket, hours); null without replies. */
  medianHoursToFirstReply: number | null;
}

export async function metricsReport(
  campaignId: string | undefined,
  days: number,
  todayMs = Date.now(),
): Promise<MetricsReport & { itemsRead: number }> {
  const { byChannel, itemsRead, lastDay } = await readCounters(campaignId, days, todayMs);
  const today = dayOf(todayMs);
  const totals = zeroCounters();
  for (const counters of Object.values(byChannel)) {
    for (const key of Object.keys(totals) as Counter[]) totals[key] += counters[key];
  }
  const overall = channelMetrics(totals, true);
  return {
    campaignId: campaignId ?? null,
    days,
    from: dayOf(todayMs - (days - 1) * 86_400_000),
    to: lastDay && lastDay > today ? lastDay : today,
    channels: Object.fromEntries(
      Object.entries(byChannel).map(([channel, counters]) => [channel, channelMetrics(counters)]),
    ),
    totals: overall,
    leads: totals.sequences,
    fallbackRate: ratio(totals.fallbacks, totals.sequences),
    averageAttemptsPerLead: overall.averageAttemptsPerLead,
    medianHoursToFirstReply: medianReplyHours(totals),
    itemsRead,
  };
}
