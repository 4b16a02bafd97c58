import { counterShards } from '#shared/rate-limit/limiter';
import { METRICS_SHARDS } from '#shared/tracking/metrics-aggregates';
import { HOT_ITEMS } from './lead-paths';
import type { Quotas, ResourcePeak, Scenario, ScenarioResult } from './quotas';

/** What the simulation records over the week: demand per second, and running totals. */
export interface WeekRecord {
  /** Writes per second on each hot DynamoDB item (`HOT_ITEMS` keys). */
  writes: Record<string, Float64Array>;
  transitionDemand: Float64Array;
  lambdaDemand: Float64Array;
  starts: Float64Array;
  sesDemand: Float64Array;
  open: Float64Array;
  startedPerDay: number[];
  emailsPerDay: number[];
  imported: number;
  started: number;
  sesThrottled: number;
  deferredMax: number;
  transitionsTotal: number;
  /** When a launcher tick first ended with imported leads still waiting. */
  launcherShortAt: number | undefined;
  /** When SES sends first went over the 24-hour quota. */
  sesQuotaReachedAt: number | undefined;
}

const firstAbove = (values: Float64Array, limit: number) => {
  const index = values.findIndex((value) => value > limit + 1e-9);
  return index >= 0 ? index : undefined;
};

const peakOf = (values: Float64Array) => values.reduce((peak, value) => Math.max(peak, value), 0);

/** When transition demand first outran the token bucket (the bucket replayed on demand alone). */
function firstTransitionShortfall(demand: Float64Array, q: Quotas): number | undefined {
  let tokens = q.stateTransitions.bucket;
  for (let t = 0; t < demand.length; t++) {
    tokens = Math.min(q.stateTransitions.bucket, tokens + q.stateTransitions.refill);
    if ((demand[t] ?? 0) > tokens + 1e-9) return t;
    tokens -= Math.min(tokens, demand[t] ?? 0);
  }
  return undefined;
}

/** A series against a per-second quota. */
function againstQuota(values: Float64Array, quota: number, unit: string): ResourcePeak {
  return { peak: peakOf(values), quota, unit, firstExceededAt: firstAbove(values, quota) };
}

function serviceResources(scenario: Scenario, record: WeekRecord): ScenarioResult['resources'] {
  const q = scenario.quotas;
  return {
    'Launcher (schedule × 5 min × 8 concurrent)': {
      peak: Math.max(...record.startedPerDay),
      quota: scenario.leadsPerDay,
      unit: 'leads started per day, of those imported',
      firstExceededAt: record.launcherShortAt,
    },
    StartExecution: againstQuota(record.starts, q.startExecution.refill, `starts/s; bucket ${q.startExecution.bucket}`),
    'State transitions (demand)': {
      peak: peakOf(record.transitionDemand),
      quota: q.stateTransitions.refill,
      unit: `transitions/s; bucket ${q.stateTransitions.bucket}, excess is delayed`,
      firstExceededAt: firstTransitionShortfall(record.transitionDemand, q),
    },
    'Lambda concurrency (demand)': againstQuota(
      record.lambdaDemand,
      q.lambdaConcurrency,
      'concurrent invocations; excess is throttled',
    ),
    'SES sending rate': againstQuota(record.sesDemand, q.ses.perSecond, 'emails/s; excess waits 10 min'),
    'SES 24-hour quota': {
      peak: Math.max(...record.emailsPerDay),
      quota: q.ses.perDay,
      unit: 'emails/day; excess waits until 00:00 UTC',
      firstExceededAt: record.sesQuotaReachedAt,
    },
    'Open executions': againstQuota(record.open, q.openExecutions, 'Standard executions open at once'),
  };
}

/** How many items the bench's logical key is spread over: writes to a sharded counter pick a shard at random. */
function shardsOf(key: string, scenario: Scenario): number {
  if (key === 'RateCounters:ALL#D#<day>') return counterShards(scenario.globalPerDay);
  return key.startsWith('Outreach:METRICS#') ? METRICS_SHARDS : 1;
}

function hotItemResources(scenario: Scenario, record: WeekRecord): ScenarioResult['resources'] {
  const wcu = scenario.quotas.dynamoItemWcu;
  const resources: ScenarioResult['resources'] = {};
  for (const [key, label] of Object.entries(HOT_ITEMS)) {
    const values = record.writes[key];
    if (!values) continue;
    resources[`DynamoDB ${label}`] = againstQuota(values, wcu, 'WCU/s on one item');
    const itemShards = shardsOf(key, scenario);
    if (itemShards > 1) {
      const perShard = values.map((value) => value / itemShards);
      resources[`DynamoDB ${label.split(' (')[0]} as sharded (${itemShards} items)`] = againstQuota(
        perShard,
        wcu,
        'WCU/s per shard',
      );
    }
  }
  return resources;
}

/** Each resource's peak demand against its quota, and when the quota was first exceeded. */
export function resourcePeaks(scenario: Scenario, record: WeekRecord): ScenarioResult['resources'] {
  return { ...serviceResources(scenario, record), ...hotItemResources(scenario, record) };
}
