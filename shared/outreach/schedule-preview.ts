import { emailDomain } from '../channels/email/address';
import { setting } from '../config/settings';
import type { Campaign, ChannelConfig, ChannelType, Lead } from '../domain/schemas';
import { gradeAtLeast } from '../grading/grade';
import { limitOwners } from '../rate-limit/limit-owners';
import {
  ACCOUNT_SCOPE,
  type AccountLimits,
  defaultChannelConfig,
  getChannelConfig,
  resolveAccountLimits,
  resolveChannelConfig,
} from '../store/config';
import { nowMs } from '../time/clock';
import { hasContactPoint } from './reachability';
import {
  describeIdentity,
  identityName,
  type PoolRecords,
  type PreviewSender,
  previewIdentities,
  touchPoolOf,
  UNASSIGNED,
} from './schedule-pools';
import { leadsIn, rateItemsToRead, readPoolRecords, readRates } from './schedule-preview-reads';
import { type PreviewDay, type RateState, simulateTouches, type TouchCandidate } from './schedule-simulation';
import { placeOf, scheduleOf } from './send-window';

/**
 * The schedule preview (PRODUCT.md §7 `GET /v1/campaigns/{id}/schedule-preview`): what the campaign's waiting leads
 * would send per UTC day × channel × sender, and what holds the rest back. It reads and simulates; it sends, starts
 * and writes nothing. The window and limit arithmetic is the send path's own (`windowAt`, `windowsBetween`,
 * `rulesForSend`, `placeOf`, `scheduleOf`, `hasContactPoint`), only the counters are the simulation's.
 *
 * The model (also stated in the route's description, SCHEDULE_PREVIEW_MODEL):
 * - Waiting leads: NEW leads at or above the campaign's minGrade (a batch launched now starts them at step 1 after
 *   its wait), and PAUSED `out_of_office` leads (they start at `resumeAt`, at the step in `resumeFrom` if set,
 *   else at step 1). IN_SEQUENCE leads are already scheduled by their executions: counted as `inFlight`, not
 *   simulated.
 * - Only each lead's first touch is simulated. A step whose channel is disabled or cannot reach the lead (no
 *   contact point: `hasContactPoint`) falls back to the next step, whose wait is added; the touch is counted under
 *   that step's channel. A lead no step can reach is `unreachable`.
 * - From now (the clock), UTC day by UTC day (the limits' buckets), hour by hour: a lead goes at the first instant
 *   its window is open (PHONE tasks and campaigns without a schedule: any hour), if every rule of `rulesForSend`
 *   has room (channel per hour and per day of the sender's scope, account-wide per day, per recipient domain per
 *   day, lead cooldown, lead touches); else it is held until the full rule's window resets (the next hour, the
 *   next UTC day, the end of the cooldown) and tried again. Counters start from the stored values of the current
 *   hour and day (read, never written), later buckets from zero. No jitter, no LinkedIn action spacing (45–120 s,
 *   far below the hourly limit), and a step's `onRateLimit: "fallback"` is simulated as a wait.
 * - Pools (PRODUCT.md §10, schedule-pools.ts): a touch on a channel the campaign draws from a pool (`senderIds`,
 *   `linkedinAccountIds`), or by a lead holding an identity, goes out as the lead's own identity (held as
 *   `senderPaused` while it is paused or gone), else as the ACTIVE one with the most room left at that simulated
 *   moment (`byRoomLeft`), the next one when the first one's own counter is full. Each identity's own counters (a
 *   sender's warm-up day, which starts at its first simulated send; a LinkedIn account's invitations per day and
 *   week, or messages per day) are `ownerCounters` of the send's rules (`senderLimit` when full), and a LinkedIn
 *   account's channel limits are its own (`LINKEDIN:<account>`). Cells name the identity; a pooled lead not
 *   assigned yet waits under `*`. A paused identity stays paused over the horizon (an operator resumes it).
 * - A lead due on a day and not sent that day counts once in that day's `heldBack`: under the rate rule that
 *   refused it that day (or still held it at the day's start), else `holiday` when a public holiday removed the
 *   window it would have had that day, else `outsideWindow`. Leads not sent by the horizon are `unscheduled`.
 */
