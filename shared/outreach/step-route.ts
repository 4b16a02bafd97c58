import type { ChannelResult } from '../domain/outcome';
import type { ChannelType, ReasonCode } from '../domain/schemas';
import type { Cursor, RuntimeStep, StepTaskInput } from './task-input';

/**
 * A channel FALLBACK that says the channel cannot reach this lead at all (PRODUCT.md §2): the channel is closed
 * for the rest of the execution, and its later steps are skipped without calling its service.
 */
export const CHANNEL_CLOSING_REASONS: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'missing_address',
  'invalid_address',
  'suppressed',
  'bounce',
  'no_profile',
  'linkedin_blocked',
  'form_unreachable',
  'form_spam_protected',
]);

/** The cursor with nowhere left to go: `stepIndex` -1 (the state machine ends the run). */
export const END = -1;

/** Whether the run goes on after this step sent (or created its waited-for task): onSent or waitFor. */
export const continuesAfterSent = (step: RuntimeStep): boolean =>
  step.onSentIndex !== END || step.waitFor !== undefined;

/**
 * Where the state machine goes after a channel Task: the next cursor, with the routed result in it. The machine
 * only reads it (Route Outcome), so one Task, one Choice and one Wait make a touch (issue 13's cost target).
 */
export interface RoutedCursor extends Cursor {
  result: RoutedResult;
  /** After a waitFor step: where the run goes when nobody answers in time. */
  onTimeout?: RoutedCursor;
  /** After an email that ends the run and is confirmed: where it goes if the mail bounced. */
  ifBounced?: RoutedCursor;
}

export interface RoutedResult extends ChannelResult {
  /** A sent step that waits for a person: the state machine's task-token wait reads these three. */
  waitFor?: { event: string; timeoutSeconds: number };
  stepIndex?: number;
  stepId?: string;
  /** For `retry_exhausted`: the reason of the last try's RETRY. */
  lastReason?: ReasonCode;
}

/** The routed cursor after `result`, the outcome the step's service returned for `input`'s cursor. */
export function routeResult(input: StepTaskInput, result: ChannelResult): RoutedCursor {
  const { cursor } = input;
  const steps = input.steps ?? [cursor.step];
  const closing =
    result.outcome === 'FALLBACK' && result.reason !== undefined && CHANNEL_CLOSING_REASONS.has(result.reason);
  const closed = closing ? withChannel(cursor.closedChannels, result.channel) : cursor.closedChannels;
  const route = new Router(steps, cursor, closed);
  switch (result.outcome) {
    case 'SENT':
      return route.afterSent(result);
    case 'RETRY':
      return route.afterRetry(result);
    case 'FALLBACK':
      // A PHONE step that waits for its task: the task is its touch; the operator's answer (or the timeout) moves on.
      if (result.reason === 'manual_task_created' && cursor.step.waitFor) return route.afterSent(result);
      return route.to(route.firstOpen(cursor.stepIndex + 1), result);
    default:
      return route.to(END, result);
  }
}

const withChannel = (channels: readonly ChannelType[], channel: ChannelType): ChannelType[] =>
  channels.includes(channel) ? [...channels] : [...channels, channel];

class Router {
  constructor(
    private readonly steps: readonly RuntimeStep[],
    private readonly cursor: Cursor,
    private readonly closed: ChannelType[],
  ) {}

  /** The first step at or after `from` whose channel is open (END when none). */
  firstOpen(from: number, closed: readonly ChannelType[] = this.closed): number {
    if (from < 0) return END;
    const index = this.steps.findIndex((step, at) => at >= from && !closed.includes(step.channel));
    return index === -1 ? END : index;
  }

  /** A fresh try of step `index` (its wait is served by Wait Before Next Touch), or the end. */
  to(index: number, result: RoutedResult, closed: ChannelType[] = this.closed): RoutedCursor {
    const step = this.steps[index];
    return {
      stepIndex: step ? index : END,
      retriesUsed: 0,
      tryCount: 1,
      stepWaitDone: true,
      step: step ?? this.cursor.step,
      closedChannels: closed,
      touched: this.touched(result),
      result,
    };
  }

  /**
   * A touch left the lead IN_SEQUENCE in this run and nothing marked it since: the run's end marks it CONTACTED
   * (Mark Lead Contacted). A last touch (the run does not go on after it) marks the lead itself: no extra state.
   */
  private touched(result: ChannelResult): boolean {
    const waitingTask = result.reason === 'manual_task_created' && this.cursor.step.waitFor !== undefined;
    if (result.outcome === 'SENT' || waitingTask) return continuesAfterSent(this.cursor.step);
    return this.cursor.touched;
  }

  afterSent(result: ChannelResult): RoutedCursor {
    const { step } = this.cursor;
    const next = this.firstOpen(step.onSentIndex);
    if (step.waitFor) {
      const { event, timeoutSeconds, onTimeoutIndex } = step.waitFor;
      const reason: ReasonCode = event === 'invite_accepted' ? 'invite_timeout' : 'task_timeout';
      return {
        ...this.to(next, {
          ...result,
          waitFor: { event, timeoutSeconds },
          stepIndex: this.cursor.stepIndex,
          stepId: step.id,
        }),
        // Touched as on the onSent path: the reason changes, the touch (a send, a phone task) happened.
        onTimeout: { ...this.to(this.firstOpen(onTimeoutIndex), { ...result, reason }), touched: this.touched(result) },
      };
    }
    const routed = this.to(next, result);
    if (next !== END || step.confirmDeliverySeconds <= 0 || result.confirmed) return routed;
    // The run ends on this email: it is confirmed first, and a bounce goes on where a FALLBACK would.
    const closed = withChannel(this.closed, 'EMAIL');
    const bounced = { outcome: 'FALLBACK' as const, reason: 'bounce' as const, channel: result.channel };
    const ifBounced = this.to(
      this.firstOpen(this.cursor.stepIndex + 1, closed),
      { ...bounced, ...messageOf(result) },
      closed,
    );
    return { ...routed, ifBounced };
  }

  /** The same step again after the wait, or (retries spent) a FALLBACK `retry_exhausted` to the next step. */
  afterRetry(result: ChannelResult): RoutedCursor {
    const { cursor } = this;
    const usesRetry = result.usesRetry !== false;
    if (usesRetry && cursor.retriesUsed >= cursor.step.maxRetries) {
      const exhausted: RoutedResult = { outcome: 'FALLBACK', reason: 'retry_exhausted', channel: result.channel };
      // What the last try answered (e.g. invite_pending): the audit shows why the retries ran out.
      if (result.reason) exhausted.lastReason = result.reason;
      if (result.detail) exhausted.detail = result.detail;
      return this.to(this.firstOpen(cursor.stepIndex + 1), exhausted);
    }
    return {
      ...cursor,
      retriesUsed: cursor.retriesUsed + (usesRetry ? 1 : 0),
      tryCount: cursor.tryCount + 1,
      stepWaitDone: true,
      retryWaitSeconds: result.retryAfterSeconds ?? 0,
      closedChannels: this.closed,
      touched: cursor.touched,
      result,
    };
  }
}

const messageOf = (result: ChannelResult) => (result.messageId ? { messageId: result.messageId } : {});
