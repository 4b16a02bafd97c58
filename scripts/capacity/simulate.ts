import { HOT_ITEMS, type PathModel } from './lead-paths';
import { resourcePeaks, type WeekRecord } from './peaks';
import type { Quotas, Scenario, ScenarioResult } from './quotas';

/**
 * The per-second fluid simulation over a week (Monday 00:00 UTC onwards). Leads are imported evenly through
 * each weekday and launched by the launch-batch Lambda on a schedule; each launched cohort then follows its lead
 * path. Per second it accounts StartExecution (token bucket), state transitions (token bucket, backlog), Lambda
 * concurrency (invocations × duration), SES sending (rate and 24-hour quota; a throttled send waits 10 min, a
 * send over the daily quota until 00:00 UTC, as the email adapter does, and costs a rate-limit retry), writes on
 * the hottest DynamoDB items and open executions.
 */

export const DAY = 86_400;
const SIM_DAYS = 7;
const ARRIVAL_DAYS = 5;
const WEEKDAY_TICKS = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
const GIVE_BACK_ON_THROTTLE = ['RateCounters:ALL#D#<day>', 'RateCounters:EMAIL#H#<hour>', 'RateCounters:EMAIL#D#<day>'];

/** Leads of one path reaching one of its segments in the same second. */
type Cohort = [pathIndex: number, segmentIndex: number, count: number];

interface DueThisSecond {
  cohorts: Cohort[];
  wantTransitions: number;
  wantLambda: number;
}

/** How SES treats this second's admitted sends. */
interface SesSecond {
  acceptShare: number;
  overDailyQuota: boolean;
}

class WeekSimulation {
  private readonly horizon = SIM_DAYS * DAY;
  private readonly q: Quotas;
  /** Leads due per second at each (path, segment): one slot per segment of every path. */
  private readonly slotOf: [number, number][];
  private readonly firstSlot: number[];
  private readonly due: Float64Array;
  private readonly record: WeekRecord;
  private startTokens: number;
  private transitionTokens: number;
  private tickSeconds = 0;
  private tickRemaining = 0;
  private openNow = 0;

  constructor(
    private readonly scenario: Scenario,
    private readonly paths: PathModel[],
  ) {
    this.q = scenario.quotas;
    this.slotOf = paths.flatMap((model, pathIndex) =>
      model.segments.map((_, segmentIndex): [number, number] => [pathIndex, segmentIndex]),
    );
    this.firstSlot = paths.map((_, pathIndex) => this.slotOf.findIndex(([owner]) => owner === pathIndex));
    this.due = new Float64Array((this.horizon + 1) * this.slotOf.length);
    this.record = newWeekRecord(this.horizon);
    this.startTokens = this.q.startExecution.bucket;
    this.transitionTokens = this.q.stateTransitions.bucket;
  }

  run(): ScenarioResult {
    for (let t = 0; t < this.horizon; t++) this.second(t);
    return this.result();
  }

  private schedule(at: number, pathIndex: number, segmentIndex: number, count: number): void {
    const slot = at * this.slotOf.length + (this.firstSlot[pathIndex] ?? 0) + segmentIndex;
    if (at < this.horizon && count > 0) this.due[slot] = (this.due[slot] ?? 0) + count;
  }

  private second(t: number): void {
    const { q, record } = this;
    const day = Math.floor(t / DAY);
    const secondOfDay = t % DAY;
    if (day < ARRIVAL_DAYS) record.imported += this.scenario.leadsPerDay / DAY;
    this.openLauncherTick(day, secondOfDay);
    this.startTokens = Math.min(q.startExecution.bucket, this.startTokens + q.startExecution.refill);
    this.transitionTokens = Math.min(q.stateTransitions.bucket, this.transitionTokens + q.stateTransitions.refill);
    if (this.tickSeconds > 0) this.launch(t, day);
    const due = this.dueAt(t);
    const admitted = this.admit(t, due);
    const ses = this.sesSecond(t, day, due.cohorts, admitted);
    for (const cohort of due.cohorts) this.advance(t, secondOfDay, cohort, admitted, ses);
    record.open[t] = this.openNow;
  }

