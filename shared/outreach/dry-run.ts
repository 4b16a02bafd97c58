import { replySubject } from '../channels/email/thread';
import {
  type Campaign,
  type ChannelConfig,
  type ChannelTemplate,
  type ChannelType,
  type Lead,
  type SequenceStep,
  stepIdOf,
} from '../domain/schemas';
import { resolveChannelConfig } from '../store/config';
import { buildTemplateContext, type RenderedMessage, renderMessage, TemplateError } from '../templates/render';
import { assignVariant, personKeyOf } from '../variants/assign';
import { hasContactPoint } from './reachability';
import { stepTemplate } from './step-checks';
import { callInstructions } from './task-instructions';
import { unsubscribeUrl } from './unsubscribe';

/**
 * The batch dry run (PRODUCT.md §6, §9): every step of the sequence rendered for each lead exactly as a send would
 * render it — the same template resolution (`stepTemplate`: A/B variant → campaign template → channel config
 * template → channel default), the same A/B assignment, the same renderer — and nothing sent.
 */

/**
 * Why a step would fall back for this lead, as the send finds out. A suppressed or disabled channel is found before
 * the send renders, so nothing is rendered for it; a missing contact point only after (the adapter looks for the
 * address), so that step is rendered still: its template error would stop the lead's sequence there.
 */
export type DryRunSkip = 'suppressed' | 'channel_disabled' | 'no_contact_point';

/** One A/B variant of a step as this lead would read it. */
export interface DryRunVariant {
  variantId: string;
  /** The lead's own variant: the one a send renders for them. */
  chosen: boolean;
  subject?: string;
  text?: string;
}

/** One step of the sequence for one lead. */
export interface DryRunStep {
  stepId: string;
  channel: ChannelType;
  skipped?: DryRunSkip;
  /** The lead's own variant, when the step has variants. */
  variantId?: string;
  /** What the lead would get (their variant's words when the step has variants); PHONE: the call task's text. */
  subject?: string;
  text?: string;
  /** Every variant of the step rendered for this lead, so an operator sees all of them. */
  variants?: DryRunVariant[];
}

/** A step (or one of its variants) that cannot be rendered for this lead: a send would stop on `template_error`. */
export interface DryRunError {
  stepId: string;
  channel: ChannelType;
  variantId?: string;
  code: 'template_error';
  message: string;
}

export interface DryRunEntry {
  leadId: string;
  /** The first step's channel that can reach the lead; null when none can. */
  firstChannel: ChannelType | null;
  /** The first reachable step as the lead would get it (kept from the first-step-only dry run). */
  subject?: string;
  text?: string;
  /** Why the first reachable step shows nothing: no channel reaches the lead, or its template fails. */
  problem?: string;
  steps: DryRunStep[];
  errors: DryRunError[];
}

/**
 * The channel configs of one batch, each read once (on first use) and shared by every lead: a dry run of a
 * thousand leads reads the config table once per channel, not once per step of every lead.
 */
export class ChannelConfigCache {
  private readonly configs = new Map<ChannelType, Promise<ChannelConfig>>();
  constructor(private readonly campaignId: string) {}

  get(channel: ChannelType): Promise<ChannelConfig> {
    let config = this.configs.get(channel);
    if (!config) {
      config = resolveChannelConfig(this.campaignId, channel);
      this.configs.set(channel, config);
    }
    return config;
  }
}

/** What one lead shares across its steps. */
interface LeadRender {
  lead: Lead;
  campaign: Campaign;
  context: ReturnType<typeof buildTemplateContext>;
  errors: DryRunError[];
  /** The subject each rendered EMAIL step goes out with, by step id: a `threadWith` step answers it. */
  subjects: Map<string, string>;
}

