import type { ProviderVerdict } from '../domain/outcome';
import type { Campaign, ChannelConfig, ChannelType, Lead } from '../domain/schemas';
import type { RenderedMessage } from '../templates/render';
import type { RuntimeStep } from './task-input';

export interface StepContext {
  lead: Lead;
  campaign: Campaign;
  config: ChannelConfig;
  messageId: string;
  attemptKey: string;
  content: RenderedMessage;
  unsubscribeUrl: string;
  /** The step being sent (its id, threadWith, linkedinAction …). */
  step: RuntimeStep;
}

/** What one send will do, decided before any slot is reserved or any provider is called. */
export interface SendPlan {
  recipient: string;
  /** Email only: the per-recipient-domain daily cap applies. */
  recipientDomain?: string;
  /** Rate windows counted per sender account (e.g. `LINKEDIN:acct-1`) rather than per channel. */
  rateScope?: string;
  /** Randomised gap between two actions of the same scope. */
  spacing?: { minSeconds: number; maxSeconds: number };
  /** Adapter-private data carried from prepare to send (e.g. the resolved LinkedIn id). */
  data?: Record<string, unknown>;
}

export type Preparation =
  | { verdict: ProviderVerdict; leadUpdates?: Partial<Lead> }
  | { plan: SendPlan; leadUpdates?: Partial<Lead> };

export interface SendResult {
  verdict: ProviderVerdict;
  /** Lead fields to keep in step with what the provider told us (connection status, form time). */
  leadUpdates?: Partial<Lead>;
  /** The message status to record when not SENT (e.g. SKIPPED for a captcha-protected form). */
  messageStatus?: 'FAILED' | 'SKIPPED';
  /** An operator must act (captcha form, disconnected provider account, phone call). */
  manualTask?: { reason: string; detail?: string };
}

/** A channel's provider-facing half; the step runner does all bookkeeping around it. */
export interface ChannelAdapter {
  channel: ChannelType;
  prepare(context: StepContext): Promise<Preparation>;
  send(plan: SendPlan, context: StepContext): Promise<SendResult>;
}