  /** Launcher ticks: one launch-batch invocation, at most 5 minutes (its timeout), at most its `limit` leads. */
  private openLauncherTick(day: number, secondOfDay: number): void {
    const { launch, leadsPerDay } = this.scenario;
    if (launch.kind === 'schedule') {
      const weekday = day % 7 < 5;
      if (weekday && secondOfDay % 3600 === 0 && WEEKDAY_TICKS.includes(secondOfDay / 3600)) {
        this.tickSeconds = 300;
        this.tickRemaining = Number.POSITIVE_INFINITY;
      }
    } else if (secondOfDay % launch.everySeconds === 0) {
      this.tickSeconds = Math.min(launch.everySeconds, 300);
      this.tickRemaining = Math.ceil((leadsPerDay * launch.everySeconds) / DAY);
    }
  }

  private launch(t: number, day: number): void {
    const { record, scenario } = this;
    this.tickSeconds--;
    const now = Math.max(
      0,
      Math.min(record.imported - record.started, scenario.launcherRate, this.startTokens, this.tickRemaining),
    );
    this.tickRemaining -= now;
    this.startTokens -= now;
    record.started += now;
    record.starts[t] = now;
    record.startedPerDay[day] = (record.startedPerDay[day] ?? 0) + now;
    this.openNow += now;
    this.paths.forEach((model, index) => {
      this.schedule(t, index, 0, now * model.weight);
    });
    // The invocation timed out (or its tick ended) with imported leads still waiting: the schedule is too small.
    const backlog = record.imported - record.started;
    const short = this.tickSeconds === 0 && backlog > scenario.leadsPerDay / 24;
    if (short && record.launcherShortAt === undefined && day < ARRIVAL_DAYS) record.launcherShortAt = t;
  }

  /** Cohorts reaching a segment this second, and the transitions and Lambda seconds they want. */
  private dueAt(t: number): DueThisSecond {
    const slots = this.slotOf.length;
    const due: DueThisSecond = { cohorts: [], wantTransitions: 0, wantLambda: 0 };
    for (let slot = 0; slot < slots; slot++) {
      const count = this.due[t * slots + slot] ?? 0;
      if (count <= 0) continue;
      const [pathIndex, segmentIndex] = this.slotOf[slot] as [number, number];
      const segment = this.paths[pathIndex]?.segments[segmentIndex];
      due.cohorts.push([pathIndex, segmentIndex, count]);
      due.wantTransitions += (segment?.transitions ?? 0) * count;
      due.wantLambda +=
        ((segment?.lambdaSeconds ?? 0) + (segment?.sesEvents ?? 0) * this.scenario.sesEventSeconds) * count;
    }
    this.record.transitionDemand[t] = due.wantTransitions;
    this.record.lambdaDemand[t] = due.wantLambda;
    return due;
  }

  /**
   * The share of this second's cohorts that proceeds. Step Functions admits only as many transitions as its
   * bucket holds and Lambda only as many concurrent invocations as the account allows: the rest waits a second.
   */
  private admit(t: number, { cohorts, wantTransitions, wantLambda }: DueThisSecond): number {
    const admitted = Math.min(
      1,
      wantTransitions > 0 ? this.transitionTokens / wantTransitions : 1,
      wantLambda > 0 ? this.q.lambdaConcurrency / wantLambda : 1,
    );
    let deferred = 0;
    if (admitted < 1) {
      for (const [pathIndex, segmentIndex, count] of cohorts) {
        deferred += count * (1 - admitted);
        this.schedule(t + 1, pathIndex, segmentIndex, count * (1 - admitted));
      }
    }
    this.record.deferredMax = Math.max(this.record.deferredMax, deferred);
    return admitted;
  }

  /** SES capacity is shared among the admitted sends of this second. */
  private sesSecond(t: number, day: number, cohorts: Cohort[], admitted: number): SesSecond {
    const { q, record } = this;
    const sesWanted = cohorts.reduce(
      (sum, [pathIndex, segmentIndex, count]) =>
        sum + (this.paths[pathIndex]?.segments[segmentIndex]?.sesCalls ?? 0) * count * admitted,
      0,
    );
    record.sesDemand[t] = sesWanted;
    const dayQuotaLeft = Math.max(0, q.ses.perDay - (record.emailsPerDay[day] ?? 0));
    const sesAccepted = Math.min(sesWanted, q.ses.perSecond, dayQuotaLeft);
    const overDailyQuota = dayQuotaLeft < sesWanted && dayQuotaLeft <= q.ses.perSecond;
    if (overDailyQuota && record.sesQuotaReachedAt === undefined) record.sesQuotaReachedAt = t;
    return { acceptShare: sesWanted > 0 ? sesAccepted / sesWanted : 1, overDailyQuota };
  }

