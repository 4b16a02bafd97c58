import PostalMime, { type Address } from 'postal-mime';
import type { OutreachMessage } from '../domain/schemas';
import { logger } from '../observability';
import { findMessageByProviderId, setMessageFieldOnce } from '../store/message-lookup';
import { getMessage } from '../store/outreach';
import { nowIso } from '../time/clock';
import { type ReplyResult, recordReply } from './replies';

/**
 * Inbound email (SES receipt rule → S3 → `functions/inbound-email`): the raw RFC 822 mail is parsed with
 * postal-mime (dependency-free, ~80 KB bundled, where mailparser's charset tables weighed 1.2 MB) and matched
 * to the message it answers.
 */

const AUTO_REPLY_SUBJECT =
  /\b(out of (the )?office|automatic reply|auto(matic)?[- ]?reply|abwesenheit|absence|autosvar|r[ée]ponse automatique)\b/i;

/** RFC 3834 and the common vendor headers, plus the subjects auto-responders use. Header names lower-case. */
export function isAutoReply(headers: ReadonlyMap<string, string>, subject: string | undefined): boolean {
  const autoSubmitted = (headers.get('auto-submitted') ?? 'no').trim().toLowerCase();
  if (autoSubmitted !== 'no') return true;
  if (headers.has('x-autoreply') || headers.has('x-autorespond') || headers.has('x-auto-response-suppress'))
    return true;
  if (/auto_reply|auto-reply/i.test(headers.get('precedence') ?? '')) return true;
  return AUTO_REPLY_SUBJECT.test(subject ?? '');
}

/** Every mailbox in an address list, groups flattened. */
function addressesOf(list: readonly Address[] | undefined): string[] {
  return (list ?? []).flatMap((entry) => (entry.group ? entry.group.map((member) => member.address) : [entry.address]));
}

/** Message ids in In-Reply-To / References (`<id@host> <id2@host>`). */
function messageIdsOf(value: string | undefined): string[] {
  return value?.match(/<[^<>\s]+>|[^<>\s]+/g) ?? [];
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
  const mail = await PostalMime.parse(typeof raw === 'string' ? raw : new Uint8Array(raw));
  const headers = new Map<string, string>();
  for (const header of mail.headers) if (!headers.has(header.key)) headers.set(header.key, header.value);
  const recipients = [...addressesOf(mail.to), ...addressesOf(mail.cc), mail.deliveredTo ?? ''].filter(Boolean);
  const referenced = [...messageIdsOf(mail.inReplyTo), ...messageIdsOf(mail.references)];
  const message = await matchMessage(recipients, referenced);
  if (!message) {
    logger.warn('inbound email matched no message', { subject: mail.subject, inReplyTo: mail.inReplyTo });
    return { matched: false };
  }
  if (isAutoReply(headers, mail.subject)) {
    await setMessageFieldOnce(message.leadId, message.messageId, 'autoRepliedAt', nowIso());
    return { matched: true, leadId: message.leadId, messageId: message.messageId, autoReply: true };
  }
  const sentAt = mail.date ? new Date(mail.date) : undefined;
  return recordReply(message.leadId, {
    messageId: message.messageId,
    channel: message.channel,
    ...(sentAt && !Number.isNaN(sentAt.getTime()) && { at: sentAt.toISOString() }),
  });
}
