/**
 * Capacity model (docs/capacity.md): 1 million leads a day on AWS under default quotas — where the first
 * bottleneck is and what the design does about it.
 *
 *   npx tsx scripts/capacity-model.ts [--leads 1000000] [--regions large|other] [--json]
 *
 * A per-second fluid simulation over a week (Monday 00:00 UTC onwards). Leads are imported evenly through each
 * weekday and launched by the launch-batch Lambda on a schedule; each launched cohort then follows one of the lead
 * paths measured by `npm run bench` (bench/results.json: the states entered and their offsets on the execution's
 * clock, Task invocations and durations, SES calls and events, writes to shared DynamoDB items), in a mix of paths
 * given below. Per second it accounts StartExecution (token bucket), state transitions (token bucket, backlog),
 * Lambda concurrency (invocations × duration), SES sending (rate and 24-hour quota; a throttled send waits 10 min,
 * a send over the daily quota until 00:00 UTC, as the email adapter does, and costs a rate-limit retry), writes per
 * second on the hottest DynamoDB items (one item takes ~1,000 WCU/s), and open executions. It reports, for each
 * scenario, when each quota is first exceeded and the peak demand against it.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { counterShards } from '#shared/rate-limit/limiter';
import { METRICS_SHARDS } from '#shared/tracking/metrics-aggregates';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DAY = 86_400;
const SIM_DAYS = 7;
const ARRIVAL_DAYS = 5;

interface BenchPath {
  id: string;
  statePath: string[];
  stateOffsets: number[];
  taskInvocations: number;
  taskMsTotal: number;
  sesAccepted: number;
  sesEvents: number;
  sesInjectedFailures: number;
  dynamo: { sharedWrites: Record<string, number> };
}

/** The lead mix: which path a lead takes (a B2B list where most leads have a working address). */
export const DEFAULT_MIX: Record<string, number> = {
  email_first_try: 0.7,
  no_email_to_linkedin: 0.1,
  bounce_to_linkedin: 0.05,
  invalid_blocked_to_form: 0.07,
  complaint_stop: 0.01,
  all_exhausted: 0.05,
  worst: 0.02,
};

/** Default AWS quotas (per account and region). */
export function quotas(regions: 'large' | 'other') {
  const large = regions === 'large';
  return {
    // Step Functions developer guide, "Quotas related to API action throttling" / "state throttling" (Standard).
    startExecution: { bucket: large ? 1_300 : 800, refill: large ? 300 : 150 },
    stateTransitions: { bucket: large ? 5_000 : 800, refill: large ? 1_500 : 500 },
    openExecutions: 1_000_000,
    lambdaConcurrency: 1_000,
    // SES production access starts at 50,000 messages per 24 h and 14 per second (sandbox: 200 and 1).
    ses: { perSecond: 14, perDay: 50_000 },
    dynamoItemWcu: 1_000,
  };
}

export type Quotas = ReturnType<typeof quotas>;

const TASKS = new Set([
  'Send Email',
  'Send LinkedIn Message',
  'Submit Contact Form',
  'Create Phone Task',
  'Check Delivery',
  'Mark Lead Exhausted',
]);
const CHANNEL_TASKS = new Set(['Send Email', 'Send LinkedIn Message', 'Submit Contact Form']);

/** The shared DynamoDB items the model follows (patterns as the bench meter records them). */
const HOT_ITEMS: Record<string, string> = {
  'RateCounters:ALL#D#<day>': 'ALL#D#<day> (global daily counter)',
  'RateCounters:EMAIL#H#<hour>': 'EMAIL#H#<hour>',
  'RateCounters:EMAIL#D#<day>': 'EMAIL#D#<day>',
  'Outreach:METRICS#*|<day>#EMAIL': 'METRICS#* <day>#EMAIL (all-campaign metrics)',
  'Outreach:METRICS#<campaign>|<day>#EMAIL': 'METRICS#<campaign> <day>#EMAIL',
};
const GIVE_BACK_ON_THROTTLE = ['RateCounters:ALL#D#<day>', 'RateCounters:EMAIL#H#<hour>', 'RateCounters:EMAIL#D#<day>'];

