import * as z from 'zod';
import {
  ChannelType,
  type RetryPolicy,
  type SequenceConfig,
  type SequenceStep,
  type StepTarget,
  stepIdOf,
} from '../domain/schemas';
import type { RetryPolicies } from './sequence-run';

/** One sequence step as the state machine carries it: hours already turned into Wait seconds. */
export const RuntimeStep = z.object({
  channel: ChannelType,
  waitSeconds: z.number().int().nonnegative(),
  maxRetries: z.number().int().nonnegative(),
  retryBackoffSeconds: z.array(z.number().int().positive()).min(1),
  onRateLimit: z.enum(['wait', 'fallback']),
  /** Seconds between an accepted email and the delivery check (0 for other channels). */
  confirmDeliverySeconds: z.number().int().nonnegative().default(0),
  /** The step's id (its own, else `step-<n>`). */
  id: z.string().default(''),
  /** The index a sent step continues at (`onSent`), -1 when the sequence ends there. */
  onSentIndex: z.number().int().min(-1).default(-1),
  /** EMAIL: the id of the step whose thread this mail answers. */
  threadWith: z.string().optional(),
  linkedinAction: z.enum(['auto', 'invite', 'message']).default('auto'),
  /** After a sent step: wait for a person (a task token), up to timeoutSeconds, then go on at onTimeoutIndex. */
  waitFor: z
    .object({
      event: z.enum(['invite_accepted', 'task_completed']),
      timeoutSeconds: z.number().int().positive(),
      onTimeoutIndex: z.number().int().min(-1),
    })
    .optional(),
});
export type RuntimeStep = z.infer<typeof RuntimeStep>;

export const Cursor = z.object({
  stepIndex: z.number().int().nonnegative(),
  /** Backoff retries used on this step (rate-limit waits do not count). */
  retriesUsed: z.number().int().nonnegative(),
  /** Every try of this step, including rate-limit waits: part of the attempt key. */
  tryCount: z.number().int().positive(),
  stepWaitDone: z.boolean(),
  step: RuntimeStep,
  /** Before Wait Before Retry: the backoff, or the rate-limit wait plus jitter. */
  retryWaitSeconds: z.number().nonnegative().optional(),
  /** Channels a channel-level FALLBACK closed in this execution: their later steps are skipped. */
  closedChannels: z.array(ChannelType).default([]),
  /** A sent touch the run went on from left the lead IN_SEQUENCE: the run's end marks it CONTACTED. */
  touched: z.boolean().default(false),
});
export type Cursor = z.infer<typeof Cursor>;

/** An operator's own message for this run (a Liquid template like any other), instead of the channel template. */
export const ContentOverride = z.object({ body: z.string().min(1), subject: z.string().optional() });
export type ContentOverride = z.infer<typeof ContentOverride>;

/** What every channel Task receives (the state machine's Parameters). */
export const StepTaskInput = z.object({
  campaignId: z.string().min(1),
  leadId: z.string().min(1),
  executionName: z.string().min(1),
  maxTotalAttemptsPerLead: z.number().int().positive(),
  cursor: Cursor,
  override: ContentOverride.nullish(),
  /** The execution's steps: the service picks the next one (onSent, closed channels) so the machine need not. */
  steps: z.array(RuntimeStep).optional(),
});
export type StepTaskInput = z.infer<typeof StepTaskInput>;

/** The execution input the launcher builds; the state machine reads it with JSONPath. */
export interface ExecutionInput {
  campaignId: string;
  leadId: string;
  sequence: {
    version: number;
    stepCount: number;
    lastStepIndex: number;
    steps: RuntimeStep[];
    maxTotalAttemptsPerLead: number;
  };
  cursor: Cursor;
  /** Operator-initiated outreach: the message to send instead of the channel template (null for batches). */
  override: ContentOverride | null;
}

const HOUR = 3600;
/** Bounces and complaints usually arrive within minutes of acceptance. */
export const DEFAULT_CONFIRM_DELIVERY_MINUTES = 30;

/** docs/product.md §4: used when neither the step nor the channel's config sets a retry policy. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 2, retryBackoffHours: [24, 48] };

/** A step's own retry fields win; else its channel's configured policy; else the default. */
/** A step target as an index: `end` → -1, `next` → the following step (-1 after the last), an id → its step. */
export function targetIndex(steps: readonly SequenceStep[], from: number, target: StepTarget): number {
  if (target === 'end') return -1;
  if (target === 'next') return from + 1 < steps.length ? from + 1 : -1;
  return steps.findIndex((step, index) => stepIdOf(step, index) === target);
}

export function toRuntimeSteps(sequence: SequenceConfig, policies: RetryPolicies = {}): RuntimeStep[] {
  return sequence.steps.map((step, index) => {
    const policy = policies[step.channel] ?? DEFAULT_RETRY_POLICY;
    const maxRetries = step.maxRetries ?? policy.maxRetries;
    const backoffHours = step.retryBackoffHours ?? policy.retryBackoffHours;
    // One backoff per retry: a shorter list repeats its last entry (24 h, 48 h, 48 h …).
    const backoff = Array.from({ length: Math.max(1, maxRetries) }, (_, index) => {
      const hours = backoffHours[Math.min(index, backoffHours.length - 1)] ?? 24;
      return Math.round(hours * HOUR);
    });
    return {
      channel: step.channel,
      waitSeconds: Math.round(step.waitHoursBefore * HOUR),
      maxRetries,
      retryBackoffSeconds: backoff,
      onRateLimit: step.onRateLimit,
      confirmDeliverySeconds:
        step.channel === 'EMAIL'
          ? Math.round((step.confirmDeliveryMinutes ?? DEFAULT_CONFIRM_DELIVERY_MINUTES) * 60)
          : 0,
      id: stepIdOf(step, index),
      onSentIndex: targetIndex(sequence.steps, index, step.onSent),
      ...(step.threadWith !== undefined && { threadWith: step.threadWith }),
      linkedinAction: step.linkedinAction,
      ...(step.waitFor && {
        waitFor: {
          event: step.waitFor.event,
          timeoutSeconds: Math.max(1, Math.round(step.waitFor.timeoutHours * HOUR)),
          onTimeoutIndex: targetIndex(sequence.steps, index, step.waitFor.onTimeout),
        },
      }),
    };
  });
}

export function buildExecutionInput(
  campaignId: string,
  leadId: string,
  sequence: SequenceConfig,
  override: ContentOverride | null = null,
  resumeFrom?: { stepIndex: number; tryCount: number },
  retryPolicies: RetryPolicies = {},
): ExecutionInput {
  const steps = toRuntimeSteps(sequence, retryPolicies);
  const first = steps[resumeFrom?.stepIndex ?? 0];
  if (!first) throw new Error(`the sequence has no step ${resumeFrom?.stepIndex ?? 0}`);
  return {
    campaignId,
    leadId,
    sequence: {
      version: sequence.version,
      stepCount: steps.length,
      lastStepIndex: steps.length - 1,
      steps,
      maxTotalAttemptsPerLead: sequence.maxTotalAttemptsPerLead,
    },
    // A resumed sequence starts at the step it had not sent yet; the wait before that step was already served.
    cursor: resumeFrom
      ? {
          stepIndex: resumeFrom.stepIndex,
          retriesUsed: 0,
          tryCount: resumeFrom.tryCount,
          stepWaitDone: true,
          step: first,
          closedChannels: [],
          touched: false,
        }
      : {
          stepIndex: 0,
          retriesUsed: 0,
          tryCount: 1,
          stepWaitDone: false,
          step: first,
          closedChannels: [],
          touched: false,
        },
    override,
  };
}
