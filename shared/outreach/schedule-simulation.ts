import type { ChannelType } from '../domain/schemas';
import { dayWindow, type LimitRule, rulesForSend, type SendLimitsInput } from '../rate-limit/limiter';
import type { SendSchedule } from '../schedule/schema';
import type { Place } from '../schedule/window';
import type { AccountLimits } from '../store/config';
import {
  counterPrefixOf,
  type IdentityTouch,
  identityName,
  type PoolIdentity,
  PoolSimulation,
  type TouchPool,
  UNASSIGNED,
} from './schedule-pools';
import { WindowMemo } from './schedule-window-memo';

/**
 * The schedule preview's simulator (PRODUCT.md §7; the model is told in schedule-preview.ts): each lead's first
 * touch, hour by hour in UTC, against the send window (`windowAt`, `windowsBetween`) and the rate rules a send must
 * pass (`rulesForSend`), with counters of its own that start from the stored ones. Pure: no store, no clock.
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** What held a touch back on a day: a closed window, a public holiday, or the first full rate rule. */
export const HELD_REASONS = [
  'outsideWindow',
  'holiday',
  'rateLimit',
  'dailyLimit',
  'globalLimit',
  'domainLimit',
  'cooldown',
  'senderLimit',
  'senderPaused',
] as const;
export type HeldReason = (typeof HELD_REASONS)[number];
type LimitReason = Exclude<HeldReason, 'outsideWindow' | 'holiday'>;
/** A rule that refused a touch, and when it admits again. */
type Refusal = { rule: LimitRule; untilMs: number };

/** One lead's first touch as the send path would see it. */
export interface TouchCandidate {
  leadId: string;
  channel: ChannelType;
  /**
   * The sending identity the touch is counted under (email address, LinkedIn account, `-`); for a pooled touch, its
   * assigned identity, or `*` (UNASSIGNED) until the simulation assigns one at its touch.
   */
  sender: string;
  /** `rulesForSend` inputs, as the channel adapter's send plan gives them: whose limits count it (limitOwners). */
  limits: Pick<SendLimitsInput, 'channelLimits' | 'campaignLimits'>;
  rateScope?: string;
  recipientDomain?: string;
  /** The window that gates the touch; absent: any hour (no schedule, or a manual PHONE task). */
  window?: { schedule: SendSchedule; place: Place };
  /** The earliest instant the step may run (after its wait). */
  dueMs: number;
  /** The identities of a pooled touch (schedule-pools.ts); absent: the campaign's one identity, as `sender`. */
  pool?: TouchPool;
}

/** Stored rate state the simulation starts from: counter totals by key, a lead's last touch by cooldown key. */
export interface RateState {
  counters: ReadonlyMap<string, number>;
  lastTouches: ReadonlyMap<string, number>;
}

export interface SimulationInput {
  candidates: readonly TouchCandidate[];
  account: AccountLimits;
  maxTouchesPerLead: number;
  rates: RateState;
  nowMs: number;
  days: number;
}

export type HeldBack = Record<HeldReason, number>;

export interface ChannelDay {
  channel: ChannelType;
  sender: string;
  scheduled: number;
  heldBack: HeldBack;
}

export interface PreviewDay {
  /** The UTC date (the limits' day bucket). */
  date: string;
  channels: ChannelDay[];
}

export interface SimulationResult {
  days: PreviewDay[];
  /** Leads whose touch would not go out within the horizon. */
  unscheduled: number;
  /** Leads whose touch counter is already at `maxTotalAttemptsPerLead`: their sequence would stop at once. */
  atMaxTouches: number;
}

/** Where the simulation stands for one lead. */
interface LeadRun {
  candidate: TouchCandidate;
  attemptAtMs: number;
  done: boolean;
  /** The last rate rule that refused the touch, when, and until when it holds. */
  lastLimit?: { reason: LimitReason; atMs: number; untilMs: number };
}

/**
 * The rules of one send, as `reserve` takes them in order, sent as `identity` when pooled (its rate scope and own
 * counters); spacing is left out (see schedule-preview.ts).
 */
export function rulesForTouch(
  candidate: TouchCandidate,
  input: Pick<SimulationInput, 'account' | 'maxTouchesPerLead'>,
  atMs: number,
  identity?: IdentityTouch,
): LimitRule[] {
  return rulesForSend({
    channel: candidate.channel,
    leadId: candidate.leadId,
    ...candidate.limits,
    account: input.account,
    maxTouchesPerLead: input.maxTouchesPerLead,
    recipientDomain: candidate.recipientDomain,
    rateScope: identity?.rateScope ?? candidate.rateScope,
    ...(identity && { ownerCounters: identity.ownerCounters }),
    atMs,
  }).filter((rule) => rule.kind !== 'spacing');
}

