import * as z from 'zod';
import { ChannelType, type RetryPolicy, type SequenceConfig } from '../domain/schemas';
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
  /** Set by the state machine before Wait Before Retry: the backoff, or the rate-limit wait plus jitter. */
  retryWaitSeconds: z.number().nonnegative().optional(),
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
export function toRuntimeSteps(sequence: SequenceConfig, policies: RetryPolicies = {}): RuntimeStep[] {
  return sequence.steps.map((step) => {
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
        }
      : { stepIndex: 0, retriesUsed: 0, tryCount: 1, stepWaitDone: false, step: first },
    override,
  };
}
