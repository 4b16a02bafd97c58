/**
 * Bench section 5: what one metrics call reads at 1k, 10k and 100k messages. Messages are written as the store
 * writes them (same item layout and index keys as `putMessage`), 25 per BatchWriteItem sent straight to dynalite
 * over HTTP to keep the run short (the SDK's own request cost would make 100k writes take minutes), and the day
 * counters are bumped through `bumpCounters` with each batch's totals (the counter items are the same as with one
 * bump per message). Each level then calls `metricsReport` — what `GET /v1/metrics` and `cascade metrics` run —
 * through the real store client, and, for contrast, counts the items a per-message read (the byChannelDay index)
 * would touch for the same 30-day answer.
 */
import { request } from 'undici';
import { AUTOMATED_CHANNELS } from '#shared/domain/schemas';
import { queryPages } from '#shared/store/paginate';
import { tableName } from '#shared/store/tables';
import { bumpCounters, METRICS_SHARDS, metricsReport } from '#shared/tracking/metrics-aggregates';
import { useLocalDynamo } from '#test/support/local-dynamo';
import { emptyUsage, installDynamoMeter } from './dynamo-meter';
import { argument, emitResult, progress, runWhenMain } from './harness';

export interface MetricsLevel {
  messages: number;
  calls: { label: string; itemsRead: number; bound: number; rcu: number; requests: number }[];
  /** Items a per-message computation (Query on the byChannelDay index, 30 days × channels) reads for the same answer. */
  perMessageItemsRead: number | null;
  fillSeconds: number;
}

export interface MetricsSection {
  levels: MetricsLevel[];
  /** Every call read at most days × channels × shards items, at every volume. */
  constant: boolean;
  shards: number;
}

const CAMPAIGN = 'metrics-bench';
const DAYS = 30;
const DAY_MS = 86_400_000;
const BODY = `Hi {{first}}, ${'we help teams reach the right people at the right time. '.repeat(9)}`.slice(0, 520);

/** BatchWriteItem straight to dynalite (it checks the shape of the signature header, not the signature). */
async function batchWrite(endpoint: string, table: string, items: Record<string, string | undefined>[]) {
  let pending = items.map((item) => ({
    PutRequest: {
      Item: Object.fromEntries(
        Object.entries(item)
          .filter(([, value]) => value !== undefined)
          .map(([name, value]) => [name, { S: value }]),
      ),
    },
  }));
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  while (pending.length > 0) {
    const answer = await request(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.BatchWriteItem',
        'x-amz-date': date,
        authorization: `AWS4-HMAC-SHA256 Credential=local/${date.slice(0, 8)}/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0`,
      },
      body: JSON.stringify({ RequestItems: { [table]: pending } }),
    });
    const body = (await answer.body.json()) as { UnprocessedItems?: Record<string, typeof pending>; message?: string };
    if (answer.statusCode !== 200) throw new Error(`BatchWriteItem: ${answer.statusCode} ${body.message ?? ''}`);
    pending = body.UnprocessedItems?.[table] ?? [];
  }
}

