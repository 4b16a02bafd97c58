import { SFNClient, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { simpleParser } from 'mailparser';
import type { ChannelType, LeadStatus, OutreachMessage } from '../domain/schemas';
import { logger } from '../observability';
import { getLead, LeadStatusConflictError, transitionLead } from '../store/leads';
import { findMessageByProviderId, setMessageFieldOnce } from '../store/message-lookup';
import { advanceMessage, getMessage } from '../store/outreach';
import { nowIso } from '../time/clock';
import { bumpCounters, replyBucket } from './metrics-aggregates';

let cachedSfn: SFNClient | undefined;
const sfnClient = () => {
  cachedSfn ??= new SFNClient({});
  return cachedSfn;
};

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
  const stateMachineArn = process.env.CASCADE_STATE_MACHINE_ARN;
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

const AUTO_REPLY_SUBJECT =
  /\b(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|abwesenheit|absence|autosvar|r[ée]ponse automatique)\b/i;

/** RFC 3834 and the common vendor headers, plus the subjects auto-responders use. */
export function isAutoReply(headers: Map<string, unknown>, subject: string | undefined): boolean {
  const autoSubmitted = String(headers.get('auto-submitted') ?? 'no').toLowerCase();
  if (autoSubmitted !== 'no') return true;
  if (headers.has('x-autoreply') || headers.has('x-autorespond') || headers.has('x-auto-response-suppress'))
    return true;
  if (/auto_reply|auto-reply/i.test(String(headers.get('precedence') ?? ''))) return true;
  return AUTO_REPLY_SUBJECT.test(subject ?? '');
}

function addressesOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((entry) =>
    ((entry as { value?: { address?: string }[] }).value ?? []).map((a) => a.address ?? ''),
  );
}

/** The message a reply answers: our per-message reply address, else SES's id in In-Reply-To / References. */
async function matchMessage(recipients: string[], referenced: string[]): Promise<OutreachMessage | undefined> {
  for (const recipient of recipients) {
    const [, leadId, messageId] = recipient.match(/^reply\+([^.@+]+)\.([^.@+]+)@/i) ?? [];
    if (leadId && messageId) {
      const message = await getMessage(leadId, messageId);
      if (message) return message;
    }
  }
  for (const id of referenced) {
    const sesId = id.replace(/^<|>$/g, '').split('@')[0];
    if (!sesId) continue;
    const message = await findMessageByProviderId(sesId);
    if (message) return message;
  }
  return undefined;
}

/** An inbound email (raw RFC 822) matched to the message it answers; auto-replies are noted, not counted. */
export async function handleInboundEmail(raw: string | Buffer): Promise<ReplyResult> {
  const mail = await simpleParser(raw);
  const recipients = [
    ...addressesOf(mail.to),
    ...addressesOf(mail.cc),
    String(mail.headers.get('delivered-to') ?? ''),
  ].filter(Boolean);
  const referenced = [
    mail.inReplyTo ?? '',
    ...(Array.isArray(mail.references) ? mail.references : mail.references ? [mail.references] : []),
  ].filter(Boolean);
  const message = await matchMessage(recipients, referenced);
  if (!message) {
    logger.warn('inbound email matched no message', { subject: mail.subject, inReplyTo: mail.inReplyTo });
    return { matched: false };
  }
  if (isAutoReply(mail.headers, mail.subject)) {
    await setMessageFieldOnce(message.leadId, message.messageId, 'autoRepliedAt', nowIso());
    return { matched: true, leadId: message.leadId, messageId: message.messageId, autoReply: true };
  }
  return recordReply(message.leadId, {
    messageId: message.messageId,
    channel: message.channel,
    at: mail.date?.toISOString(),
  });
}
