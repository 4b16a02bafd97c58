import { randomUUID } from 'node:crypto';
import { setting } from '#shared/config/settings';
import type { ChannelType, LeadStatus, OutreachMessage } from '#shared/domain/schemas';
import { HttpProblem } from '#shared/errors';
import { getCampaign, getLead } from '#shared/store/leads';
import { findMessageByProviderId } from '#shared/store/message-lookup';
import { getMessage, listLeadMessages } from '#shared/store/outreach';
import { nowMs } from '#shared/time/clock';
import { handleInboundEmail } from '#shared/tracking/inbound-email';
import { handleLinkedInWebhook } from '#shared/tracking/linkedin-events';
import type { ReplyResult } from '#shared/tracking/replies';
import { SesEventEnvelope } from '#shared/tracking/ses-events';
import { requireLead } from './simulate-lead';

/**
 * Local simulation of what arrives after a send (docs/product.md §7 `cascade simulate`): an SES event, an
 * inbound reply mail, a LinkedIn provider webhook. Each input is built the way the outside world would
 * send it and handed to the same handler as the real thing; nothing here changes state by itself.
 */

export const REPLY_CHANNELS = ['EMAIL', 'LINKEDIN'] as const satisfies readonly ChannelType[];
export type ReplyChannel = (typeof REPLY_CHANNELS)[number];

const DEFAULT_REPLY_TEXT = 'Thanks for reaching out, happy to talk next week. (simulated reply)';

type JsonObject = Record<string, unknown>;

function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** The lead's newest message on one of `channels` (messages are few per lead: one query on its partition). */
export async function latestMessage(
  leadId: string,
  channels: readonly ChannelType[],
): Promise<OutreachMessage | undefined> {
  const messages = (await listLeadMessages(leadId)).filter((message) => channels.includes(message.channel));
  return messages.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.messageId.localeCompare(a.messageId))[0];
}

/** `--message-id` of a lead, on one of `channels`; else the lead's newest such message. */
async function messageOf(
  leadId: string,
  messageId: string | undefined,
  channel: ChannelType,
): Promise<OutreachMessage | undefined> {
  if (!messageId) return latestMessage(leadId, [channel]);
  const message = await getMessage(leadId, messageId);
  if (!message) throw new HttpProblem(404, 'not_found', `message ${messageId} of lead ${leadId} does not exist`);
  if (message.channel !== channel)
    throw new HttpProblem(
      400,
      'validation_error',
      `message ${messageId} is a ${message.channel} message, not ${channel}`,
    );
  return message;
}

// ── SES events ──────────────────────────────────────────────────────────────────────────────────

/**
 * Checks that `raw` is an SES event in its EventBridge envelope and, with `target`, re-addresses it to one
 * of our email messages (its tags, SES message id and recipient), so the documented sample events can be
 * replayed against a real lead. Returns the envelope to hand to the handler.
 */
export async function prepareSesEvent(raw: unknown, target?: { leadId: string; messageId?: string }): Promise<unknown> {
  const parsed = SesEventEnvelope.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
    throw new HttpProblem(
      400,
      'not_an_ses_event',
      'not an SES event in its EventBridge envelope (source "aws.ses", detail.eventType, detail.mail.messageId)',
      { details: details },
    );
  }
  if (!target) return raw;
  const lead = await requireLead(target.leadId);
  const message = await messageOf(lead.leadId, target.messageId, 'EMAIL');
  if (!message)
    throw new HttpProblem(409, 'no_message', `lead ${lead.leadId} has no email message an SES event could be about`);
  return retargetSesEvent(raw, message, lead.email);
}