interface Segment {
  /** Seconds after the execution started. */
  offset: number;
  transitions: number;
  invocations: number;
  lambdaSeconds: number;
  sesCalls: number;
  sesEvents: number;
  writes: Record<string, number>;
  /** The segment sends an email: SES may throttle it. */
  sends: boolean;
}

interface PathModel {
  id: string;
  weight: number;
  segments: Segment[];
  /** Lambda seconds of one channel Task, for the retry an SES throttle costs. */
  taskSeconds: number;
}

/** Cuts a measured path at its Wait states: every state between two waits happens at one offset. */
export function pathModel(bench: BenchPath, weight: number): PathModel {
  const taskSeconds = bench.taskInvocations > 0 ? bench.taskMsTotal / bench.taskInvocations / 1000 : 0.2;
  const channelTasks = bench.statePath.filter((state) => CHANNEL_TASKS.has(state)).length || 1;
  const sesCalls = bench.sesAccepted + Math.ceil(bench.sesInjectedFailures / 3);
  let sesCallsLeft = sesCalls;
  const segments: Segment[] = [];
  bench.statePath.forEach((state, index) => {
    const offset = bench.stateOffsets[index] ?? 0;
    let segment = segments.at(-1);
    if (!segment || segment.offset !== offset) {
      segment = {
        offset,
        transitions: 0,
        invocations: 0,
        lambdaSeconds: 0,
        sesCalls: 0,
        sesEvents: 0,
        writes: {},
        sends: false,
      };
      segments.push(segment);
    }
    segment.transitions++;
    if (TASKS.has(state)) {
      segment.invocations++;
      segment.lambdaSeconds += taskSeconds;
    }
    if (CHANNEL_TASKS.has(state)) {
      for (const [key, writes] of Object.entries(bench.dynamo.sharedWrites))
        if (HOT_ITEMS[key]) segment.writes[key] = (segment.writes[key] ?? 0) + writes / channelTasks;
    }
    if (state === 'Send Email' && sesCallsLeft > 0) {
      sesCallsLeft--;
      segment.sesCalls++;
      segment.sends = true;
      if (bench.sesAccepted > 0 && sesCallsLeft < bench.sesAccepted)
        segment.sesEvents += bench.sesEvents / bench.sesAccepted;
    }
  });
  return { id: bench.id, weight, segments, taskSeconds };
}

export interface Scenario {
  name: string;
  leadsPerDay: number;
  /** `schedule`: the stack's default cron (08–17 UTC, Mon–Fri), each tick launching as much as it can in 5 minutes. */
  launch: { kind: 'schedule' } | { kind: 'spread'; everySeconds: number };
  /** Enrolments per second one launch-batch invocation achieves in AWS (8 concurrent, ~46 ms each). */
  launcherRate: number;
  quotas: Quotas;
  /** Cascade's account-wide daily limit, raised by the operator to the volume (it sets the counter's shards). */
  globalPerDay: number;
  /** Duration of one ses-events invocation (from the bench). */
  sesEventSeconds: number;
}

interface Peak {
  peak: number;
  firstExceededAt?: number;
}

export interface ScenarioResult {
  scenario: string;
  started: number;
  startedPerDay: number[];
  emailsAcceptedPerDay: number[];
  sesThrottled: number;
  backlogAtEnd: number;
  transitionsPerLead: number;
  /** Most leads held back in one second by the transition bucket or Lambda concurrency (a herd being drained). */
  maxDeferredLeads: number;
  resources: Record<string, Peak & { quota: number; unit: string }>;
  firstBottleneck?: { resource: string; atSeconds: number };
}

const WEEKDAY_TICKS = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17];

