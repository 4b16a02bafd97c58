import { isSesHeaderValue } from '#shared/mail/header';

/**
 * Threaded follow-ups (docs/product.md §2 `threadWith`): the subject and headers of a mail that answers an
 * earlier mail of the same sequence, so the lead's mail client shows both in one conversation.
 */

/**
 * The domain of the `Message-ID` SES stamps on a mail it sends: `<SES message id>@<domain>`. SES overwrites
 * any Message-ID we give it (SES developer guide, "Amazon SES header fields") and returns only the bare id, so
 * the header is rebuilt from it. The domain is not in the SES reference; mail sent through SES shows
 * `email.amazonses.com` for us-east-1 (its oldest region) and `<region>.amazonses.com` everywhere else
 * (e.g. `eu-west-1.amazonses.com`).
 */
export function sesMessageIdDomain(region: string): string {
  const name = region.trim().toLowerCase();
  return name === '' || name === 'us-east-1' ? 'email.amazonses.com' : `${name}.amazonses.com`;
}

/** `id-left` of a msg-id (RFC 5322 dot-atom-text): what SES ids are made of, and nothing that breaks a header. */
const ID_LEFT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** One `<left@right>` msg-id, both sides dot-atom-text. */
const MSG_ID = /^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+>$/;

/** The Message-ID header of a mail SES accepted with `sesMessageId`; undefined for an id that cannot be one. */
export function sesMessageIdHeader(sesMessageId: string, domain: string): string | undefined {
  const header = `<${sesMessageId}@${domain}>`;
  return ID_LEFT.test(sesMessageId) && MSG_ID.test(header) ? header : undefined;
}

/** `Re: <subject>`, once: a subject that already starts with `Re:` (any case) is kept as it is. */
export function replySubject(subject: string): string {
  const trimmed = subject.trim();
  return /^re:/i.test(trimmed) ? trimmed : `Re: ${trimmed}`;
}

/** SES takes a custom header value of at most 870 characters. */
const MAX_HEADER_VALUE = 870;

/**
 * References of a reply (RFC 5322 §3.6.4): the parent's References followed by the parent's Message-ID; when
 * the parent had none, its Message-ID alone. Ids that are not well-formed msg-ids are dropped. Past SES's 870
 * characters the oldest ids after the first go (the first names the thread's root, as RFC 5322 readers expect).
 */
export function replyReferences(parentMessageId: string, parentReferences?: string): string {
  const ids = [...(parentReferences ?? '').split(/\s+/), parentMessageId].filter((id) => MSG_ID.test(id));
  const unique = ids.filter((id, index) => ids.indexOf(id) === index);
  while (unique.length > 2 && unique.join(' ').length > MAX_HEADER_VALUE) unique.splice(1, 1);
  return unique.join(' ');
}

/** What a threaded mail changes: subject, the thread headers, and the sender identity of the mail it answers. */
export interface ThreadReply {
  subject: string;
  inReplyTo: string;
  references: string;
  /** The From line of the mail answered, when it was recorded: a thread keeps one sender. */
  from?: string;
}

/** The mail a follow-up answers, as recorded when it was sent. */
export interface ThreadParent {
  subject?: string;
  /** The subject it went out with, when recorded (a reply's `Re: …`); else `subject` was sent as is. */
  subjectHeader?: string;
  providerMessageId?: string;
  /** The From line it was sent with (recorded by the adapter). */
  fromHeader?: string;
  /** The References it was sent with, when it was itself a reply. */
  referencesHeader?: string;
}

/**
 * The reply to `parent`, or undefined when it cannot be threaded (no SES id, or one that is no msg-id): the
 * follow-up then goes out as a fresh mail with its own subject, as for a step that never sent.
 */
export function threadReply(parent: ThreadParent, messageIdDomain: string): ThreadReply | undefined {
  if (!parent.providerMessageId) return undefined;
  const messageId = sesMessageIdHeader(parent.providerMessageId, messageIdDomain);
  if (!messageId) return undefined;
  const from = parent.fromHeader && isSesHeaderValue(parent.fromHeader) ? parent.fromHeader : undefined;
  return {
    subject: replySubject(parent.subjectHeader ?? parent.subject ?? ''),
    inReplyTo: messageId,
    references: replyReferences(messageId, parent.referencesHeader),
    ...(from && { from }),
  };
}
