import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../aws/clients';
import { setting } from '../config/settings';
import type { ChannelType, LeadStatus } from '../domain/schemas';
import { logger } from '../observability';
import { getLead, LeadStatusConflictError, transitionLead } from '../store/leads';
import { advanceMessage, getMessage } from '../store/outreach';
import { nowIso } from '../time/clock';
import { bumpCounters, replyBucket } from './metrics-aggregates';

/** Lead statuses a reply may still move to REPLIED. */
const REPLYABLE: readonly LeadStatus[] = ['NEW', 'IN_SEQUENCE', 'CONTACTED', 'EXHAUSTED', 'PAUSED'];

export interface ReplyResult {
  matched: boolean;
  leadId?: string;
  messageId?: string;
  autoReply?: boolean;
  stoppedExecution?: string;
}

/**
 * Records a reply: the message becomes REPLIED, the lead REPLIED, and its running execution is stopped so
 * no further step sends (the re-check before every send would stop it anyway).
 */
export async function recordReply(
  leadId: string,
  options: { messageId?: string; channel: ChannelType; at?: string },
): Promise<ReplyResult> {
  const lead = await getLead(leadId);
  if (!lead) return { matched: false };
  const at = options.at ?? nowIso();
  if (options.messageId) {
    const message = await getMessage(leadId, options.messageId);
    if (message && (await advanceMessage(leadId, options.messageId, 'REPLIED', { repliedAt: at }))) {
      const sentMs = Date.parse(message.sentAt ?? message.createdAt);
      const hours = Math.max(0, (Date.parse(at) - sentMs) / 3_600_000);
      await bumpCounters(message.campaignId, message.channel, message.createdAt.slice(0, 10), {
        replied: 1,
        [replyBucket(hours)]: 1,
      });
    }
  }
  try {
    await transitionLead(lead, REPLYABLE, 'REPLIED', { stopReason: 'replied' });
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
  }
  const result: ReplyResult = { matched: true, leadId, ...(options.messageId && { messageId: options.messageId }) };
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
  logger.info('reply recorded', { ...result, channel: options.channel });
  return result;
}
