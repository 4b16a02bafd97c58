import type { ChannelType, Outcome, ReasonCode } from './schemas';

/** What a channel service returns to the state machine (PRODUCT.md §2). */
export interface ChannelResult {
  outcome: Outcome;
  channel: ChannelType;
  reason?: ReasonCode;
  /** Set on SENT: the channel that reached the lead (the execution's output). */
  channelUsed?: ChannelType;
  /** For RETRY: how long the state machine waits before the same step again. */
  retryAfterSeconds?: number;
  /** For RETRY: false when the wait must not use up the step's retries (rate limits). */
  usesRetry?: boolean;
  messageId?: string;
  providerMessageId?: string;
  detail?: string;
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
}