/** Which held-back column a full rule fills; `stop` for the lead's touch counter (the sequence ends). */
function reasonOf(rule: LimitRule): LimitReason | 'stop' {
  if (rule.kind === 'cooldown') return 'cooldown';
  if (rule.kind === 'counter' && rule.whenFull === 'stop') return 'stop';
  if (rule.key.startsWith('SENDER#') || rule.key.startsWith('LIACCOUNT#')) return 'senderLimit';
  if (rule.key.startsWith('DOMAIN#')) return 'domainLimit';
  if (rule.key.startsWith('ALL#')) return 'globalLimit';
  return rule.key.includes('#H#') ? 'rateLimit' : 'dailyLimit';
}

const emptyHeldBack = (): HeldBack =>
  Object.fromEntries(HELD_REASONS.map((reason) => [reason, 0])) as unknown as HeldBack;
const cellKey = (channel: ChannelType, sender: string) => `${channel}\n${sender}`;
const CHANNEL_ORDER: readonly ChannelType[] = ['EMAIL', 'LINKEDIN', 'CONTACT_FORM', 'PHONE'];

/** Cells by channel, then sender, a pool's unassigned leads last. */
function cellOrder(a: { channel: ChannelType; sender: string }, b: { channel: ChannelType; sender: string }): number {
  return (
    CHANNEL_ORDER.indexOf(a.channel) - CHANNEL_ORDER.indexOf(b.channel) ||
    Number(a.sender === UNASSIGNED) - Number(b.sender === UNASSIGNED) ||
    a.sender.localeCompare(b.sender)
  );
}

/** Simulates every candidate's first touch over `days` UTC days from `nowMs`, and tallies them per day. */
export function simulateTouches(input: SimulationInput): SimulationResult {
  const simulation = new Simulation(input);
  const firstDay = dayWindow(input.nowMs).endMs - DAY_MS;
  const days: PreviewDay[] = [];
  for (let dayStart = firstDay; dayStart < firstDay + input.days * DAY_MS; dayStart += DAY_MS) {
    for (let hour = Math.max(dayStart, input.nowMs); hour < dayStart + DAY_MS; hour = nextHour(hour))
      simulation.runUntil(nextHour(hour));
    days.push(simulation.closeDay(dayStart));
  }
  return { days, unscheduled: simulation.unscheduled(), atMaxTouches: simulation.atMaxTouches };
}

const nextHour = (atMs: number) => Math.floor(atMs / HOUR_MS) * HOUR_MS + HOUR_MS;

class Simulation {
  private readonly runs: LeadRun[];
  private readonly counters: Map<string, number>;
  private readonly lastTouches: Map<string, number>;
  /** The cells of the day being simulated, every channel × sender of the candidates (zeros included). */
  private cells = new Map<string, ChannelDay>();
  private windows = new WindowMemo();
  private readonly pools: PoolSimulation;
  atMaxTouches = 0;

  constructor(private readonly input: SimulationInput) {
    this.runs = input.candidates.map((candidate) => ({
      candidate,
      attemptAtMs: Math.max(candidate.dueMs, input.nowMs),
      done: false,
    }));
    this.counters = new Map(input.rates.counters);
    this.lastTouches = new Map(input.rates.lastTouches);
    this.pools = new PoolSimulation(this.counters);
    this.cells = this.freshCells();
  }

  /** Every attempt due before `endMs`, in time order (input order on ties); a held lead may come round again. */
  runUntil(endMs: number): void {
    for (;;) {
      const due = this.runs.filter((run) => !run.done && run.attemptAtMs < endMs);
      if (due.length === 0) return;
      due.sort((a, b) => a.attemptAtMs - b.attemptAtMs);
      for (const run of due) this.attempt(run);
    }
  }

  /**
   * One try at `attemptAtMs`, in checkBeforeSend's order: the window, the pool's identities (paused: held), then
   * every rule as each identity in turn (one whose own counter is full passes the touch to the next); sent or moved on.
   */
  private attempt(run: LeadRun): void {
    const { candidate } = run;
    const at = run.attemptAtMs;
    const state = candidate.window ? this.windows.stateAt(candidate.window, at) : undefined;
    if (state && !state.open) {
      run.attemptAtMs = state.opensAtMs;
      return;
    }
    const choices = candidate.pool ? this.pools.choices(candidate.pool, at) : [undefined];
    if (choices === 'paused') {
      // An operator resumes an identity by hand: within the preview it stays paused, and its leads wait.
      run.lastLimit = { reason: 'senderPaused', atMs: at, untilMs: Number.POSITIVE_INFINITY };
      run.attemptAtMs = Number.POSITIVE_INFINITY;
      return;
    }
    let refusal: Refusal | undefined;
    for (const identity of choices) {
      const touch = identity && candidate.pool && this.pools.touchAs(identity, candidate.pool, at);
      const rules = rulesForTouch(candidate, this.input, at, touch);
      refusal = this.firstRefusal(rules, at);
      if (!refusal) {
        this.send(run, rules, at, identity);
        return;
      }
      // The send path passes a touch its identity's own counter refused to the next identity (checkBeforeSend).
      if (!identity || !refusal.rule.key.startsWith(counterPrefixOf(identity))) break;
    }
    if (refusal) this.refuse(run, refusal, at);
  }