export const SCHEDULE_PREVIEW_MODEL =
  'Waiting leads are the NEW leads at or above minGrade (starting at step 1 after its wait, as a batch launched now would) and the PAUSED out_of_office leads (starting at resumeAt, at their resumeFrom step, else step 1); IN_SEQUENCE leads are counted as inFlight, not simulated. Only the first touch of each lead is simulated: a step whose channel is disabled or has no contact point for the lead falls back to the next step (its wait added) and the touch counts under that channel. From now, UTC day by UTC day and hour by hour, a touch goes at the first instant the lead’s window is open (the campaign schedule in the lead’s zone, without its country’s public holidays) if every rate rule of a real send has room (channel per hour and per day, global per day, per recipient domain per day, lead cooldown, max touches); counters start from the stored current hour and day and are never written. A touch refused by a rule waits until that rule’s window resets. A campaign drawing on sender or LinkedIn account pools: a lead keeps the identity it holds (senderPaused while that one is paused or gone, for the whole horizon), any other goes out as the ACTIVE identity with the most room left at that moment (a sender’s warm-up limit of the day, an account’s invitations of the day; ties in pool order), passing to the next when that one’s own counter is full; each identity’s own limits (warm-up ramp from its first send, LinkedIn invitations per day and per week, messages per day) count as senderLimit; cells name the identity, and pooled leads not yet assigned wait under *. A lead due but not sent on a day counts once in that day’s heldBack, under the rule that refused it, else holiday or outsideWindow. No jitter and no LinkedIn action spacing are simulated; nothing is sent or written.';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Where a waiting lead's sequence would start. */
export interface WaitingLead {
  lead: Lead;
  stepIndex: number;
  earliestMs: number;
  /** The step's own wait is already served (a resumed sequence starts right at its step). */
  waitServed: boolean;
}

/** A lead the preview simulates, and where it would start; undefined for every other lead. */
export function waitingStart(lead: Lead, campaign: Campaign, atMs: number): WaitingLead | undefined {
  if (lead.status === 'NEW' && gradeAtLeast(lead.grade, campaign.minGrade))
    return { lead, stepIndex: 0, earliestMs: atMs, waitServed: false };
  if (lead.status !== 'PAUSED' || lead.stopReason !== 'out_of_office') return undefined;
  const resumeAtMs = lead.resumeAt ? Date.parse(lead.resumeAt) : atMs;
  // The step index is the lead's sequence version's; the preview reads the campaign's current steps.
  const lastStep = campaign.sequence.steps.length - 1;
  return {
    lead,
    stepIndex: Math.min(lead.resumeFrom?.stepIndex ?? 0, lastStep),
    earliestMs: Math.max(resumeAtMs, atMs),
    waitServed: lead.resumeFrom !== undefined,
  };
}

export interface PreviewContext {
  campaign: Campaign;
  /** Resolved channel configs (campaign, else account, else defaults); a missing one means the defaults. */
  configs: Partial<Record<ChannelType, ChannelConfig>>;
  /** The account's own channel configs (channel-wide limits on top of a campaign's own, limitOwners). */
  accountConfigs?: Partial<Record<ChannelType, ChannelConfig>>;
  /** The pools' senders and LinkedIn accounts (PRODUCT.md §10); a missing one is gone. */
  identities?: PoolRecords;
}

const configOf = (context: PreviewContext, channel: ChannelType): ChannelConfig =>
  context.configs[channel] ?? defaultChannelConfig(channel);

/**
 * The sender a touch is counted under, and the rate scope its send plan would name: the campaign's address for
 * EMAIL, the LinkedIn account (the adapter's `rateScope`, same setting and fallback) for LINKEDIN, `-` for a site.
 * A pooled touch counts under its lead's identity, else `*` until the simulation assigns one (its scope with it).
 */
