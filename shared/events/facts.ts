import type { ChannelType, Lead, ManualTask, OutreachMessage } from '../domain/schemas';
import type { DomainEventType, DomainFact } from './domain-events';

/**
 * The facts of PRODUCT.md §11 as their writers state them: which key names each fact (so the same fact is one
 * event id wherever and however often it is recorded) and what its `data` carries — ids, channel, step, variant,
 * sender, reasons and times; never an address, a name, a subject, a body or a secret, so an erased person's data
 * cannot appear in an event recorded later.
 */

/** The step index a try's attempt key names (`<execution>#<stepIndex>#<try>`). */
export function stepOfAttemptKey(attemptKey: string | undefined): number | undefined {
  const parts = attemptKey?.split('#') ?? [];
  const step = Number(parts[parts.length - 2]);
  return parts.length >= 3 && Number.isInteger(step) && step >= 0 ? step : undefined;
}

type MessageFacts = Extract<
  DomainEventType,
  'message.sent' | 'message.delivered' | 'message.bounced' | 'message.failed'
>;

/** What every event about a message says of it. */
export function messageData(
  message: Pick<OutreachMessage, 'messageId' | 'channel' | 'attemptKey' | 'stepId' | 'variantId' | 'senderId'>,
  linkedinAccountId?: string,
): Record<string, unknown> {
  return {
    messageId: message.messageId,
    channel: message.channel,
    step: stepOfAttemptKey(message.attemptKey),
    stepId: message.stepId,
    variantId: message.variantId,
    senderId: message.senderId,
    ...(message.channel === 'LINKEDIN' && { linkedinAccountId }),
  };
}

/** A message's own fact (sent, delivered, bounced, failed): one per message. */
export function messageFact(
  type: MessageFacts,
  message: Pick<OutreachMessage, 'messageId' | 'leadId' | 'campaignId' | 'channel' | 'attemptKey'> &
    Partial<Pick<OutreachMessage, 'stepId' | 'variantId' | 'senderId'>>,
  extra: Record<string, unknown> = {},
  linkedinAccountId?: string,
): DomainFact {
  return {
    type,
    factKey: message.messageId,
    campaignId: message.campaignId,
    leadId: message.leadId,
    data: { ...messageData(message, linkedinAccountId), ...extra },
  };
}

/**
 * A reply: one fact per (lead, inbound message), so a redelivered inbound mail or LinkedIn webhook is the same
 * event. `inboundKey` only names the inbound message in the hash (its header id may name the person's domain).
 */
export function replyFact(
  lead: Pick<Lead, 'leadId' | 'campaignId' | 'linkedinAccountId'>,
  channel: ChannelType,
  inboundKey: string,
  answered: OutreachMessage | undefined,
  repliedAt: string,
): DomainFact {
  return {
    type: 'message.replied',
    factKey: `${lead.leadId}\n${inboundKey}`,
    campaignId: lead.campaignId,
    leadId: lead.leadId,
    data: {
      ...(answered ? messageData(answered, lead.linkedinAccountId) : { channel }),
      replyChannel: channel,
      repliedAt,
    },
  };
}

type LeadRunFacts = Extract<DomainEventType, 'lead.stopped' | 'lead.exhausted'>;

/** A lead's run stopped or exhausted: one per (lead, execution), whichever writer saw it first. */
export function leadRunFact(
  type: LeadRunFacts,
  lead: Pick<Lead, 'leadId' | 'campaignId'>,
  executionName: string | undefined,
  data: Record<string, unknown>,
): DomainFact {
  return {
    type,
    factKey: `${lead.leadId}\n${executionName ?? ''}`,
    campaignId: lead.campaignId,
    leadId: lead.leadId,
    data: { executionName, ...data },
  };
}

/** The person behind the lead unsubscribed: once per lead. */
export function unsubscribedFact(lead: Pick<Lead, 'leadId' | 'campaignId'>, source: string): DomainFact {
  return {
    type: 'lead.unsubscribed',
    factKey: lead.leadId,
    campaignId: lead.campaignId,
    leadId: lead.leadId,
    data: { source },
  };
}

/** A complaint about one message: once per (lead, message). */
export function complainedFact(
  message: Pick<OutreachMessage, 'messageId' | 'leadId' | 'campaignId' | 'channel' | 'attemptKey'> &
    Partial<Pick<OutreachMessage, 'stepId' | 'variantId' | 'senderId'>>,
  complainedAt: string,
): DomainFact {
  return {
    type: 'lead.complained',
    factKey: `${message.leadId}\n${message.messageId}`,
    campaignId: message.campaignId,
    leadId: message.leadId,
    data: { ...messageData(message), complainedAt },
  };
}

/** A task's own facts (created, completed): one each per task. */
export function taskFact(
  type: Extract<DomainEventType, 'task.created' | 'task.completed'>,
  task: Pick<ManualTask, 'taskId' | 'leadId' | 'campaignId' | 'kind'> &
    Partial<Pick<ManualTask, 'channel' | 'reason' | 'stepIndex' | 'stepId' | 'dueAt' | 'executionName'>>,
  extra: Record<string, unknown> = {},
): DomainFact {
  return {
    type,
    factKey: task.taskId,
    campaignId: task.campaignId,
    leadId: task.leadId,
    data: {
      taskId: task.taskId,
      kind: task.kind,
      channel: task.channel,
      reason: task.reason,
      step: task.stepIndex,
      stepId: task.stepId,
      dueAt: task.dueAt,
      ...extra,
    },
  };
}

/** How a run of a lead's sequence ended, as the state machine's end states say it. */
export type SequenceEnd = 'SUCCEEDED' | 'CONTACTED' | 'STOPPED' | 'EXHAUSTED' | 'FAILED';

/** A run of the lead's sequence ended: once per execution (a resumed or continued run is a run of its own). */
export function sequenceCompletedFact(
  run: { campaignId: string; leadId: string; executionName: string },
  outcome: SequenceEnd,
  extra: Record<string, unknown> = {},
): DomainFact {
  return {
    type: 'sequence.completed',
    factKey: run.executionName,
    campaignId: run.campaignId,
    leadId: run.leadId,
    data: { executionName: run.executionName, outcome, ...extra },
  };
}
