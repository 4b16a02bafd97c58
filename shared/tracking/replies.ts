import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../aws/clients';
import { setting } from '../config/settings';
import type { ChannelType, Lead, LeadStatus, OutreachMessage, OutreachStatus } from '../domain/schemas';
import { recordDomainEvent } from '../events/domain-events';
import { leadRunFact, replyFact, sequenceCompletedFact } from '../events/facts';
import { logger } from '../observability';
import { getLead, LeadStatusConflictError, transitionLead } from '../store/leads';
import { advanceMessage, getMessage, listLeadMessages } from '../store/outreach';
import { nowIso } from '../time/clock';
import { stopCompanyColleagues } from './company-reply';
import { bumpCounters, replyBucket } from './metrics-aggregates';
import { bumpVariantCounters } from './variant-metrics';

/** Lead statuses a reply may still move to REPLIED. */
const REPLYABLE: readonly LeadStatus[] = ['NEW', 'IN_SEQUENCE', 'CONTACTED', 'EXHAUSTED', 'PAUSED'];

export interface ReplyResult {
  matched: boolean;
  leadId?: string;
  messageId?: string;
  autoReply?: boolean;
  /** For an auto-reply: out of office (the lead paused) or another kind (only noted). */
  autoReplyKind?: 'out_of_office' | 'other_auto_reply';
  /** An out-of-office reply that paused the lead: when its sequence picks up again. */
  resumeAt?: string;
  stoppedExecution?: string;
  /** Colleagues at the same company this reply stopped (`stopOnCompanyReply`). */
  companyStopped?: string[];
}

/**
 * Records a reply: the message becomes REPLIED, the lead REPLIED, and its running execution is stopped so
 * no further step sends (the re-check before every send would stop it anyway); with the campaign's
 * `stopOnCompanyReply`, its colleagues at the same company are stopped too (company-reply.ts).
 */
export interface ReplyOptions {
  messageId?: string;
  channel: ChannelType;
  at?: string;
  /**
   * Names the inbound message (its Message-ID, the provider's message id, the task it was noted on): a reply is one
   * `message.replied` per (lead, inbound message), so a redelivered one is the same event. Only hashed into the id.
   */
  inboundKey?: string;
}

export async function recordReply(leadId: string, options: ReplyOptions): Promise<ReplyResult> {
  const lead = await getLead(leadId);
  if (!lead) return { matched: false };
  const at = options.at ?? nowIso();
  const message = options.messageId
    ? await getMessage(leadId, options.messageId)
    : await answeredMessage(leadId, options.channel);
  if (message && (await advanceMessage(leadId, message.messageId, 'REPLIED', { repliedAt: at }))) {
    const sentMs = Date.parse(message.sentAt ?? message.createdAt);
    const hours = Math.max(0, (Date.parse(at) - sentMs) / 3_600_000);
    await bumpCounters(message.campaignId, message.channel, message.createdAt.slice(0, 10), {
      replied: 1,
      [replyBucket(hours)]: 1,
    });
    await bumpVariantCounters(message, { replied: 1 });
  }
  let moved = false;
  try {
    await transitionLead(lead, REPLYABLE, 'REPLIED', { stopReason: 'replied' });
    moved = true;
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
  }
  const result: ReplyResult = { matched: true, leadId, ...(message && { messageId: message.messageId }) };
  const stateMachineArn = setting('CASCADE_STATE_MACHINE_ARN');
  if (lead.executionName && stateMachineArn && lead.status === 'IN_SEQUENCE') {
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${lead.executionName}`;
    try {
      await sfnClient().send(
        new StopExecutionCommand({ executionArn, error: 'LeadReplied', cause: `${options.channel} reply` }),
      );
      result.stoppedExecution = lead.executionName;
    } catch (error) {
      logger.warn('could not stop the execution of a lead that replied', { leadId, error: (error as Error).message });
    }
  }
  await recordReplyFacts(lead, message, options, at, moved);
  // After the lead's own stop, every time (a retried reply finishes an interrupted company stop; the rest is no-op).
  const company = await stopCompanyColleagues(lead);
  if (company.stopped.length > 0) result.companyStopped = company.stopped;
  logger.info('reply recorded', { ...result, channel: options.channel });
  return result;
}

/**
 * The reply itself; the lead stopped (moved to REPLIED now, or by this reply's earlier delivery); and the end of the
 * run the reply cut short (one still running or paused; the same id as its end if it had ended already).
 */
async function recordReplyFacts(
  lead: Lead,
  message: OutreachMessage | undefined,
  options: ReplyOptions,
  at: string,
  moved: boolean,
): Promise<void> {
  const inboundKey = options.inboundKey ?? `answered:${message?.messageId ?? 'none'}`;
  await recordDomainEvent(replyFact(lead, options.channel, inboundKey, message, at));
  if (!moved && lead.status !== 'REPLIED') return;
  const { executionName } = lead;
  const data = { reason: 'replied', messageId: message?.messageId, channel: options.channel };
  await recordDomainEvent(leadRunFact('lead.stopped', lead, executionName, data));
  if (executionName && (lead.status === 'IN_SEQUENCE' || lead.status === 'PAUSED' || lead.status === 'REPLIED'))
    await recordDomainEvent(sequenceCompletedFact({ ...runOf(lead), executionName }, 'STOPPED', data));
}

const runOf = (lead: Lead) => ({ leadId: lead.leadId, campaignId: lead.campaignId });

/** Statuses of a message that reached the person and has no reply yet. */
const ANSWERABLE: ReadonlySet<OutreachStatus> = new Set(['SENT', 'DELIVERED']);

/**
 * The message a reply without a message id answers (a LinkedIn message names only its sender): the lead's latest
 * message on the reply's channel that reached them, else its latest on any channel (a LinkedIn answer to an
 * email). Counted there, so replied ≤ sent holds per channel; none when the lead got nothing from us.
 */
async function answeredMessage(leadId: string, channel: ChannelType): Promise<OutreachMessage | undefined> {
  const reached = (await listLeadMessages(leadId)).filter((message) => ANSWERABLE.has(message.status));
  const latest = (messages: OutreachMessage[]) =>
    messages.reduce<OutreachMessage | undefined>(
      (newest, message) => (!newest || sentTime(message) > sentTime(newest) ? message : newest),
      undefined,
    );
  return latest(reached.filter((message) => message.channel === channel)) ?? latest(reached);
}

const sentTime = (message: OutreachMessage) => message.sentAt ?? message.createdAt;