function senderOf(channel: ChannelType, campaign: Campaign, config: ChannelConfig, pool?: TouchCandidate['pool']) {
  if (pool)
    return { sender: pool.assigned && pool.identities[0] ? identityName(pool.identities[0]) : UNASSIGNED, pool };
  if (channel === 'EMAIL') return { sender: campaign.sender.email };
  if (channel !== 'LINKEDIN') return { sender: '-' };
  const account = String(config.settings.accountId ?? setting('CASCADE_LINKEDIN_ACCOUNT_ID') ?? '') || 'default';
  return { sender: account, rateScope: `LINKEDIN:${account}` };
}

/** Gating windows by the lead's zone and country: one per place, shared by its leads. */
type WindowsByPlace = Map<string, TouchCandidate['window']>;

/**
 * The window a lead's touches wait for, undefined without a schedule. Memoised per place because resolving the
 * zone (`placeOf` checks it with Intl) costs about 0.2 ms, a second for 5,000 leads.
 */
function windowOf(campaign: Campaign, lead: Lead, windows: WindowsByPlace): TouchCandidate['window'] {
  const key = `${lead.timezone ?? ''}|${lead.country ?? ''}`;
  if (!windows.has(key)) {
    const schedule = scheduleOf(campaign);
    windows.set(key, schedule && { schedule, place: placeOf(schedule, lead) });
  }
  return windows.get(key);
}

/**
 * The first step that can touch the lead, from its start step on: disabled channels fall back (their wait still
 * served), a channel without a contact point is closed for the rest of the run (later steps on it skipped unwaited).
 */
export function firstTouchOf(
  waiting: WaitingLead,
  context: PreviewContext,
  windows: WindowsByPlace = new Map(),
): TouchCandidate | undefined {
  const { lead } = waiting;
  const { campaign } = context;
  const steps = campaign.sequence.steps;
  const closed = new Set<ChannelType>();
  let dueMs = waiting.earliestMs;
  for (let index = waiting.stepIndex; index < steps.length; index++) {
    const step = steps[index];
    if (!step || closed.has(step.channel)) continue;
    if (index > waiting.stepIndex || !waiting.waitServed) dueMs += step.waitHoursBefore * HOUR_MS;
    const config = configOf(context, step.channel);
    if (!config.enabled) continue;
    if (!hasContactPoint(lead, step.channel)) {
      closed.add(step.channel);
      continue;
    }
    const window = step.channel === 'PHONE' ? undefined : windowOf(campaign, lead, windows);
    return {
      leadId: lead.leadId,
      channel: step.channel,
      ...senderOf(step.channel, campaign, config, touchPoolOf(step, campaign, lead, context.identities)),
      limits: limitOwners(campaign.campaignId, config, context.accountConfigs?.[step.channel]),
      ...(step.channel === 'EMAIL' && lead.email && { recipientDomain: emailDomain(lead.email) }),
      // PHONE is never held by the window (windowVerdict): its task is due at the opening instead.
      ...(window && { window }),
      dueMs,
    };
  }
  return undefined;
}

export interface TouchPlan {
  candidates: TouchCandidate[];
  waiting: number;
  unreachable: number;
}

/** The waiting leads among `leads` and their first touches, in the order given (the order a batch takes them). */
export function planTouches(leads: readonly Lead[], context: PreviewContext, atMs: number): TouchPlan {
  const plan: TouchPlan = { candidates: [], waiting: 0, unreachable: 0 };
  const windows: WindowsByPlace = new Map();
  for (const lead of leads) {
    const waiting = waitingStart(lead, context.campaign, atMs);
    if (!waiting) continue;
    plan.waiting++;
    const candidate = firstTouchOf(waiting, context, windows);
    if (candidate) plan.candidates.push(candidate);
    else plan.unreachable++;
  }
  return plan;
}

