import type { ProviderVerdict } from '../domain/outcome';
import type {
  Campaign,
  ChannelConfig,
  ChannelTemplate,
  Lead,
  LeadStatus,
  ReasonCode,
  Suppression,
} from '../domain/schemas';
import { limitOwners } from '../rate-limit/limit-owners';
import { type Reservation, type ReserveResult, rulesForSend } from '../rate-limit/limiter';
import { ACCOUNT_SCOPE } from '../store/config';
import { channelClosedBy, personStop, suppressionKeysToRead } from '../store/suppression-checks';
import {
  buildTemplateContext,
  DEFAULT_TEMPLATES,
  type RenderedMessage,
  renderMessage,
  TemplateError,
} from '../templates/render';
import { nowMs } from '../time/clock';
import type { StepVariant } from '../variants/schema';
import type { SendPlan, SendResult, StepContext } from './channel-adapter';
import { linkedinAccountChoices } from './linkedin-pool';
import type { PoolChoice, PoolChoices } from './pool-choice';
import { windowVerdict } from './send-window';
import { senderChoices } from './sender-pool';
import type { StepRun } from './step-run';
import { chosenVariant } from './step-variant';
import type { RuntimeStep } from './task-input';
import { unsubscribeUrl } from './unsubscribe';

/** A check said no: the verdict to record instead of a send (with the adapter's lead updates, if it decided). */
export interface Blocked {
  verdict: ProviderVerdict;
  send?: SendResult;
}

/** Every check passed and the slots are reserved: the provider may be called. */
export interface ReadyToSend {
  context: StepContext;
  plan: SendPlan;
  leadUpdates?: Partial<Lead>;
  reservation: Reservation;
  /** The A/B variant the content was rendered from. */
  variantId?: string;
  /** The pool sender the email goes out from. */
  senderId?: string;
}

/** Lead statuses that end a sequence at the next re-check, with the STOP reason they give. */
const STOPPING_STATUSES: Partial<Record<LeadStatus, ReasonCode>> = {
  REPLIED: 'replied',
  UNSUBSCRIBED: 'unsubscribed',
  BOUNCED: 'bounce',
  PAUSED: 'lead_paused',
  EXHAUSTED: 'max_attempts_reached',
};

function stopReasonFor(lead: Lead, campaign: Campaign, executionName: string): ReasonCode | undefined {
  // A run the lead has left (paused, then resumed in a new run): an invocation StopExecution did not kill ends
  // here, without a send and without touching the lead the new run now owns.
  if (lead.executionName && lead.executionName !== executionName) return 'superseded';
  if (campaign.state !== 'ACTIVE') return 'campaign_inactive';
  const stop = STOPPING_STATUSES[lead.status];
  if (stop) return lead.stopReason ?? stop;
  // The run has lasted sequenceTimeoutDays (its Waits included): it ends at its next step, nothing more is sent.
  if (lead.sequenceDeadline && nowMs() >= Date.parse(lead.sequenceDeadline)) return 'sequence_timeout';
  return undefined;
}

/**
 * The checks before a send, in order: the lead and channel may still be contacted, the channel is enabled, the
 * message renders, the adapter can reach the lead, and every rate limit has a slot. The first that fails decides.
 */
export async function checkBeforeSend(run: StepRun): Promise<Blocked | ReadyToSend> {
  const closed = await leadOrChannelClosed(run);
  if (closed) return { verdict: closed };
  const config = await run.store.resolveChannelConfig(run.campaign.campaignId, run.channel);
  if (!config.enabled) return { verdict: { outcome: 'FALLBACK', reason: 'channel_disabled', delivered: false } };
  const closedWindow = windowVerdict(run);
  if (closedWindow) return { verdict: closedWindow };
  const choices = await poolChoices(run);
  if (choices && 'verdict' in choices) return { verdict: choices.verdict };
  const variant = await chosenVariant(run);
  if (!choices) return prepareAndReserve(run, config, variant);
  // The identities with the most room first; one whose own counter is full (a concurrent send took its last slot)
  // passes the touch to the next, so a pool fills evenly instead of every lead waiting a day for the same one.
  // When every one is full, the lead waits for the first to free up (a sender's next day, not an account's week).
  let soonest: Blocked | undefined;
  for (const choice of choices) {
    const outcome = await prepareAndReserve(run, config, variant, choice);
    if (!('verdict' in outcome) || !outcome.verdict.detail?.startsWith(choice.counterPrefix)) return outcome;
    const wait = outcome.verdict.retryAfterSeconds ?? Number.POSITIVE_INFINITY;
    if (!soonest || wait < (soonest.verdict.retryAfterSeconds ?? Number.POSITIVE_INFINITY)) soonest = outcome;
  }
  return soonest ?? { verdict: { outcome: 'RETRY', reason: 'sender_paused', delivered: false } };
}

/** The pool identities a touch may go out as (PRODUCT.md §10): email senders, LinkedIn accounts. */
async function poolChoices(run: StepRun): Promise<PoolChoices> {
  if (run.input.override) return undefined;
  if (run.channel === 'EMAIL') return senderChoices(run.campaign, run.lead);
  if (run.channel === 'LINKEDIN') return linkedinAccountChoices(run.campaign, run.lead);
  return undefined;
}

