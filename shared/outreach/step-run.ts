import { randomUUID } from 'node:crypto';
import type { Campaign, ChannelType, Lead } from '../domain/schemas';
import { LeadNotFoundError } from '../errors';
import { attemptKeyFor, messageIdFor } from '../ids';
import type { StoredAttempt } from '../store/outreach';
import { nowIso } from '../time/clock';
import type { ChannelAdapter } from './channel-adapter';
import type { StepStore } from './step-store';
import type { StepTaskInput } from './task-input';

/** One try of one sequence step for one lead: what it works on and the ids its records carry. */
export interface StepRun {
  input: StepTaskInput;
  adapter: ChannelAdapter;
  store: StepStore;
  channel: ChannelType;
  lead: Lead;
  campaign: Campaign;
  /** The one attempt record of this try (execution, step, try number): a retried invocation finds it. */
  attemptKey: string;
  /** Derived from the attempt key, so every invocation of the try writes the same message. */
  messageId: string;
  createdAt: string;
  /** This invocation: the one that marks the try CALLING owns the provider call. */
  owner: string;
}

/** Names the try and loads its lead and campaign; throws LeadNotFoundError when either is gone. */
export async function openStepRun(input: StepTaskInput, adapter: ChannelAdapter, store: StepStore): Promise<StepRun> {
  const attemptKey = attemptKeyFor(input.executionName, input.cursor.stepIndex, input.cursor.tryCount);
  const messageId = messageIdFor(attemptKey);
  const createdAt = nowIso();
  const owner = randomUUID();
  const [lead, campaign] = await Promise.all([store.getLead(input.leadId), store.getCampaign(input.campaignId)]);
  if (!lead || !campaign) throw new LeadNotFoundError(`lead ${input.leadId} or campaign ${input.campaignId} not found`);
  return { input, adapter, store, channel: adapter.channel, lead, campaign, attemptKey, messageId, createdAt, owner };
}

/** The PENDING attempt a try claims before anything else: PREPARED until right before the provider call. */
export function pendingAttempt(run: StepRun): StoredAttempt {
  const { input, lead, campaign } = run;
  return {
    attemptKey: run.attemptKey,
    leadId: lead.leadId,
    campaignId: campaign.campaignId,
    executionName: input.executionName,
    channel: run.channel,
    stepIndex: input.cursor.stepIndex,
    tryNumber: input.cursor.tryCount,
    state: 'PENDING',
    phase: 'PREPARED',
    owner: run.owner,
    messageId: run.messageId,
    createdAt: run.createdAt,
    updatedAt: run.createdAt,
  };
}
