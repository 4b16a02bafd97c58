import type { ChannelType } from '../domain/schemas';
import { dayWindow, type LimitRule, rulesForSend, type SendLimitsInput } from '../rate-limit/limiter';
import type { SendSchedule } from '../schedule/schema';
import { NoSendWindowError, type Place, type WindowState, windowAt, windowsBetween } from '../schedule/window';
import type { AccountLimits } from '../store/config';

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
] as const;
export type HeldReason = (typeof HELD_REASONS)[number];
type LimitReason = Exclude<HeldReason, 'outsideWindow' | 'holiday'>;

/** One lead's first touch as the send path would see it. */
export interface TouchCandidate {
  leadId: string;
  channel: ChannelType;
  /** The sending identity the touch is counted under (email address, LinkedIn account, `-`). */
  sender: string;
  /** `rulesForSend` inputs, as the channel adapter's send plan gives them: whose limits count it (limitOwners). */
  limits: Pick<SendLimitsInput, 'channelLimits' | 'campaignLimits'>;
  rateScope?: string;
  recipientDomain?: string;
  /** The window that gates the touch; absent: any hour (no schedule, or a manual PHONE task). */
  window?: { schedule: SendSchedule; place: Place };
  /** The earliest instant the step may run (after its wait). */
  dueMs: number;
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

/** The rules of one send, as `reserve` takes them in order; spacing is left out (see schedule-preview.ts). */
export function rulesForTouch(
  candidate: TouchCandidate,
  input: Pick<SimulationInput, 'account' | 'maxTouchesPerLead'>,
  atMs: number,
): LimitRule[] {
  return rulesForSend({
    channel: candidate.channel,
    leadId: candidate.leadId,
    ...candidate.limits,
    account: input.account,
    maxTouchesPerLead: input.maxTouchesPerLead,
    recipientDomain: candidate.recipientDomain,
    rateScope: candidate.rateScope,
    atMs,
  }).filter((rule) => rule.kind !== 'spacing');
}

/** Which held-back column a full rule fills; `stop` for the lead's touch counter (the sequence ends). */
function reasonOf(rule: LimitRule): LimitReason | 'stop' {
  if (rule.kind === 'cooldown') return 'cooldown';
  if (rule.kind === 'counter' && rule.whenFull === 'stop') return 'stop';
  if (rule.key.startsWith('DOMAIN#')) return 'domainLimit';
  if (rule.key.startsWith('ALL#')) return 'globalLimit';
  return rule.key.includes('#H#') ? 'rateLimit' : 'dailyLimit';
}

const emptyHeldBack = (): HeldBack =>
  Object.fromEntries(HELD_REASONS.map((reason) => [reason, 0])) as unknown as HeldBack;
const cellKey = (channel: ChannelType, sender: string) => `${channel}\n${sender}`;
const CHANNEL_ORDER: readonly ChannelType[] = ['EMAIL', 'LINKEDIN', 'CONTACT_FORM', 'PHONE'];

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
  atMaxTouches = 0;

  constructor(private readonly input: SimulationInput) {
    this.runs = input.candidates.map((candidate) => ({
      candidate,
      attemptAtMs: Math.max(candidate.dueMs, input.nowMs),
      done: false,
    }));
    this.counters = new Map(input.rates.counters);
    this.lastTouches = new Map(input.rates.lastTouches);
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

  /** One try at `attemptAtMs`: the window first, then every rule (checkBeforeSend's order); sent or moved on. */
  private attempt(run: LeadRun): void {
    const { candidate } = run;
    const at = run.attemptAtMs;
    const state = candidate.window ? this.windows.stateAt(candidate.window, at) : undefined;
    if (state && !state.open) {
      run.attemptAtMs = state.opensAtMs;
      return;
    }
    const rules = rulesForTouch(candidate, this.input, at);
    for (const rule of rules) {
      const refusal = this.refusal(rule, at);
      if (refusal === undefined) continue;
      const reason = reasonOf(rule);
      if (reason === 'stop') {
        run.done = true;
        this.atMaxTouches++;
      } else {
        run.lastLimit = { reason, atMs: at, untilMs: refusal };
        run.attemptAtMs = refusal;
      }
      return;
    }
    for (const rule of rules) {
      if (rule.kind === 'counter') this.counters.set(rule.key, (this.counters.get(rule.key) ?? 0) + 1);
      else this.lastTouches.set(rule.key, at);
    }
    run.done = true;
    this.cellOf(candidate).scheduled++;
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
      this.cellOf(run.candidate).heldBack[this.heldReason(run, dayStart, dayEnd)]++;
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

  private cellOf(candidate: TouchCandidate): ChannelDay {
    const key = cellKey(candidate.channel, candidate.sender);
    const cell = this.cells.get(key);
    if (!cell) throw new Error(`no preview cell for ${key}`); // freshCells made one for every candidate
    return cell;
  }

  private freshCells(): Map<string, ChannelDay> {
    const pairs = new Map<string, { channel: ChannelType; sender: string }>();
    for (const { channel, sender } of this.input.candidates) pairs.set(cellKey(channel, sender), { channel, sender });
    const ordered = [...pairs.values()].sort(
      (a, b) => CHANNEL_ORDER.indexOf(a.channel) - CHANNEL_ORDER.indexOf(b.channel) || a.sender.localeCompare(b.sender),
    );
    return new Map(
      ordered.map(({ channel, sender }) => [
        cellKey(channel, sender),
        { channel, sender, scheduled: 0, heldBack: emptyHeldBack() },
      ]),
    );
  }
}

type GatingWindow = { schedule: SendSchedule; place: Place };

/**
 * `windowAt` and the holiday question, memoised per window and instant: a campaign's leads share a few places,
 * and held leads are retried at the same instants (an hour's or a day's reset), so the same questions come back
 * thousands of times (5,000 leads over 31 days took 12 s unmemoised). Hand-written: a Map and a key suffice.
 */
class WindowMemo {
  private readonly keys = new WeakMap<GatingWindow, string>();
  private readonly states = new Map<string, WindowState>();
  private readonly holidays = new Map<string, boolean>();

  /** The window state; a schedule that never opens (every day a holiday) never lets the touch go. */
  stateAt(window: GatingWindow, atMs: number): WindowState {
    const key = `${this.keyOf(window)}@${atMs}`;
    let state = this.states.get(key);
    if (state === undefined) {
      state = safeWindowAt(window, atMs);
      this.states.set(key, state);
    }
    return state;
  }

  /** Whether, without public holidays, a window would have opened in [fromMs, toMs) that the holidays took. */
  holidayTookWindow(window: GatingWindow, fromMs: number, toMs: number): boolean {
    const key = `${this.keyOf(window)}@${fromMs}-${toMs}`;
    let took = this.holidays.get(key);
    if (took === undefined) {
      const open = windowsBetween(window.schedule, window.place, fromMs, toMs);
      const withoutHolidays = windowsBetween({ ...window.schedule, skipHolidays: false }, window.place, fromMs, toMs);
      took = withoutHolidays.length > open.length;
      this.holidays.set(key, took);
    }
    return took;
  }

  private keyOf(window: GatingWindow): string {
    let key = this.keys.get(window);
    if (key === undefined) {
      key = JSON.stringify(window);
      this.keys.set(window, key);
    }
    return key;
  }
}

function safeWindowAt(window: GatingWindow, atMs: number): WindowState {
  try {
    return windowAt(window.schedule, window.place, atMs);
  } catch (error) {
    if (!(error instanceof NoSendWindowError)) throw error;
    return { open: false, opensAtMs: Number.POSITIVE_INFINITY, reason: 'closed_day' };
  }
}