export interface SchedulePreview {
  campaignId: string;
  /** The instant the simulation starts (now) and the end of its last UTC day. */
  from: string;
  to: string;
  horizonDays: number;
  generatedAt: string;
  /** Leads simulated (NEW at or above minGrade, PAUSED out_of_office). */
  waiting: number;
  /** IN_SEQUENCE leads: their executions schedule them; not simulated. */
  inFlight: number;
  /** Waiting leads no step of the sequence can reach. */
  unreachable: number;
  /** Waiting leads whose touch counter is already full: their sequence would stop at once. */
  atMaxTouches: number;
  /** Waiting leads whose first touch would not go out within the horizon. */
  unscheduled: number;
  days: PreviewDay[];
  /** The pools' identities (and those waiting leads hold): state, today's limit and use. Empty without pools. */
  senders: PreviewSender[];
}

export interface PreviewInput extends PreviewContext {
  /** The campaign's NEW and PAUSED leads (others are ignored), in the order a batch reads them. */
  leads: readonly Lead[];
  inFlight: number;
  account: AccountLimits;
  /** Stored counters for the current hour and day, and the leads' last touches; absent: all zero. */
  rates?: RateState;
  nowMs: number;
  days: number;
}

/** The preview from what was read: pure (no store, no clock). */
export function previewSchedule(input: PreviewInput): SchedulePreview {
  const plan = planTouches(input.leads, input, input.nowMs);
  const result = simulateTouches({
    candidates: plan.candidates,
    account: input.account,
    maxTouchesPerLead: input.campaign.sequence.maxTotalAttemptsPerLead,
    rates: input.rates ?? { counters: new Map(), lastTouches: new Map() },
    nowMs: input.nowMs,
    days: input.days,
  });
  const firstDayMs = Math.floor(input.nowMs / DAY_MS) * DAY_MS;
  const counters = input.rates?.counters ?? new Map<string, number>();
  const identities = previewIdentities(
    input.campaign,
    plan.candidates.map((candidate) => candidate.pool),
    input.identities,
  );
  return {
    campaignId: input.campaign.campaignId,
    from: new Date(input.nowMs).toISOString(),
    to: new Date(firstDayMs + input.days * DAY_MS).toISOString(),
    horizonDays: input.days,
    generatedAt: new Date(input.nowMs).toISOString(),
    waiting: plan.waiting,
    inFlight: input.inFlight,
    unreachable: plan.unreachable,
    atMaxTouches: result.atMaxTouches,
    unscheduled: result.unscheduled,
    days: result.days,
    senders: identities.map((listed) => describeIdentity(listed, counters, input.nowMs)),
  };
}

/** The campaign's schedule preview over `days` UTC days from now: reads leads, configs and counters; writes nothing. */
export async function readSchedulePreview(campaign: Campaign, days: number): Promise<SchedulePreview> {
  const atMs = nowMs();
  const channels = [...new Set(campaign.sequence.steps.map((step) => step.channel))];
  const configs = Object.fromEntries(
    await Promise.all(
      channels.map(async (channel) => [channel, await resolveChannelConfig(campaign.campaignId, channel)]),
    ),
  ) as PreviewContext['configs'];
  const accountConfigs = Object.fromEntries(
    await Promise.all(channels.map(async (channel) => [channel, await getChannelConfig(ACCOUNT_SCOPE, channel)])),
  ) as PreviewContext['configs'];
  const [fresh, paused, running, account] = await Promise.all([
    leadsIn(campaign, 'NEW', campaign.minGrade),
    leadsIn(campaign, 'PAUSED'),
    leadsIn(campaign, 'IN_SEQUENCE'),
    resolveAccountLimits(),
  ]);
  const leads = [...fresh, ...paused];
  const limits = { account, maxTouchesPerLead: campaign.sequence.maxTotalAttemptsPerLead };
  const waitingLeads = leads.filter((lead) => waitingStart(lead, campaign, atMs));
  const identities = await readPoolRecords(campaign, waitingLeads);
  const context = { campaign, configs, accountConfigs, identities };
  const { candidates } = planTouches(leads, context, atMs);
  const listed = previewIdentities(
    campaign,
    candidates.map((candidate) => candidate.pool),
    identities,
  ).map(({ identity }) => identity);
  const rates = await readRates(rateItemsToRead(candidates, limits, atMs, listed));
  return previewSchedule({
    ...context,
    leads,
    inFlight: running.length,
    account,
    rates,
    nowMs: atMs,
    days,
  });
}