export function simulate(scenario: Scenario, paths: PathModel[]): ScenarioResult {
  const horizon = SIM_DAYS * DAY;
  const q = scenario.quotas;
  // Leads due per second at each (path, segment): one slot per segment of every path.
  const slotOf: [number, number][] = paths.flatMap((model, pathIndex) =>
    model.segments.map((_, segmentIndex): [number, number] => [pathIndex, segmentIndex]),
  );
  const firstSlot = paths.map((_, pathIndex) => slotOf.findIndex(([owner]) => owner === pathIndex));
  const slots = slotOf.length;
  const due = new Float64Array((horizon + 1) * slots);
  const schedule = (at: number, pathIndex: number, segmentIndex: number, count: number) => {
    const slot = at * slots + (firstSlot[pathIndex] ?? 0) + segmentIndex;
    if (at < horizon && count > 0) due[slot] = (due[slot] ?? 0) + count;
  };
  const shards = counterShards(scenario.globalPerDay);
  const writes = Object.fromEntries(Object.keys(HOT_ITEMS).map((key) => [key, new Float64Array(horizon)]));
  const transitionDemand = new Float64Array(horizon);
  const lambdaDemand = new Float64Array(horizon);
  const starts = new Float64Array(horizon);
  const sesDemand = new Float64Array(horizon);
  const open = new Float64Array(horizon);
  let imported = 0;
  let started = 0;
  let sesThrottled = 0;
  let deferredMax = 0;
  let transitionsTotal = 0;
  let launcherShortAt: number | undefined;
  let sesQuotaReachedAt: number | undefined;
  const startedPerDay = new Array(SIM_DAYS).fill(0);
  const emailsPerDay = new Array(SIM_DAYS).fill(0);
  let startTokens = q.startExecution.bucket;
  let transitionTokens = q.stateTransitions.bucket;
  let tickSeconds = 0;
  let tickRemaining = 0;
  let openNow = 0;

  for (let t = 0; t < horizon; t++) {
    const day = Math.floor(t / DAY);
    const secondOfDay = t % DAY;
    if (day < ARRIVAL_DAYS) imported += scenario.leadsPerDay / DAY;
    // Launcher ticks: one launch-batch invocation, at most 5 minutes (its timeout), at most its `limit` leads.
    if (scenario.launch.kind === 'schedule') {
      const weekday = day % 7 < 5;
      if (weekday && secondOfDay % 3600 === 0 && WEEKDAY_TICKS.includes(secondOfDay / 3600)) {
        tickSeconds = 300;
        tickRemaining = Number.POSITIVE_INFINITY;
      }
    } else if (secondOfDay % scenario.launch.everySeconds === 0) {
      tickSeconds = Math.min(scenario.launch.everySeconds, 300);
      tickRemaining = Math.ceil((scenario.leadsPerDay * scenario.launch.everySeconds) / DAY);
    }
    startTokens = Math.min(q.startExecution.bucket, startTokens + q.startExecution.refill);
    transitionTokens = Math.min(q.stateTransitions.bucket, transitionTokens + q.stateTransitions.refill);
    if (tickSeconds > 0) {
      tickSeconds--;
      const now = Math.max(0, Math.min(imported - started, scenario.launcherRate, startTokens, tickRemaining));
      tickRemaining -= now;
      startTokens -= now;
      started += now;
      starts[t] = now;
      startedPerDay[day] += now;
      openNow += now;
      paths.forEach((model, index) => {
        schedule(t, index, 0, now * model.weight);
      });
      // The invocation timed out (or its tick ended) with imported leads still waiting: the schedule is too small.
      const backlog = imported - started;
      if (
        tickSeconds === 0 &&
        backlog > scenario.leadsPerDay / 24 &&
        launcherShortAt === undefined &&
        day < ARRIVAL_DAYS
      )
        launcherShortAt = t;
    }
    // Cohorts reaching a segment this second. Step Functions admits only as many transitions as its bucket holds
    // and Lambda only as many concurrent invocations as the account allows: the rest waits a second (throttled).
    const cohorts: [number, number, number][] = [];
    let wantTransitions = 0;
    let wantLambda = 0;
    for (let slot = 0; slot < slots; slot++) {
      const count = due[t * slots + slot] ?? 0;
      if (count <= 0) continue;
      const [pathIndex, segmentIndex] = slotOf[slot] as [number, number];
      const segment = paths[pathIndex]?.segments[segmentIndex];
      cohorts.push([pathIndex, segmentIndex, count]);
      wantTransitions += (segment?.transitions ?? 0) * count;
      wantLambda += ((segment?.lambdaSeconds ?? 0) + (segment?.sesEvents ?? 0) * scenario.sesEventSeconds) * count;
    }
    transitionDemand[t] = wantTransitions;
    lambdaDemand[t] = wantLambda;
    const admitted = Math.min(
      1,
      wantTransitions > 0 ? transitionTokens / wantTransitions : 1,
      wantLambda > 0 ? q.lambdaConcurrency / wantLambda : 1,
    );
    let deferred = 0;
    if (admitted < 1) {
      for (const [pathIndex, segmentIndex, count] of cohorts) {
        deferred += count * (1 - admitted);
        schedule(t + 1, pathIndex, segmentIndex, count * (1 - admitted));
      }
    }
    deferredMax = Math.max(deferredMax, deferred);
    // SES capacity is shared among the admitted sends of this second.
    const sesWanted = cohorts.reduce(
      (sum, [pathIndex, segmentIndex, count]) =>
        sum + (paths[pathIndex]?.segments[segmentIndex]?.sesCalls ?? 0) * count * admitted,
      0,
    );
    sesDemand[t] = sesWanted;
    const dayQuotaLeft = Math.max(0, q.ses.perDay - emailsPerDay[day]);
    const sesAccepted = Math.min(sesWanted, q.ses.perSecond, dayQuotaLeft);
    const acceptShare = sesWanted > 0 ? sesAccepted / sesWanted : 1;
    const overDailyQuota = dayQuotaLeft < sesWanted && dayQuotaLeft <= q.ses.perSecond;
    if (overDailyQuota && sesQuotaReachedAt === undefined) sesQuotaReachedAt = t;
    for (const [pathIndex, segmentIndex, waiting] of cohorts) {
      const model = paths[pathIndex];
      const segment = model?.segments[segmentIndex];
      const count = waiting * admitted;
      if (!model || !segment || count <= 0) continue;
      transitionTokens -= segment.transitions * count;
      transitionsTotal += segment.transitions * count;
      for (const [key, value] of Object.entries(segment.writes)) {
        const series = writes[key];
        if (series) series[t] = (series[t] ?? 0) + value * count;
      }
      let proceeding = count;
      if (segment.sends) {
        const accepted = count * acceptShare;
        const throttled = count - accepted;
        emailsPerDay[day] += accepted * segment.sesCalls;
        if (throttled > 0) {
          sesThrottled += throttled;
          // The reservation is given back; the retry wait costs Route Outcome, Schedule Rate Limit Retry, Wait.
          transitionTokens -= 3 * throttled;
          transitionsTotal += 3 * throttled;
          for (const key of GIVE_BACK_ON_THROTTLE) {
            const series = writes[key];
            if (series) series[t] = (series[t] ?? 0) + throttled;
          }
          // The email adapter: over the daily quota, wait until 00:00 UTC; throttled, 10 minutes.
          schedule(t + (overDailyQuota ? DAY - secondOfDay : 600), pathIndex, segmentIndex, throttled);
          proceeding = accepted;
        }
      }
      const next = model.segments[segmentIndex + 1];
      if (next) schedule(t + (next.offset - segment.offset), pathIndex, segmentIndex + 1, proceeding);
      else openNow -= proceeding;
    }
    open[t] = openNow;
  }

  const firstAbove = (values: Float64Array, limit: number) => {
    const index = values.findIndex((value) => value > limit + 1e-9);
    return index >= 0 ? index : undefined;
  };
  const peakOf = (values: Float64Array) => values.reduce((peak, value) => Math.max(peak, value), 0);
  let transitionsFirst: number | undefined;
  {
    let tokens = q.stateTransitions.bucket;
    for (let t = 0; t < horizon && transitionsFirst === undefined; t++) {
      tokens = Math.min(q.stateTransitions.bucket, tokens + q.stateTransitions.refill);
      if ((transitionDemand[t] ?? 0) > tokens + 1e-9) transitionsFirst = t;
      tokens -= Math.min(tokens, transitionDemand[t] ?? 0);
    }
  }
  const resources: ScenarioResult['resources'] = {
    'Launcher (schedule × 5 min × 8 concurrent)': {
      peak: Math.max(...startedPerDay),
      quota: scenario.leadsPerDay,
      unit: 'leads started per day, of those imported',
      firstExceededAt: launcherShortAt,
    },
    StartExecution: {
      peak: peakOf(starts),
      quota: q.startExecution.refill,
      unit: `starts/s; bucket ${q.startExecution.bucket}`,
      firstExceededAt: firstAbove(starts, q.startExecution.refill),
    },
    'State transitions (demand)': {
      peak: peakOf(transitionDemand),
      quota: q.stateTransitions.refill,
      unit: `transitions/s; bucket ${q.stateTransitions.bucket}, excess is delayed`,
      firstExceededAt: transitionsFirst,
    },
    'Lambda concurrency (demand)': {
      peak: peakOf(lambdaDemand),
      quota: q.lambdaConcurrency,
      unit: 'concurrent invocations; excess is throttled',
      firstExceededAt: firstAbove(lambdaDemand, q.lambdaConcurrency),
    },
    'SES sending rate': {
      peak: peakOf(sesDemand),
      quota: q.ses.perSecond,
      unit: 'emails/s; excess waits 10 min',
      firstExceededAt: firstAbove(sesDemand, q.ses.perSecond),
    },
    'SES 24-hour quota': {
      peak: Math.max(...emailsPerDay),
      quota: q.ses.perDay,
      unit: 'emails/day; excess waits until 00:00 UTC',
      firstExceededAt: sesQuotaReachedAt,
    },
    'Open executions': {
      peak: peakOf(open),
      quota: q.openExecutions,
      unit: 'Standard executions open at once',
      firstExceededAt: firstAbove(open, q.openExecutions),
    },
  };
  for (const [key, label] of Object.entries(HOT_ITEMS)) {
    const values = writes[key];
    if (!values) continue;
    resources[`DynamoDB ${label}`] = {
      peak: peakOf(values),
      quota: q.dynamoItemWcu,
      unit: 'WCU/s on one item',
      firstExceededAt: firstAbove(values, q.dynamoItemWcu),
    };
    // The bench records writes to a sharded counter under its logical key; writes pick a shard at random.
    const itemShards =
      key === 'RateCounters:ALL#D#<day>' ? shards : key.startsWith('Outreach:METRICS#') ? METRICS_SHARDS : 1;
    if (itemShards > 1) {
      const perShard = values.map((value) => value / itemShards);
      resources[`DynamoDB ${label.split(' (')[0]} as sharded (${itemShards} items)`] = {
        peak: peakOf(perShard),
        quota: q.dynamoItemWcu,
        unit: 'WCU/s per shard',
        firstExceededAt: firstAbove(perShard, q.dynamoItemWcu),
      };
    }
  }
  const first = Object.entries(resources)
    .filter(([name, resource]) => resource.firstExceededAt !== undefined && !name.includes('as sharded'))
    .sort((a, b) => (a[1].firstExceededAt ?? 0) - (b[1].firstExceededAt ?? 0))[0];
  return {
    scenario: scenario.name,
    started: Math.round(started),
    startedPerDay: startedPerDay.map(Math.round),
    emailsAcceptedPerDay: emailsPerDay.map(Math.round),
    sesThrottled: Math.round(sesThrottled),
    backlogAtEnd: Math.round(imported - started),
    transitionsPerLead: started > 0 ? transitionsTotal / started : 0,
    maxDeferredLeads: Math.round(deferredMax),
    resources,
    firstBottleneck: first ? { resource: first[0], atSeconds: first[1].firstExceededAt ?? 0 } : undefined,
  };
}

