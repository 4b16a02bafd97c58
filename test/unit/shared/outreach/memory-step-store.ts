import type {
  Campaign,
  ChannelConfig,
  Lead,
  ManualTask,
  OutreachMessage,
  OutreachStatus,
  Suppression,
} from '#shared/domain/schemas';
import type { StepStore } from '#shared/outreach/step-store';
import { buildExecutionInput, type StepTaskInput } from '#shared/outreach/task-input';
import type { Reservation, ReserveResult } from '#shared/rate-limit/limiter';
import { DEFAULT_ACCOUNT_LIMITS, defaultChannelConfig } from '#shared/store/config';
import { LeadStatusConflictError } from '#shared/store/leads';
import type { StoredAttempt } from '#shared/store/outreach';
import type { Counter } from '#shared/tracking/metrics-aggregates';

/** What DynamoDB answers when a write's condition does not hold. */
function conditionFailed(what: string): Error {
  return Object.assign(new Error(`condition failed: ${what}`), { name: 'ConditionalCheckFailedException' });
}

/** Statuses a message may move to from each status (forward only, as the Outreach table keeps them). */
const FORWARD: Partial<Record<OutreachStatus, OutreachStatus[]>> = {
  PENDING: ['SENT', 'SKIPPED', 'FAILED', 'DELIVERED', 'BOUNCED', 'REPLIED'],
  SENT: ['FAILED', 'DELIVERED', 'BOUNCED', 'REPLIED'],
};

/**
 * The step runner's store in memory, with the same conditions as the DynamoDB one on the writes that keep the
 * at-most-once protocol (claim, CALLING, DONE, lead status). Tests read its maps to see what was recorded.
 */
export class MemoryStepStore implements StepStore {
  readonly leads = new Map<string, Lead>();
  readonly campaigns = new Map<string, Campaign>();
  readonly attempts = new Map<string, StoredAttempt>();
  readonly messages = new Map<string, OutreachMessage>();
  readonly suppressions: Suppression[] = [];
  readonly configs = new Map<string, ChannelConfig>();
  readonly tasks: ManualTask[] = [];
  readonly counters: Partial<Record<Counter, number>>[] = [];
  readonly reservations: Reservation[] = [];
  readonly released: Reservation[] = [];
  /** When set, every reservation is refused with this answer (a full window). */
  refuseWith?: Extract<ReserveResult, { ok: false }>;
  /** When set, the next message write throws it (a crash between the reservation and the provider call). */
  failNextMessageWrite?: Error;

  async getLead(leadId: string) {
    const lead = this.leads.get(leadId);
    return lead && { ...lead };
  }

  async getCampaign(campaignId: string) {
    return this.campaigns.get(campaignId);
  }

  async findSuppressionsByKeys(keys: readonly string[]) {
    return this.suppressions.filter((entry) => keys.includes(entry.key));
  }

  async resolveChannelConfig(campaignId: string, channel: ChannelConfig['channel']) {
    return this.configs.get(`${campaignId}#${channel}`) ?? defaultChannelConfig(channel);
  }

  async getChannelConfig(scope: string, channel: ChannelConfig['channel']) {
    return this.configs.get(`${scope}#${channel}`);
  }

  async resolveAccountLimits() {
    return DEFAULT_ACCOUNT_LIMITS;
  }

  async claimAttempt(attempt: StoredAttempt) {
    const existing = this.attempts.get(attempt.attemptKey);
    if (existing) return structuredClone(existing);
    this.attempts.set(attempt.attemptKey, structuredClone(attempt));
    return undefined;
  }

  async recordReservation(_leadId: string, attemptKey: string, reservation: Reservation) {
    const attempt = this.attempts.get(attemptKey);
    if (attempt?.phase !== 'PREPARED') throw conditionFailed(`${attemptKey} is not PREPARED`);
    attempt.reservation = reservation;
  }

  async markAttemptCalling(_leadId: string, attemptKey: string, owner: string) {
    const attempt = this.attempts.get(attemptKey);
    if (attempt?.phase !== 'PREPARED') return false;
    Object.assign(attempt, { phase: 'CALLING', owner });
    return true;
  }

