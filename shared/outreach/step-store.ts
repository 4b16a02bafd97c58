import type {
  Campaign,
  ChannelConfig,
  ChannelType,
  Lead,
  LeadStatus,
  ManualTask,
  OutreachMessage,
  OutreachStatus,
  Suppression,
} from '../domain/schemas';
import { type DomainFact, recordDomainEvent } from '../events/domain-events';
import { type LimitRule, type Reservation, type ReserveResult, release, reserve } from '../rate-limit/limiter';
import { ifConditionHolds } from '../store/client';
import { type AccountLimits, getChannelConfig, resolveAccountLimits, resolveChannelConfig } from '../store/config';
import { getCampaign, getLead, putManualTask, transitionLead, updateLeadFields } from '../store/leads';
import { indexLinkedInProfile } from '../store/linkedin-index';
import { setMessageProviderFields } from '../store/message-lookup';
import {
  type AttemptCompletion,
  advanceMessage,
  claimAttempt,
  completeAttempt,
  getMessage,
  markAttemptCalling,
  putMessage,
  recordReservation,
  type StoredAttempt,
} from '../store/outreach';
import { findSuppressionsByKeys } from '../store/suppression-checks';
import { bumpCounters, type Counter } from '../tracking/metrics-aggregates';
import { settleParkedBySend } from './release';

/**
 * Everything the step runner reads and writes, and nothing more: the port through which it keeps the
 * at-most-once protocol (docs/product.md §3). Production passes `dynamoStepStore`; unit tests pass an
 * in-memory one, so the protocol is tested in milliseconds as well as against dynalite.
 */
export interface StepStore {
  getLead(leadId: string): Promise<Lead | undefined>;
  getCampaign(campaignId: string): Promise<Campaign | undefined>;
  findSuppressionsByKeys(keys: readonly string[]): Promise<Suppression[]>;
  resolveChannelConfig(campaignId: string, channel: ChannelType): Promise<ChannelConfig>;
  /** Exactly the config stored for one scope (the account's channel-wide limits), without defaults. */
  getChannelConfig(scope: string, channel: ChannelType): Promise<ChannelConfig | undefined>;
  resolveAccountLimits(): Promise<AccountLimits>;

  // The try's own record: claimed PENDING/PREPARED, CALLING right before the provider call, then DONE.
  /** Conditional put: undefined when this call claimed the try, else the attempt already there. */
  claimAttempt(attempt: StoredAttempt): Promise<StoredAttempt | undefined>;
  recordReservation(leadId: string, attemptKey: string, reservation: Reservation): Promise<void>;
  /** PREPARED → CALLING; false when another invocation of the same try got there first. */
  markAttemptCalling(leadId: string, attemptKey: string, owner: string): Promise<boolean>;
  /** PENDING → DONE with the result a retried invocation replays; fails if the try is already DONE. */
  completeAttempt(leadId: string, attemptKey: string, fields: AttemptCompletion): Promise<void>;

  /** Takes a slot in every rule, or none (see the limiter). */
  reserve(rules: LimitRule[]): Promise<ReserveResult>;
  release(reservation: Reservation): Promise<void>;

  /** Writes the message unless a crashed earlier invocation of this try already did. */
  putMessageOnce(message: OutreachMessage): Promise<void>;
  /** The try's message as provider events left it: the evidence that settles an ambiguous try. */
  getMessage(leadId: string, messageId: string): Promise<OutreachMessage | undefined>;
  /** Forward-only status change; false when the message is already at or past `status`. */
  advanceMessage(
    leadId: string,
    messageId: string,
    status: OutreachStatus,
    fields: Partial<OutreachMessage>,
  ): Promise<boolean>;
  setMessageProviderFields(
    leadId: string,
    messageId: string,
    providerMessageId: string,
    sentAt: string,
    authoritative: boolean,
  ): Promise<void>;

  /** Conditional on the lead's status being one of `from`; throws LeadStatusConflictError otherwise. */
  transitionLead(
    lead: Pick<Lead, 'leadId' | 'campaignId'>,
    from: readonly LeadStatus[],
    to: LeadStatus,
    fields?: Partial<Lead>,
  ): Promise<void>;
  updateLeadFields(leadId: string, fields: Partial<Omit<Lead, 'status' | 'leadId'>>): Promise<void>;
  indexLinkedInProfile(providerId: string, leadId: string, campaignId: string): Promise<void>;
  putManualTask(task: ManualTask): Promise<void>;
  bumpCounters(
    campaignId: string,
    channel: ChannelType,
    day: string,
    counters: Partial<Record<Counter, number>>,
  ): Promise<void>;
  /** Settles a parked `ambiguous_send` as sent, once (false when there is none for this message). */
  settleParkedBySend(leadId: string, messageId: string, source: string): Promise<boolean>;
  /** Records (once) and publishes a fact of PRODUCT.md §11; a store without it records no events. */
  recordEvent?(fact: DomainFact): Promise<void>;
}

async function recordEvent(fact: DomainFact): Promise<void> {
  await recordDomainEvent(fact);
}

async function putMessageOnce(message: OutreachMessage): Promise<void> {
  // Refused (the message is there) only when a crashed earlier invocation of this try wrote it.
  await ifConditionHolds(() => putMessage(message));
}

/** The step store of the deployed functions and the embedded stack: the DynamoDB tables. */
export const dynamoStepStore: StepStore = {
  getLead,
  getCampaign,
  findSuppressionsByKeys,
  resolveChannelConfig,
  getChannelConfig,
  resolveAccountLimits,
  claimAttempt,
  recordReservation,
  markAttemptCalling,
  completeAttempt,
  reserve: (rules) => reserve(rules),
  release,
  putMessageOnce,
  getMessage: (leadId, messageId) => getMessage(leadId, messageId, true),
  advanceMessage,
  setMessageProviderFields,
  transitionLead,
  updateLeadFields,
  indexLinkedInProfile,
  putManualTask,
  bumpCounters,
  settleParkedBySend,
  recordEvent,
};