export function loadBench(file = path.join(ROOT, 'bench', 'results.json')) {
  return JSON.parse(readFileSync(file, 'utf8')) as { paths: { paths: BenchPath[]; sesEventMs?: number } };
}

export function loadPaths(
  results: ReturnType<typeof loadBench>,
  mix: Record<string, number> = DEFAULT_MIX,
): PathModel[] {
  return Object.entries(mix).map(([id, weight]) => {
    const bench = results.paths.paths.find((candidate) => candidate.id === id);
    if (!bench?.stateOffsets)
      throw new Error(`bench/results.json has no path ${id} with state offsets: run npm run bench`);
    return pathModel(bench, weight);
  });
}

const when = (seconds: number | undefined): string => {
  if (seconds === undefined) return 'never';
  const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][Math.floor(seconds / DAY) % 7];
  const time = new Date((seconds % DAY) * 1000).toISOString().slice(11, 19);
  return `${day} ${time}`;
};

function main(): void {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const index = args.indexOf(`--${name}`);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const leadsPerDay = Number(option('leads') ?? 1_000_000);
  const regions = (option('regions') ?? 'large') as 'large' | 'other';
  const bench = loadBench(option('results'));
  const paths = loadPaths(bench);
  const sesEventSeconds = (bench.paths.sesEventMs ?? 50) / 1000;
  const base = quotas(regions);
  const raisedSes = { ...base, ses: { perSecond: 200, perDay: 2_000_000 } };
  // One launch-batch invocation enrols 8 leads at a time; each enrolment is a BatchGetItem, an UpdateItem and a
  // StartExecution in sequence (~8 + 8 + 30 ms in-region, an assumption: the embedded stack cannot measure AWS
  // latencies).
  const launcherRate = 8 / 0.046;
  const scenarios: Scenario[] = [
    {
      name: 'A. default quotas, default schedule',
      leadsPerDay,
      launch: { kind: 'schedule' },
      launcherRate,
      quotas: base,
      globalPerDay: leadsPerDay * 2,
      sesEventSeconds,
    },
    {
      name: 'B. default quotas, launches spread (every minute)',
      leadsPerDay,
      launch: { kind: 'spread', everySeconds: 60 },
      launcherRate,
      quotas: base,
      globalPerDay: leadsPerDay * 2,
      sesEventSeconds,
    },
    {
      name: 'C. SES raised (200/s, 2M/day), default schedule',
      leadsPerDay,
      launch: { kind: 'schedule' },
      launcherRate,
      quotas: raisedSes,
      globalPerDay: leadsPerDay * 2,
      sesEventSeconds,
    },
    {
      name: 'D. SES raised (200/s, 2M/day), launches spread',
      leadsPerDay,
      launch: { kind: 'spread', everySeconds: 60 },
      launcherRate,
      quotas: raisedSes,
      globalPerDay: leadsPerDay * 2,
      sesEventSeconds,
    },
    {
      // AWS raises state-transition quotas with sustained use; then a herd is only held back by Lambda.
      name: 'E. as B, state transitions raised to 10,000/s (SES quota still default)',
      leadsPerDay,
      launch: { kind: 'spread', everySeconds: 60 },
      launcherRate,
      quotas: { ...base, stateTransitions: { bucket: 10_000, refill: 10_000 } },
      globalPerDay: leadsPerDay * 2,
      sesEventSeconds,
    },
  ];
  const results = scenarios.map((scenario) => simulate(scenario, paths));
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  const out: string[] = [];
  out.push(
    `Capacity model: ${leadsPerDay.toLocaleString('en-US')} leads/day imported evenly (Mon–Fri), ${regions} regions, lead mix ${Object.entries(
      DEFAULT_MIX,
    )
      .map(([id, weight]) => `${id} ${Math.round(weight * 100)}%`)
      .join(', ')}; launcher ${launcherRate.toFixed(0)} starts/s`,
  );
  for (const result of results) {
    out.push('');
    out.push(`${result.scenario}`);
    out.push(
      `  started per day ${result.startedPerDay.map((n) => n.toLocaleString('en-US')).join(' / ')} · emails accepted per day ${result.emailsAcceptedPerDay.map((n) => n.toLocaleString('en-US')).join(' / ')}`,
    );
    out.push(
      `  SES-throttled sends ${result.sesThrottled.toLocaleString('en-US')} · never launched ${result.backlogAtEnd.toLocaleString('en-US')} · ${result.transitionsPerLead.toFixed(1)} transitions per started lead · most leads held back in one second ${result.maxDeferredLeads.toLocaleString('en-US')}`,
    );
    out.push(`  ${'resource'.padEnd(62)}${'peak'.padStart(12)}${'quota'.padStart(12)}  first exceeded`);
    out.push('  (peaks are demand; throttled work is delayed, not dropped)');
    for (const [name, resource] of Object.entries(result.resources)) {
      out.push(
        `  ${name.padEnd(62)}${Math.round(resource.peak).toLocaleString('en-US').padStart(12)}${resource.quota.toLocaleString('en-US').padStart(12)}  ${when(resource.firstExceededAt)}  (${resource.unit})`,
      );
    }
    out.push(
      `  first bottleneck: ${result.firstBottleneck ? `${result.firstBottleneck.resource} at ${when(result.firstBottleneck.atSeconds)}` : 'none'}`,
    );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
