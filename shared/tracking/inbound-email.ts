import PostalMime, { type Address } from 'postal-mime';
import { setting } from '../config/settings';
import type { OutreachMessage } from '../domain/schemas';
import { sha256 } from '../ids';
import { logger } from '../observability';
import { pauseForOutOfOffice } from '../outreach/out-of-office';
import { DEFAULT_SCHEDULE } from '../schedule/schema';
import { zoneFor } from '../schedule/window';
import { getLead } from '../store/leads';
import { findMessageByProviderId, setMessageFieldOnce } from '../store/message-lookup';
import { getMessage } from '../store/outreach';
import { nowIso } from '../time/clock';
import { type OutOfOfficeReturn, outOfOfficeReturn } from './out-of-office/index';
import { type ReplyResult, recordReply } from './replies';

/**
 * Inbound email (SES receipt rule → S3 → `functions/inbound-email`): the raw RFC 822 mail is parsed with
 * postal-mime (dependency-free, ~80 KB bundled, where mailparser's charset tables weighed 1.2 MB) and matched
 * to the message it answers.
 */

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

/**
 * What an auto-reply is (RFC 3834 headers and the text, seven languages: out-of-office/), read with the lead's zone
 * and country, which decide the day a relative or day-first date means.
 */
async function classifyForLead(
  leadId: string,
  headers: ReadonlyMap<string, string>,
  mail: { subject?: string; text?: string },
): Promise<OutOfOfficeReturn> {
  const lead = await getLead(leadId);
  const schedule = DEFAULT_SCHEDULE;
  return outOfOfficeReturn(
    {
      headers,
      ...(mail.subject !== undefined && { subject: mail.subject }),
      ...(mail.text !== undefined && { text: mail.text }),
    },
    { receivedAt: nowIso(), timeZone: zoneFor(schedule, lead ?? {}), ...(lead?.country && { country: lead.country }) },
  );
}

/**
 * An inbound email (raw RFC 822) matched to the message it answers. A person's answer is a reply; an auto-reply is
 * noted, not counted, and one saying the person is away pauses the lead until it is back (out-of-office.ts).
 */
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
  const autoReply = await classifyForLead(message.leadId, headers, mail);
  if (autoReply.kind !== 'not_auto_reply') {
    await setMessageFieldOnce(message.leadId, message.messageId, 'autoRepliedAt', nowIso());
    const outOfOffice =
      autoReply.kind === 'out_of_office'
        ? await pauseForOutOfOffice(
            message.leadId,
            { messageId: message.messageId, ...(autoReply.returnDate && { returnDate: autoReply.returnDate }) },
            setting('CASCADE_STATE_MACHINE_ARN'),
          )
        : undefined;
    return {
      matched: true,
      leadId: message.leadId,
      messageId: message.messageId,
      autoReply: true,
      autoReplyKind: autoReply.kind,
      ...(outOfOffice?.paused && { resumeAt: outOfOffice.resumeAt }),
    };
  }
  const sentAt = mail.date ? new Date(mail.date) : undefined;
  return recordReply(message.leadId, {
    messageId: message.messageId,
    channel: message.channel,
    // The reply's own Message-ID, else the mail itself: SES delivering it again is the same reply.
    inboundKey: `email:${mail.messageId ?? sha256(typeof raw === 'string' ? raw : raw.toString('latin1'))}`,
    ...(sentAt && !Number.isNaN(sentAt.getTime()) && { at: sentAt.toISOString() }),
  });
}