  /** Moves the admitted part of a cohort through its segment and on to the next one (or to the end). */
  private advance(t: number, secondOfDay: number, cohort: Cohort, admitted: number, ses: SesSecond): void {
    const [pathIndex, segmentIndex, waiting] = cohort;
    const model = this.paths[pathIndex];
    const segment = model?.segments[segmentIndex];
    const count = waiting * admitted;
    if (!model || !segment || count <= 0) return;
    this.transitionTokens -= segment.transitions * count;
    this.record.transitionsTotal += segment.transitions * count;
    for (const [key, value] of Object.entries(segment.writes)) this.addWrites(key, t, value * count);
    let proceeding = count;
    if (segment.sends) {
      const accepted = count * ses.acceptShare;
      const throttled = count - accepted;
      const day = Math.floor(t / DAY);
      this.record.emailsPerDay[day] = (this.record.emailsPerDay[day] ?? 0) + accepted * segment.sesCalls;
      if (throttled > 0) {
        this.throttle(t, throttled);
        // The email adapter: over the daily quota, wait until 00:00 UTC; throttled, 10 minutes.
        this.schedule(t + (ses.overDailyQuota ? DAY - secondOfDay : 600), pathIndex, segmentIndex, throttled);
        proceeding = accepted;
      }
    }
    const next = model.segments[segmentIndex + 1];
    if (next) this.schedule(t + (next.offset - segment.offset), pathIndex, segmentIndex + 1, proceeding);
    else this.openNow -= proceeding;
  }

  /** The reservation is given back; the retry wait costs Route Outcome, Wait Before Retry, Route By Channel. */
  private throttle(t: number, throttled: number): void {
    this.record.sesThrottled += throttled;
    this.transitionTokens -= 3 * throttled;
    this.record.transitionsTotal += 3 * throttled;
    for (const key of GIVE_BACK_ON_THROTTLE) this.addWrites(key, t, throttled);
  }

  private addWrites(key: string, t: number, writes: number): void {
    const series = this.record.writes[key];
    if (series) series[t] = (series[t] ?? 0) + writes;
  }

  private result(): ScenarioResult {
    const { record, scenario } = this;
    const resources = resourcePeaks(scenario, record);
    const first = Object.entries(resources)
      .filter(([name, resource]) => resource.firstExceededAt !== undefined && !name.includes('as sharded'))
      .sort((a, b) => (a[1].firstExceededAt ?? 0) - (b[1].firstExceededAt ?? 0))[0];
    return {
      scenario: scenario.name,
      started: Math.round(record.started),
      startedPerDay: record.startedPerDay.map(Math.round),
      emailsAcceptedPerDay: record.emailsPerDay.map(Math.round),
      sesThrottled: Math.round(record.sesThrottled),
      backlogAtEnd: Math.round(record.imported - record.started),
      transitionsPerLead: record.started > 0 ? record.transitionsTotal / record.started : 0,
      maxDeferredLeads: Math.round(record.deferredMax),
      resources,
      firstBottleneck: first ? { resource: first[0], atSeconds: first[1].firstExceededAt ?? 0 } : undefined,
    };
  }
}

function newWeekRecord(horizon: number): WeekRecord {
  return {
    writes: Object.fromEntries(Object.keys(HOT_ITEMS).map((key) => [key, new Float64Array(horizon)])),
    transitionDemand: new Float64Array(horizon),
    lambdaDemand: new Float64Array(horizon),
    starts: new Float64Array(horizon),
    sesDemand: new Float64Array(horizon),
    open: new Float64Array(horizon),
    startedPerDay: new Array(SIM_DAYS).fill(0),
    emailsPerDay: new Array(SIM_DAYS).fill(0),
    imported: 0,
    started: 0,
    sesThrottled: 0,
    deferredMax: 0,
    transitionsTotal: 0,
    launcherShortAt: undefined,
    sesQuotaReachedAt: undefined,
  };
}

export function simulate(scenario: Scenario, paths: PathModel[]): ScenarioResult {
  return new WeekSimulation(scenario, paths).run();
}