/** Every step of the campaign's sequence for one lead whose person may be enrolled; `closed`: suppressed channels. */
export async function previewLead(
  lead: Lead,
  campaign: Campaign,
  closed: ReadonlySet<ChannelType>,
  configs: ChannelConfigCache,
): Promise<DryRunEntry> {
  const render: LeadRender = {
    lead,
    campaign,
    context: buildTemplateContext(lead, campaign, unsubscribeUrl(lead.leadId, campaign.campaignId)),
    errors: [],
    subjects: new Map(),
  };
  const steps: DryRunStep[] = [];
  for (const [index, step] of campaign.sequence.steps.entries()) {
    const config = await configs.get(step.channel);
    const stepId = stepIdOf(step, index);
    const closedBy = closedReason(step.channel, closed, config);
    if (closedBy) {
      steps.push({ stepId, channel: step.channel, skipped: closedBy });
      continue;
    }
    const reachable = hasContactPoint(lead, step.channel);
    steps.push({
      ...previewStep(render, step, stepId, config, reachable),
      ...(!reachable && { skipped: 'no_contact_point' as const }),
    });
  }
  return { leadId: lead.leadId, ...firstStepSummary(steps, render.errors), steps, errors: render.errors };
}

/** The checks a send makes before it renders, in its order: the suppression list, then the channel config. */
function closedReason(
  channel: ChannelType,
  closed: ReadonlySet<ChannelType>,
  config: ChannelConfig,
): DryRunSkip | undefined {
  if (closed.has(channel)) return 'suppressed';
  if (!config.enabled) return 'channel_disabled';
  return undefined;
}

/** One step the send would render: its template, or each of its variants with the lead's own marked. */
function previewStep(
  render: LeadRender,
  step: SequenceStep,
  stepId: string,
  config: ChannelConfig,
  reachable: boolean,
): DryRunStep {
  const where = { stepId, channel: step.channel };
  if (!step.variants)
    return { ...where, ...renderFor(render, step, where, stepTemplate(render.campaign, config), reachable) };
  const chosenId = assignVariant(step.variants, {
    person: personKeyOf(render.lead),
    campaignId: render.campaign.campaignId,
    stepId,
  });
  const variants = step.variants.map((variant): DryRunVariant => {
    const chosen = variant.id === chosenId;
    const template = stepTemplate(render.campaign, config, variant);
    const words = renderFor(render, step, { ...where, variantId: variant.id }, template, reachable && chosen);
    return { variantId: variant.id, chosen, ...words };
  });
  const { variantId: _id, chosen: _chosen, ...own } = variants.find((variant) => variant.chosen) ?? {};
  return { ...where, variantId: chosenId, ...own, variants };
}

/**
 * The words of one template for the lead, as the send gives them: rendered by `renderMessage`, a threaded email
 * under `Re: <its thread's subject>`, a PHONE step as its call task. A template error is noted on the lead.
 */
function renderFor(
  render: LeadRender,
  step: SequenceStep,
  where: Omit<DryRunError, 'code' | 'message'>,
  template: ChannelTemplate | undefined,
  /** Whether this lead would get these words: a later threaded step answers them. */
  sent: boolean,
): Pick<DryRunStep, 'subject' | 'text'> {
  let content: RenderedMessage;
  try {
    content = renderMessage({ channel: step.channel, template, context: render.context });
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    render.errors.push({ ...where, code: 'template_error', message: error.message });
    return {};
  }
  if (step.channel === 'PHONE') return { text: callInstructions(render.lead, content.text) };
  // The send answers the thread's mail when that step sent one: same subject, `Re:` once.
  const thread = step.threadWith && render.subjects.get(step.threadWith);
  const subject = thread ? replySubject(thread) : content.subject;
  if (sent && step.channel === 'EMAIL' && subject) render.subjects.set(where.stepId, subject);
  return { ...(subject !== undefined && { subject }), text: content.text };
}

/** The fields the first-step-only dry run gave, from the first step that reaches the lead. */
function firstStepSummary(
  steps: DryRunStep[],
  errors: DryRunError[],
): Omit<DryRunEntry, 'leadId' | 'steps' | 'errors'> {
  const first = steps.find((step) => !step.skipped);
  if (!first) return { firstChannel: null, problem: 'no channel can reach this lead' };
  const failed = errors.find((error) => error.stepId === first.stepId && error.variantId === first.variantId);
  return {
    firstChannel: first.channel,
    ...(first.subject !== undefined && { subject: first.subject }),
    ...(first.text !== undefined && { text: first.text }),
    ...(failed && { problem: failed.message }),
  };
}
