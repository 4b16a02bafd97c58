import { AUTOMATED_CHANNELS, type Campaign, CampaignState, LeadStatus } from '../domain/schemas';
import { METRICS_SHARDS } from '../tracking/metrics-aggregates';
import { queryAll, queryPages } from './paginate';
import { tableName } from './tables';

/**
 * The console's campaign numbers (PRODUCT.md §12), read at a cost that does not grow with the work done:
 * - the funnel: one COUNT query per lead status on the byCampaignStatus index (partition `<campaign>#<status>`,
 *   as leads.ts writes it), so 10,000 leads cost 8 queries (plus a page per MB of index read), never 10,000 items
 *   sent over the wire;
 * - sends per day per channel: the `sent` counters of metrics-aggregates.ts (days × channels × shards items).
 */

export type LeadCounts = Record<LeadStatus, number>;

/**
 * How far a campaign's leads got, from their statuses alone (each lead has exactly one):
 * - `new`: imported, not yet enrolled (NEW);
 * - `enrolled`: every lead that left NEW (a batch started its sequence, or it was stopped before one:
 *   paused, unsubscribed or erased while NEW);
 * - `inSequence`: a sequence is running for it (IN_SEQUENCE);
 * - `contacted`: a touch reached it and its sequence is over: CONTACTED + REPLIED + BOUNCED (a reply answers a
 *   message; a lead is BOUNCED only when the touch that ended its sequence bounced afterwards). A multi-touch lead
 *   still IN_SEQUENCE and an UNSUBSCRIBED lead are not counted: their status does not say whether a touch went out;
 * - `replied`, `bounced`, `exhausted` (every channel tried without a send, attempts or time used up, or a colleague
 *   replied), `unsubscribed`, `paused` (by an operator, an out-of-office reply, a campaign pause, or parked on an
 *   ambiguous send): the leads in that status.
 */
export interface Funnel {
  enrolled: number;
  contacted: number;
  replied: number;
  bounced: number;
  exhausted: number;
  unsubscribed: number;
  paused: number;
  new: number;
  inSequence: number;
  total: number;
}

/** The funnel of a campaign's lead counts by status. */
export function funnelOf(counts: LeadCounts): Funnel {
  const total = LeadStatus.options.reduce((sum, status) => sum + counts[status], 0);
  return {
    enrolled: total - counts.NEW,
    contacted: counts.CONTACTED + counts.REPLIED + counts.BOUNCED,
    replied: counts.REPLIED,
    bounced: counts.BOUNCED,
    exhausted: counts.EXHAUSTED,
    unsubscribed: counts.UNSUBSCRIBED,
    paused: counts.PAUSED,
    new: counts.NEW,
    inSequence: counts.IN_SEQUENCE,
    total,
  };
}

/** Leads of one campaign in one status: a COUNT query (every page of it: DynamoDB counts 1 MB of index per page). */
async function countInStatus(campaignId: string, status: LeadStatus): Promise<number> {
  let count = 0;
  for await (const page of queryPages({
    TableName: tableName('leads'),
    IndexName: 'byCampaignStatus',
    KeyConditionExpression: 'campaignStatus = :cs',
    ExpressionAttributeValues: { ':cs': `${campaignId}#${status}` },
    Select: 'COUNT',
  })) {
    count += page.Count ?? 0;
  }
  return count;
}

/** A campaign's leads counted per status (the statuses' queries run together). */
export async function countLeadsByStatus(campaignId: string): Promise<LeadCounts> {
  const counts = await Promise.all(LeadStatus.options.map((status) => countInStatus(campaignId, status)));
  return Object.fromEntries(LeadStatus.options.map((status, index) => [status, counts[index] ?? 0])) as LeadCounts;
}

export const campaignFunnel = async (campaignId: string): Promise<Funnel> =>
  funnelOf(await countLeadsByStatus(campaignId));

/** Every campaign in every state, newest first (campaign items sit under `CAMPAIGNS#<state>` on the same index). */
export async function listAllCampaigns(): Promise<Campaign[]> {
  const perState = await Promise.all(
    CampaignState.options.map((state) =>
      queryAll<Record<string, unknown>>({
        TableName: tableName('leads'),
        IndexName: 'byCampaignStatus',
        KeyConditionExpression: 'campaignStatus = :cs',
        ExpressionAttributeValues: { ':cs': `CAMPAIGNS#${state}` },
      }),
    ),
  );
  const campaigns = perState.flat().map(({ pk: _pk, sk: _sk, campaignStatus: _cs, gradeCreated: _gc, ...rest }) => {
    return rest as unknown as Campaign;
  });
  return campaigns.sort((a, b) =>
    a.createdAt === b.createdAt ? a.campaignId.localeCompare(b.campaignId) : a.createdAt < b.createdAt ? 1 : -1,
  );
}

export type AutomatedChannel = (typeof AUTOMATED_CHANNELS)[number];
export type DailySends = { day: string } & Record<AutomatedChannel, number>;

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** The counters' partition key (metrics-aggregates.ts writes it: shard first, then the campaign). */
const metricsPk = (campaignId: string, shard: number) => `METRICS#${shard}#${campaignId}`;

const noSends = (day: string): DailySends => ({ day, EMAIL: 0, LINKEDIN: 0, CONTACT_FORM: 0 });

/**
 * Messages the providers accepted per UTC day and automated channel (the `sent` counters, counted on the day of the
 * send), every day from `days - 1` days before today on, zeros included. As metricsReport reads them, the window
 * has no upper bound: in the embedded stack each execution's compressed clock dates its later sends on later days,
 * which belong to the run being watched, so the days run to today or the last such day, whichever is later.
 */
export async function dailySends(campaignId: string, days: number, todayMs: number): Promise<DailySends[]> {
  const from = dayOf(todayMs - (days - 1) * DAY_MS);
  const items = (
    await Promise.all(
      Array.from({ length: METRICS_SHARDS }, (_, shard) =>
        queryAll<Record<string, unknown>>({
          TableName: tableName('outreach'),
          KeyConditionExpression: 'pk = :pk AND sk >= :from',
          ExpressionAttributeValues: { ':pk': metricsPk(campaignId, shard), ':from': `${from}#` },
        }),
      ),
    )
  ).flat();
  const byDay = new Map<string, DailySends>();
  let to = dayOf(todayMs);
  for (const item of items) {
    const [day = '', channel = ''] = String(item.sk).split('#');
    if (!(AUTOMATED_CHANNELS as readonly string[]).includes(channel)) continue;
    if (day > to) to = day;
    const entry = byDay.get(day) ?? noSends(day);
    entry[channel as AutomatedChannel] += Number(item.sent ?? 0);
    byDay.set(day, entry);
  }
  const series: DailySends[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); dayOf(ms) <= to; ms += DAY_MS)
    series.push(byDay.get(dayOf(ms)) ?? noSends(dayOf(ms)));
  return series;
}
