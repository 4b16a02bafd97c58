import type { ChannelType, Outcome, ReasonCode } from './schemas';

/** What a channel service returns to the state machine (docs/product.md §2). */
export interface ChannelResult {
  outcome: Outcome;
  channel: ChannelType;
  reason?: ReasonCode;
  /** Set on SENT: the channel that reached the lead (the execution's output). */
  channelUsed?: ChannelType;
  /** For RETRY: how long the state machine waits before the same step again. */
  retryAfterSeconds?: number;
  /** For RETRY: when the wait ends (ISO), so the audit shows the target time, not only a number of seconds. */
  retryAt?: string;
  /** For a RETRY that waits for a window: the random part of `retryAfterSeconds` (so refused leads spread out). */
  jitterSeconds?: number;
  /** For RETRY: false when the wait must not use up the step's retries (rate limits). */
  usesRetry?: boolean;
  messageId?: string;
  providerMessageId?: string;
  detail?: string;
  /** Set by the delivery check: this result already reflects bounces and complaints. */
  confirmed?: boolean;
}

/** A provider adapter's verdict before the service adds bookkeeping (attempt, message, counters). */
export interface ProviderVerdict {
  outcome: Outcome;
  reason?: ReasonCode;
  providerMessageId?: string;
  /** Provider-advised wait (e.g. Retry-After), seconds. */
  retryAfterSeconds?: number;
  detail?: string;
  /** True when the provider accepted or may have accepted the message; a reserved rate slot is then kept. */
  delivered: boolean;
  /**
   * For RETRY: false when the wait is not this lead's doing (account paused, quota, disconnected provider
   * account), so it must not use up the step's retries and silently fall every lead back.
   */
  usesRetry?: boolean;
  /** Something only an operator can fix: logged as an error and counted as an OperatorAlert metric. */
  operatorAlert?: string;
}