/** Renders the touch (as its pool identity, if any), lets the adapter plan it, and takes every rate-limit slot. */
async function prepareAndReserve(
  run: StepRun,
  resolved: ChannelConfig,
  variant: StepVariant | undefined,
  choice?: PoolChoice,
): Promise<Blocked | ReadyToSend> {
  // The touch goes out as its pool identity: From, Reply-To and `sender.*` in the templates; the LinkedIn account.
  const sending = choice ? { ...run, campaign: choice.campaign(run.campaign) } : run;
  const config = choice ? choice.config(resolved) : resolved;
  const rendered = renderContent(sending, config, variant);
  if ('verdict' in rendered) return rendered;
  const { lead, campaign, messageId, attemptKey } = sending;
  const context: StepContext = {
    lead,
    campaign,
    config,
    messageId,
    attemptKey,
    step: run.input.cursor.step,
    ...rendered,
  };
  const preparation = await run.adapter.prepare(context);
  if ('verdict' in preparation) {
    const { verdict, leadUpdates } = preparation;
    return { verdict, send: { verdict, leadUpdates } };
  }
  const limits = await reserveSlots(run, config, preparation.plan, choice);
  if (!limits.ok) return { verdict: rateLimitVerdict(limits, run.input.cursor.step) };
  return {
    context,
    plan: preparation.plan,
    // The lead keeps the identity of its first touch on the channel (recorded with the send).
    leadUpdates: { ...preparation.leadUpdates, ...choice?.assignment },
    reservation: limits.reservation,
    ...(variant && { variantId: variant.id }),
    ...choice?.messageFields,
  };
}

/**
 * Re-check before every send, including after every Wait (docs/product.md §2): the person, then this channel.
 * One read for both. The lead's own entries and the person's opt-out (an unsubscribe or complaint recorded on
 * any of their contact points, in any campaign) stop the sequence; a channel's entries (a bounced address, a
 * suppressed profile or site) close this channel only, so the next step may still reach the lead.
 */
async function leadOrChannelClosed({
  lead,
  campaign,
  channel,
  store,
  input,
}: StepRun): Promise<ProviderVerdict | undefined> {
  const entries = await store.findSuppressionsByKeys(suppressionKeysToRead(lead, [channel]));
  const stopReason = stopReasonFor(lead, campaign, input.executionName);
  if (stopReason) return { outcome: 'STOP', reason: stopReason, delivered: false };
  const person = personStop(lead, entries);
  if (person) return { outcome: 'STOP', reason: person.reason, detail: describe(person.entry), delivered: false };
  const closedBy = channelClosedBy(lead, channel, entries);
  if (!closedBy) return undefined;
  return { outcome: 'FALLBACK', reason: 'suppressed', detail: describe(closedBy), delivered: false };
}

const describe = (entry: Suppression) => `${entry.key} (${entry.reason})`;

function renderContent(
  { lead, campaign, channel, input }: StepRun,
  config: ChannelConfig,
  variant: ChannelTemplate | undefined,
): { content: RenderedMessage; unsubscribeUrl: string } | Blocked {
  const link = unsubscribeUrl(lead.leadId, campaign.campaignId);
  try {
    // An operator's own message is a template too: same variables, same strictness.
    const template = input.override
      ? {
          body: input.override.body,
          subject: input.override.subject ?? campaign.templates[channel]?.subject ?? DEFAULT_TEMPLATES[channel].subject,
        }
      : stepTemplate(campaign, config, variant);
    const content = renderMessage({ channel, template, context: buildTemplateContext(lead, campaign, link) });
    return { content, unsubscribeUrl: link };
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    return { verdict: { outcome: 'STOP', reason: 'template_error', detail: error.message, delivered: false } };
  }
}

/**
 * What a step renders (PRODUCT.md §6, §9): its A/B variant, else the campaign's template, else the channel config's,
 * else the channel default (`renderMessage`). A variant without a subject keeps the one its template would give.
 */
export function stepTemplate(
  campaign: Campaign,
  config: Pick<ChannelConfig, 'channel' | 'template'>,
  variant?: ChannelTemplate,
): ChannelTemplate | undefined {
  const template = campaign.templates[config.channel] ?? config.template;
  if (!variant) return template;
  const subject = variant.subject ?? template?.subject ?? DEFAULT_TEMPLATES[config.channel].subject;
  return { body: variant.body, ...(subject !== undefined && { subject }), ...(variant.html && { html: variant.html }) };
}

async function reserveSlots(
  run: StepRun,
  config: ChannelConfig,
  plan: SendPlan,
  choice: PoolChoice | undefined,
): Promise<ReserveResult> {
  const { campaignId } = run.campaign;
  // Read only when the campaign has its own limits: the account's channel-wide ones then apply on top (§4).
  const accountWide =
    config.scope === ACCOUNT_SCOPE ? undefined : await run.store.getChannelConfig(ACCOUNT_SCOPE, run.channel);
  return run.store.reserve(
    rulesForSend({
      channel: run.channel,
      leadId: run.lead.leadId,
      ...limitOwners(campaignId, config, accountWide),
      account: await run.store.resolveAccountLimits(),
      maxTouchesPerLead: run.input.maxTotalAttemptsPerLead,
      recipientDomain: plan.recipientDomain,
      rateScope: plan.rateScope,
      spacing: plan.spacing,
      ...(choice && { ownerCounters: choice.counters(plan, nowMs()) }),
    }),
  );
}

/** A full lead-touch counter ends the lead; any other full window waits for it, or falls back if the step says so. */
function rateLimitVerdict(limits: Extract<ReserveResult, { ok: false }>, step: RuntimeStep): ProviderVerdict {
  if (limits.whenFull === 'stop') return { outcome: 'STOP', reason: 'max_attempts_reached', delivered: false };
  return {
    outcome: step.onRateLimit === 'fallback' ? 'FALLBACK' : 'RETRY',
    reason: 'rate_limited',
    retryAfterSeconds: limits.retryAfterSeconds,
    detail: limits.limitedBy,
    delivered: false,
  };
}