  private firstRefusal(rules: readonly LimitRule[], atMs: number): Refusal | undefined {
    for (const rule of rules) {
      const untilMs = this.refusal(rule, atMs);
      if (untilMs !== undefined) return { rule, untilMs };
    }
    return undefined;
  }

  /** The send path's answer to a full rule: the lead's touches used up end it; any other waits for its window. */
  private refuse(run: LeadRun, { rule, untilMs }: Refusal, atMs: number): void {
    const reason = reasonOf(rule);
    if (reason === 'stop') {
      run.done = true;
      this.atMaxTouches++;
      return;
    }
    run.lastLimit = { reason, atMs, untilMs };
    run.attemptAtMs = untilMs;
  }

  private send(run: LeadRun, rules: readonly LimitRule[], atMs: number, identity: PoolIdentity | undefined): void {
    for (const rule of rules) {
      if (rule.kind === 'counter') this.counters.set(rule.key, (this.counters.get(rule.key) ?? 0) + 1);
      else this.lastTouches.set(rule.key, atMs);
    }
    run.done = true;
    if (identity) this.pools.sent(identity, atMs);
    this.cellOf(run.candidate.channel, identity ? identityName(identity) : run.candidate.sender).scheduled++;
  }

  /** When a full rule admits again (as `reserve` answers it), or undefined when it has room. */
  private refusal(rule: LimitRule, atMs: number): number | undefined {
    if (rule.kind === 'cooldown') {
      const last = this.lastTouches.get(rule.key);
      return last !== undefined && last > atMs - rule.cooldownMs ? last + rule.cooldownMs : undefined;
    }
    if (rule.kind !== 'counter') return undefined;
    const used = this.counters.get(rule.key) ?? 0;
    return rule.limit <= 0 || used >= rule.limit ? rule.windowEndMs : undefined;
  }

  /** The day's tally: what went out, and for every due lead still waiting, what held it back that day. */
  closeDay(dayStart: number): PreviewDay {
    const dayEnd = dayStart + DAY_MS;
    for (const run of this.runs) {
      if (run.done || run.candidate.dueMs >= dayEnd) continue;
      this.cellOf(run.candidate.channel, run.candidate.sender).heldBack[this.heldReason(run, dayStart, dayEnd)]++;
    }
    const channels = [...this.cells.values()];
    this.cells = this.freshCells();
    this.windows = new WindowMemo();
    return { date: new Date(dayStart).toISOString().slice(0, 10), channels };
  }

  unscheduled(): number {
    return this.runs.filter((run) => !run.done).length;
  }

  /**
   * A rate rule that refused the lead during the day, or still held it at the day's start, decides; else the
   * window did: a holiday when, without holidays, a window would have opened for the lead in that day.
   */
  private heldReason(run: LeadRun, dayStart: number, dayEnd: number): HeldReason {
    const limit = run.lastLimit;
    if (limit && limit.atMs < dayEnd && limit.untilMs > dayStart) return limit.reason;
    const window = run.candidate.window;
    if (!window) return 'outsideWindow';
    const from = Math.max(dayStart, run.candidate.dueMs);
    return this.windows.holidayTookWindow(window, from, dayEnd) ? 'holiday' : 'outsideWindow';
  }

  private cellOf(channel: ChannelType, sender: string): ChannelDay {
    const key = cellKey(channel, sender);
    const cell = this.cells.get(key);
    if (!cell) throw new Error(`no preview cell for ${key}`); // freshCells made one for every candidate and identity
    return cell;
  }

  private freshCells(): Map<string, ChannelDay> {
    const pairs = new Map<string, { channel: ChannelType; sender: string }>();
    const add = (channel: ChannelType, sender: string) => pairs.set(cellKey(channel, sender), { channel, sender });
    for (const { channel, sender, pool } of this.input.candidates) {
      add(channel, sender);
      for (const identity of pool?.identities ?? []) add(channel, identityName(identity));
    }
    const ordered = [...pairs.values()].sort(cellOrder);
    return new Map(
      ordered.map(({ channel, sender }) => [
        cellKey(channel, sender),
        { channel, sender, scheduled: 0, heldBack: emptyHeldBack() },
      ]),
    );
  }
}