  async completeAttempt(_leadId: string, attemptKey: string, fields: Parameters<StepStore['completeAttempt']>[2]) {
    const attempt = this.attempts.get(attemptKey);
    if (attempt?.state !== 'PENDING') throw conditionFailed(`${attemptKey} is not PENDING`);
    Object.assign(attempt, structuredClone(fields), { state: 'DONE', phase: 'DONE' });
  }

  async reserve(rules: Parameters<StepStore['reserve']>[0]): Promise<ReserveResult> {
    if (this.refuseWith) return this.refuseWith;
    const reservation = { rules, reservedAtMs: Date.now() };
    this.reservations.push(reservation);
    return { ok: true, reservation };
  }

  async release(reservation: Reservation) {
    this.released.push(reservation);
  }

  async putMessageOnce(message: OutreachMessage) {
    const failure = this.failNextMessageWrite;
    this.failNextMessageWrite = undefined;
    if (failure) throw failure;
    if (!this.messages.has(message.messageId)) this.messages.set(message.messageId, { ...message });
  }

  async getMessage(_leadId: string, messageId: string) {
    const message = this.messages.get(messageId);
    return message && { ...message };
  }

  async advanceMessage(_leadId: string, messageId: string, status: OutreachStatus, fields: Partial<OutreachMessage>) {
    const message = this.messages.get(messageId);
    if (!message || !FORWARD[message.status]?.includes(status)) return false;
    Object.assign(message, fields, { status });
    return true;
  }

  async setMessageProviderFields(_leadId: string, messageId: string, providerMessageId: string, sentAt: string) {
    const message = this.messages.get(messageId);
    if (message) Object.assign(message, { providerMessageId: message.providerMessageId ?? providerMessageId, sentAt });
  }

  async transitionLead(
    lead: Pick<Lead, 'leadId'>,
    from: readonly Lead['status'][],
    to: Lead['status'],
    fields: Partial<Lead> = {},
  ) {
    const stored = this.leads.get(lead.leadId);
    if (!stored || !from.includes(stored.status)) throw new LeadStatusConflictError(`lead ${lead.leadId} moved on`);
    Object.assign(stored, fields, { status: to });
  }

  async updateLeadFields(leadId: string, fields: Partial<Lead>) {
    Object.assign(this.leads.get(leadId) ?? {}, fields);
  }

  async indexLinkedInProfile() {}

  async putManualTask(task: ManualTask) {
    this.tasks.push(task);
  }

  async bumpCounters(_campaignId: string, _channel: string, _day: string, counters: Partial<Record<Counter, number>>) {
    this.counters.push(counters);
  }

  /** As release.ts does it: the ambiguous try of this message settled once; a lead parked on it a sent touch. */
  async settleParkedBySend(leadId: string, messageId: string, source: string) {
    const lead = this.leads.get(leadId);
    const attempt = [...this.attempts.values()].find(
      (each) => each.messageId === messageId && each.reason === 'ambiguous_send' && each.settledAs === undefined,
    );
    if (!attempt) return false;
    Object.assign(attempt, { settledAs: 'sent', settledBy: source });
    if (lead?.status === 'PAUSED')
      Object.assign(lead, { status: 'CONTACTED', stopReason: undefined, resumeFrom: undefined });
    return true;
  }
}

/** The task input of a campaign's first step, first try, for one lead. */
export function firstStepInput(campaign: Campaign, leadId: string, executionName: string): StepTaskInput {
  const step = buildExecutionInput(campaign.campaignId, leadId, campaign.sequence).sequence.steps[0];
  if (!step) throw new Error('the default sequence starts with a step');
  return {
    campaignId: campaign.campaignId,
    leadId,
    executionName,
    maxTotalAttemptsPerLead: 10,
    cursor: { stepIndex: 0, retriesUsed: 0, tryCount: 1, stepWaitDone: true, step, closedChannels: [], touched: false },
  };
}