/** A copy of an SES envelope naming `message` (tags lead/message/campaign, SES id) and sent to `recipient`. */
export function retargetSesEvent(raw: unknown, message: OutreachMessage, recipient?: string): JsonObject {
  const envelope = structuredClone(asObject(raw) ?? {});
  const detail = asObject(envelope.detail) ?? {};
  const mail = asObject(detail.mail) ?? {};
  const configurationSet = setting('CASCADE_SES_CONFIGURATION_SET');
  mail.tags = {
    ...asObject(mail.tags),
    // Mail of ours was sent with our configuration set: SES tags every event of it with the set's name.
    ...(configurationSet && { 'ses:configuration-set': [configurationSet] }),
    campaign: [message.campaignId],
    lead: [message.leadId],
    message: [message.messageId],
  };
  const headers = asObject(mail.commonHeaders);
  if (message.providerMessageId) {
    mail.messageId = message.providerMessageId;
    if (headers) headers.messageId = message.providerMessageId;
  }
  if (recipient) {
    mail.destination = [recipient];
    if (headers) headers.to = [recipient];
    if (Array.isArray(mail.headers))
      mail.headers = (mail.headers as unknown[]).map((header) => {
        const entry = asObject(header);
        return entry && String(entry.name).toLowerCase() === 'to' ? { ...entry, value: recipient } : header;
      });
    // The recipients a bounce, complaint or delivery names are the one address this mail went to.
    for (const [section, list] of [
      ['bounce', 'bouncedRecipients'],
      ['complaint', 'complainedRecipients'],
    ] as const) {
      const part = asObject(detail[section]);
      if (part && Array.isArray(part[list]))
        part[list] = (part[list] as unknown[]).map((entry) => ({ ...asObject(entry), emailAddress: recipient }));
    }
    const delivery = asObject(detail.delivery);
    if (delivery && Array.isArray(delivery.recipients)) delivery.recipients = [recipient];
  }
  detail.mail = mail;
  envelope.detail = detail;
  return envelope;
}

// ── inbound mail ────────────────────────────────────────────────────────────────────────────────