async function fill(endpoint: string, from: number, to: number, todayMs: number): Promise<void> {
  const TableName = tableName('outreach');
  const channels = AUTOMATED_CHANNELS;
  const batches: { day: string; channel: (typeof channels)[number]; items: Record<string, string | undefined>[] }[] =
    [];
  let current: (typeof batches)[number] | undefined;
  const chunk = Math.max(1, Math.min(25, Math.floor((to - from) / (DAYS * channels.length))));
  for (let index = from; index < to; index++) {
    // Consecutive messages share a day and a channel (one BatchWriteItem of up to 25, one counter bump); batches
    // rotate over the channels and the last 30 days, so every level fills all 90 (day, channel) counters.
    const batchIndex = Math.floor((index - from) / chunk);
    const channel = channels[batchIndex % channels.length] as (typeof channels)[number];
    const dayIndex = Math.floor(batchIndex / channels.length) % DAYS;
    const created = new Date(todayMs - dayIndex * DAY_MS - (index % 3_600) * 1000).toISOString();
    const day = created.slice(0, 10);
    if (!current || current.day !== day || current.channel !== channel || current.items.length === chunk) {
      current = { day, channel, items: [] };
      batches.push(current);
    }
    const leadId = `lead_bench${String(index).padStart(8, '0')}`;
    const messageId = `msg_bench${String(index).padStart(8, '0')}`;
    current.items.push({
      pk: `LEAD#${leadId}`,
      sk: `MESSAGE#${messageId}`,
      timeSort: `${created}#M#${messageId}`,
      channelDay: `${channel}#${day}`,
      messageId,
      leadId,
      campaignId: CAMPAIGN,
      channel,
      status: 'SENT',
      subject: channel === 'EMAIL' ? 'A quick question about outreach' : undefined,
      body: BODY,
      providerMessageId: `prov-${messageId}`,
      executionName: `${CAMPAIGN}--${leadId}`,
      attemptKey: `${CAMPAIGN}--${leadId}#0#1`,
      createdAt: created,
      sentAt: created,
    });
  }
  const concurrency = 4;
  for (let start = 0; start < batches.length; start += concurrency) {
    await Promise.all(
      batches.slice(start, start + concurrency).map(async (batch) => {
        await batchWrite(endpoint, TableName, batch.items);
        const n = batch.items.length;
        await bumpCounters(CAMPAIGN, batch.channel, batch.day, { sent: n, attempts: n, leads: n, sequences: n });
      }),
    );
  }
}

async function perMessageItems(todayMs: number): Promise<number> {
  let scanned = 0;
  for (let dayIndex = 0; dayIndex < DAYS; dayIndex++) {
    const day = new Date(todayMs - dayIndex * DAY_MS).toISOString().slice(0, 10);
    for (const channel of AUTOMATED_CHANNELS) {
      for await (const page of queryPages({
        TableName: tableName('outreach'),
        IndexName: 'byChannelDay',
        KeyConditionExpression: 'channelDay = :key',
        ExpressionAttributeValues: { ':key': `${channel}#${day}` },
        Select: 'COUNT',
      })) {
        scanned += page.ScannedCount ?? 0;
      }
    }
  }
  return scanned;
}

async function main(): Promise<void> {
  const out = argument('out');
  const levels = (argument('levels') ?? '1000,10000,100000').split(',').map(Number);
  const dynamo = await useLocalDynamo('metrics-bench');
  const meter = installDynamoMeter({ indexes: false });
  const todayMs = Date.now();
  const result: MetricsSection = { levels: [], constant: true, shards: METRICS_SHARDS };
  let written = 0;
  for (const level of levels) {
    progress(`metrics: writing messages ${written + 1}–${level}`);
    meter.pause(true);
    const fillStarted = performance.now();
    await fill(dynamo.endpoint, written, level, todayMs);
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    written = level;
    meter.pause(false);
    const calls: MetricsLevel['calls'] = [];
    for (const [label, campaignId, days] of [
      ['campaign, 7 days', CAMPAIGN, 7],
      ['campaign, 30 days', CAMPAIGN, 30],
      ['all campaigns, 30 days', undefined, 30],
    ] as const) {
      meter.reset();
      const report = await metricsReport(campaignId, days, todayMs);
      const usage = meter.take().get('execution') ?? emptyUsage();
      const bound = days * AUTOMATED_CHANNELS.length * METRICS_SHARDS;
      calls.push({ label, itemsRead: report.itemsRead, bound, rcu: usage.rcu, requests: usage.requests });
    }
    meter.pause(true);
    // Reading every message of 30 days is what the counters avoid; dynalite needs ~20 s for it at 100k, so the
    // contrast is measured up to 10k (it is the number of messages in the window by construction).
    const perMessageItemsRead = level <= 10_000 ? await perMessageItems(todayMs) : null;
    result.levels.push({ messages: level, calls, perMessageItemsRead, fillSeconds });
  }
  // Bumps pick a random shard, so a low volume touches fewer shards: the read grows until every shard of every
  // (day, channel) exists, then stays put. The bound, not the exact count, is what does not depend on volume.
  result.constant = result.levels.every((level) => level.calls.every((call) => call.itemsRead <= call.bound));
  await dynamo.close();
  emitResult(out, result);
}

runWhenMain(import.meta.url, main);