/** A raw RFC 822 message starts with header fields (`Name: value`); anything else is refused in one line. */
export function checkRawEmail(raw: Buffer | string): void {
  const text = (typeof raw === 'string' ? raw : raw.subarray(0, 4096).toString('latin1')).replace(
    /^(\uFEFF|\xEF\xBB\xBF)/,
    '',
  );
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  // A field name (RFC 5322; in practice a token such as `From`, `Received`, `X-Mailer`), then a colon.
  if (!/^[A-Za-z0-9][\w!#$%&'*+.^`|~-]*:/.test(firstLine))
    throw new HttpProblem(400, 'not_an_email', 'not a raw RFC 822 message (it should start with header fields)');
}

/**
 * How a mail reaches the inbound-mail function: on the embedded stack, stored in the inbound bucket as the
 * receipt rule's S3 action stores it (the bucket notification invokes the function in its sandbox); the
 * handler's core when no stack is given. Resolves with the function's answer.
 */
export type DeliverInboundMail = (raw: Buffer) => Promise<ReplyResult>;
const inProcess: DeliverInboundMail = (raw) => handleInboundEmail(raw);

/** A raw mail dropped into the inbound handler, as the SES receipt rule's S3 object would be. */
export async function simulateInboundEmail(
  raw: Buffer | string,
  deliver: DeliverInboundMail = inProcess,
): Promise<SimulatedReply> {
  checkRawEmail(raw);
  const result = await deliver(Buffer.from(raw));
  return withLeadStatus({ via: 'inbound-email', ...result });
}

// ── replies ─────────────────────────────────────────────────────────────────────────────────────

export interface SimulatedReply extends ReplyResult {
  /** Which real-world input was simulated and through which handler. */
  via: 'inbound-email' | 'linkedin-webhook';
  channel?: ReplyChannel;
  /** The lead's status after the handler ran. */
  leadStatus?: LeadStatus;
}

async function withLeadStatus(result: SimulatedReply): Promise<SimulatedReply> {
  if (!result.leadId) return result;
  const lead = await getLead(result.leadId);
  return lead ? { ...result, leadStatus: lead.status } : result;
}

/** RFC 2047 for a header value that is not plain ASCII. */
function headerText(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

/** A display name safe in a header (quoted when it holds specials). */
function displayName(name: string): string {
  const text = headerText(name.replace(/["\\\r\n]/g, ''));
  return /^[\w .'-]*$/.test(text) || text.startsWith('=?') ? text : `"${text}"`;
}

export interface ReplyMailInput {
  from: { name: string; address: string };
  to: string;
  subject?: string;
  /** SES's message id of the mail answered (In-Reply-To / References as mail clients write them). */
  inReplyTo?: string;
  text: string;
  date: Date;
  /** Written by an auto-responder (RFC 3834 `Auto-Submitted: auto-replied`, "Automatic reply:" subject). */
  autoReply?: boolean;
}

/** A small RFC 822 reply, the way a mail client sends one. */
export function replyMail(input: ReplyMailInput): string {
  const domain = input.from.address.split('@')[1] || 'reply.cascade.local';
  const answered = input.subject ? (/^re:/i.test(input.subject) ? input.subject : `Re: ${input.subject}`) : 'Re:';
  const subject = input.autoReply ? `Automatic reply: ${input.subject ?? ''}`.trim() : answered;
  const headers: [string, string][] = [
    ['From', `${displayName(input.from.name)} <${input.from.address}>`],
    ['To', input.to],
    ['Subject', headerText(subject)],
    ['Date', input.date.toUTCString().replace('GMT', '+0000')],
    ['Message-ID', `<sim-${randomUUID()}@${domain}>`],
    ['MIME-Version', '1.0'],
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Transfer-Encoding', '8bit'],
  ];
  if (input.autoReply) headers.push(['Auto-Submitted', 'auto-replied'], ['X-Autoreply', 'yes']);
  if (input.inReplyTo) {
    const reference = `<${input.inReplyTo}@email.amazonses.com>`;
    headers.push(['In-Reply-To', reference], ['References', reference]);
  }
  return `${headers.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n${input.text.replace(/\r?\n/g, '\r\n')}\r\n`;
}

/** A `message_received` call of the LinkedIn provider's webhook (Unipile's shape) from one member. */
export function linkedinMessageEvent(providerId: string, text: string, accountId?: string) {
  return {
    event: 'message_received' as const,
    account_id: accountId || setting('CASCADE_LINKEDIN_ACCOUNT_ID') || 'local-account',
    chat_id: `sim-chat-${providerId}`,
    message_id: `sim-${randomUUID()}`,
    message: text,
    sender: { attendee_provider_id: providerId },
    is_sender: false,
  };
}

export interface SimulateReplyOptions {
  channel?: ReplyChannel;
  /** EMAIL: the message answered (default: the lead's newest email). */
  messageId?: string;
  text?: string;
  /** EMAIL: the mail an auto-responder sends (an out-of-office note when its text says the person is away). */
  autoReply?: boolean;
}

/** Reply channel when none is given: the channel of the lead's newest email or LinkedIn message. */
async function defaultChannel(leadId: string, linkedinProviderId: string | undefined): Promise<ReplyChannel> {
  const latest = await latestMessage(leadId, REPLY_CHANNELS);
  if (latest) return latest.channel as ReplyChannel;
  return linkedinProviderId ? 'LINKEDIN' : 'EMAIL';
}

/**
 * An inbound reply from a lead through the same handlers as real replies: EMAIL builds the mail a client
 * would send (In-Reply-To the SES id of the email answered, else to its per-message reply address) and
 * hands it to the inbound-mail handler; LINKEDIN builds the provider's `message_received` webhook call
 * from the member (the lead's `linkedinProviderId`) and hands it to the webhook handler.
 */
export async function simulateReply(
  leadId: string,
  options: SimulateReplyOptions = {},
  deliver: DeliverInboundMail = inProcess,
): Promise<SimulatedReply> {
  const lead = await requireLead(leadId);
  const channel =
    options.channel ?? (options.autoReply ? 'EMAIL' : await defaultChannel(lead.leadId, lead.linkedinProviderId));
  if (options.autoReply && channel !== 'EMAIL')
    throw new HttpProblem(400, 'validation_error', '--auto-reply is an email: it cannot be sent on LinkedIn');
  const text = options.text || DEFAULT_REPLY_TEXT;

  if (channel === 'LINKEDIN') {
    if (options.messageId)
      throw new HttpProblem(
        400,
        'validation_error',
        '--message-id is for EMAIL replies (a LinkedIn webhook names the member, not our message)',
      );
    if (!lead.linkedinProviderId)
      throw new HttpProblem(
        409,
        'no_linkedin_profile',
        `lead ${lead.leadId} has no LinkedIn provider id yet (the LinkedIn channel sets it when it first reaches the member)`,
      );
    const result = await handleLinkedInWebhook(linkedinMessageEvent(lead.linkedinProviderId, text));
    const reply = result.replies.find((entry) => entry.leadId === lead.leadId);
    if (!reply)
      throw new HttpProblem(
        409,
        'not_matched',
        `the webhook did not find lead ${lead.leadId} by its LinkedIn member id (no LINKEDIN# index item)`,
      );
    return withLeadStatus({ via: 'linkedin-webhook', channel, ...reply });
  }

  const message = await messageOf(lead.leadId, options.messageId, 'EMAIL');
  if (!message)
    throw new HttpProblem(
      409,
      'no_message',
      `lead ${lead.leadId} has no email message to reply to${lead.linkedinProviderId ? ' (try --channel LINKEDIN)' : ''}`,
    );
  const campaign = await getCampaign(lead.campaignId);
  const fromAddress = lead.email?.trim() || `${lead.leadId}@unknown.invalid`;
  const name = [lead.firstName, lead.lastName].filter(Boolean).join(' ');
  const mail = replyMail({
    from: { name, address: fromAddress },
    // A reply to a mail SES knows goes back to the sender and names the mail in In-Reply-To; without the
    // SES id, the per-message reply address names lead and message.
    to: message.providerMessageId
      ? (campaign?.sender.replyTo ?? campaign?.sender.email ?? 'sender@cascade.local')
      : `reply+${lead.leadId}.${message.messageId}@reply.cascade.local`,
    subject: message.subject,
    inReplyTo: message.providerMessageId,
    text,
    date: new Date(nowMs()),
    ...(options.autoReply && { autoReply: true }),
  });
  const result = await deliver(Buffer.from(mail));
  if (!result.matched)
    throw new HttpProblem(409, 'not_matched', `the inbound-mail handler matched no message for lead ${lead.leadId}`);
  return withLeadStatus({ via: 'inbound-email', channel, ...result });
}

/** For callers validating `--channel`. */
export function isReplyChannel(value: string): value is ReplyChannel {
  return (REPLY_CHANNELS as readonly string[]).includes(value);
}

// ── accepted invitations: cli/simulate-invite.ts ──────────────────────────────────────────────

export {
  type DeliverWebhook,
  type InviteAcceptanceOptions,
  linkedinRelationEvent,
  type SimulatedAcceptance,
  simulateInviteAccepted,
} from './simulate-invite';

// ── what an SES event did ───────────────────────────────────────────────────────────────────────

export interface SesEventEffect {
  leadId?: string;
  messageId?: string;
  /** The message's status after the handler ran. */
  messageStatus?: OutreachMessage['status'];
  leadStatus?: LeadStatus;
}

/** The message an SES envelope is about (tags first, else the SES id) and the lead's state, after the handler. */
export async function sesEventEffect(envelope: unknown): Promise<SesEventEffect> {
  const parsed = SesEventEnvelope.safeParse(envelope);
  if (!parsed.success) return {};
  const { tags, messageId: sesId } = parsed.data.detail.mail;
  const leadId = tags.lead?.[0];
  const messageId = tags.message?.[0];
  const message =
    (leadId && messageId ? await getMessage(leadId, messageId) : undefined) ?? (await findMessageByProviderId(sesId));
  if (!message) return {};
  const lead = await getLead(message.leadId);
  return {
    leadId: message.leadId,
    messageId: message.messageId,
    messageStatus: message.status,
    ...(lead && { leadStatus: lead.status }),
  };
}
