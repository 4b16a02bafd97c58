import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { request } from 'undici';
import { sesMessageIdDomain, sesMessageIdHeader } from '#shared/channels/email/thread';
import { erasureKeyFor } from '#shared/store/suppressions';
import { listenOnLoopback } from './loopback';

/** What the SES mailbox simulator does for a recipient (local part before any `+label`). */
export type SimulatedFate = 'delivered' | 'bounce' | 'complaint' | 'suppressed';

export function simulatedFate(recipient: string): SimulatedFate {
  const [local = '', domain = ''] = recipient.trim().toLowerCase().split('@');
  if (domain !== 'simulator.amazonses.com') return 'delivered';
  const box = local.split('+')[0];
  if (box === 'bounce') return 'bounce';
  if (box === 'complaint') return 'complaint';
  if (box === 'suppressionlist') return 'suppressed';
  return 'delivered';
}

interface SentMail {
  sesMessageId: string;
  recipient: string;
  from: string;
  subject: string;
  tags: Record<string, string[]>;
  configurationSet?: string;
  /** The custom headers the SendEmail request carried (Content.Simple.Headers), in order. */
  customHeaders?: MailHeader[];
}

/** One header line of a mail, as SES events list them (`mail.headers`). */
export interface MailHeader {
  name: string;
  value: string;
}

/** The region the simulated SES runs in (its events' ARNs and its Message-ID domain). */
const SES_REGION = 'us-east-1';

/**
 * The headers SES sends a mail with, as its events list them: the Message-ID it stamps (it overwrites any we
 * give it; `<id@email.amazonses.com>` in us-east-1), From, To, Subject, then the request's custom headers
 * (List-Unsubscribe, In-Reply-To, References, …) unchanged. Tests read a sent mail's raw headers here.
 */
export function sentMailHeaders(mail: SentMail): MailHeader[] {
  const messageId = sesMessageIdHeader(mail.sesMessageId, sesMessageIdDomain(SES_REGION));
  return [
    ...(messageId ? [{ name: 'Message-ID', value: messageId }] : []),
    { name: 'From', value: mail.from },
    { name: 'To', value: mail.recipient },
    { name: 'Subject', value: mail.subject },
    ...(mail.customHeaders ?? []),
  ];
}

/** One SES event about `mail` in its EventBridge envelope: the common `mail` detail plus the event's own part. */
function sesEvent(
  mail: SentMail,
  time: string,
  detailType: string,
  eventType: string,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  const configurationSet = mail.configurationSet ?? 'cascade-local';
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'aws.ses',
    account: '000000000000',
    time,
    region: SES_REGION,
    resources: [`arn:aws:ses:${SES_REGION}:000000000000:configuration-set/${configurationSet}`],
    detail: {
      eventType,
      mail: {
        timestamp: time,
        source: mail.from,
        messageId: mail.sesMessageId,
        destination: [mail.recipient],
        headersTruncated: false,
        headers: sentMailHeaders(mail),
        commonHeaders: { from: [mail.from], to: [mail.recipient], messageId: mail.sesMessageId, subject: mail.subject },
        tags: { 'ses:configuration-set': [configurationSet], ...mail.tags },
      },
      ...extra,
    },
  };
}

/** SES events for one accepted mail, in the EventBridge envelope, in the order SES would publish them. */
export function simulatedEvents(mail: SentMail, at = new Date()): Record<string, unknown>[] {
  const time = at.toISOString();
  const event = (detailType: string, eventType: string, extra: Record<string, unknown>) =>
    sesEvent(mail, time, detailType, eventType, extra);
  const send = event('Email Sent', 'Send', { send: {} });
  const delivery = event('Email Delivered', 'Delivery', {
    delivery: {
      timestamp: time,
      recipients: [mail.recipient],
      smtpResponse: '250 2.6.0 Message received',
      processingTimeMillis: 500,
    },
  });
  const bounce = (subType: string) =>
    event('Email Bounced', 'Bounce', {
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: subType,
        bouncedRecipients: [{ emailAddress: mail.recipient, action: 'failed', status: '5.1.1' }],
        timestamp: time,
        feedbackId: randomUUID(),
      },
    });
  const complaint = () =>
    event('Email Complaint Received', 'Complaint', {
      complaint: {
        complainedRecipients: [{ emailAddress: mail.recipient }],
        timestamp: time,
        feedbackId: randomUUID(),
      },
    });
  switch (simulatedFate(mail.recipient)) {
    case 'bounce':
      return [send, bounce('General')];
    case 'suppressed':
      return [send, bounce('OnAccountSuppressionList')];
    case 'complaint':
      return [send, delivery, complaint()];
    default:
      return [send, delivery];
  }
}

export interface SesSimulator {
  endpoint: string;
  /**
   * Every event published so far (for tests and the demo's audit). Each event's `detail.mail.headers` lists the
   * headers SES sent its mail with (`sentMailHeaders`: Message-ID, From, To, Subject, the custom headers). On the
   * embedded stack, `GET ${endpoints.ses}/store` (aws-ses-v2-local) keeps each mail's custom headers too
   * (`emails[].headers`, with its `messageId`).
   */
  published: Record<string, unknown>[];
  /**
   * Scrubs an erased person from the journal and the published events: every recipient whose erasure key
   * (`HASH#sha256(normalized address)`) is `erasureKey` becomes `erased`. Returns the journal lines changed.
   */
  eraseRecipient(erasureKey: string): number;
  close(): Promise<void>;
}

/** One line of the send journal. */
interface JournalLine {
  sesMessageId: string;
  to: string[];
  at: string;
  tags?: Record<string, string[]>;
  configurationSet?: string;
}

const ERASED_RECIPIENT = 'erased';

/**
 * Rewrites the journal without the erased person's address (a new file renamed over the old one, so no copy
 * of the address is left in it). Lines stay, so what was sent and when is still counted.
 */
export function eraseJournalRecipient(journalFile: string, erasureKey: string): number {
  if (!existsSync(journalFile)) return 0;
  let changed = 0;
  const lines = readFileSync(journalFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((text) => {
      const line = JSON.parse(text) as JournalLine;
      if (!line.to.some((recipient) => erasureKeyFor(recipient) === erasureKey)) return text;
      changed++;
      const to = line.to.map((recipient) => (erasureKeyFor(recipient) === erasureKey ? ERASED_RECIPIENT : recipient));
      return JSON.stringify({ ...line, to });
    });
  if (changed === 0) return 0;
  writeFileSync(`${journalFile}.tmp`, lines.map((line) => `${line}\n`).join(''));
  renameSync(`${journalFile}.tmp`, journalFile);
  return changed;
}

/** Drops the published events about an erased person (kept in memory for tests and the demo's audit). */
function eraseFromPublished(published: Record<string, unknown>[], erasureKey: string): void {
  const about = (event: Record<string, unknown>) => {
    const mail = (event.detail as { mail?: { destination?: string[] } } | undefined)?.mail;
    return (mail?.destination ?? []).some((recipient) => erasureKeyFor(recipient) === erasureKey);
  };
  for (let index = published.length - 1; index >= 0; index--) {
    const event = published[index];
    if (event && about(event)) published.splice(index, 1);
  }
}

export interface SesSimulatorOptions {
  sesEndpoint: string;
  publish: (event: Record<string, unknown>) => Promise<void>;
  /** Append every accepted mail here (JSON lines), so the provider's record outlives a killed process. */
  journalFile?: string;
}

/** The fields of a SendEmail request the simulator reads. */
interface SendEmailRequest {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[] };
  EmailTags?: { Name: string; Value: string }[];
  ConfigurationSetName?: string;
  Content?: { Simple?: { Subject?: { Data?: string }; Headers?: { Name: string; Value: string }[] } };
}

/** Connection-scoped headers the server sets itself for its own connection. */
const NOT_RELAYED = new Set(['transfer-encoding', 'connection']);

/**
 * A pass-through in front of aws-ses-v2-local that publishes SES events the way the SES mailbox simulator
 * does, to the same handler EventBridge invokes in AWS. Events are published before SES's answer is
 * returned, so a sequence that checks delivery afterwards sees them (deterministic under a virtual clock).
 */
export async function startSesSimulator(options: SesSimulatorOptions): Promise<SesSimulator> {
  const published: Record<string, unknown>[] = [];
  const publish = async (event: Record<string, unknown>) => {
    published.push(event);
    await options.publish(event);
  };
  const server = createServer(async (incoming, outgoing) => {
    try {
      const body = await buffer(incoming);
      const upstream = await forward(options.sesEndpoint, incoming, body);
      const answer = Buffer.from(await upstream.body.arrayBuffer());
      const isSend = incoming.method === 'POST' && incoming.url?.startsWith('/v2/email/outbound-emails');
      if (isSend && upstream.statusCode === 200) await publishSendEvents(body, answer, options.journalFile, publish);
      relay(outgoing, upstream.statusCode, upstream.headers, answer);
    } catch (error) {
      outgoing.statusCode = 500;
      outgoing.setHeader('content-type', 'application/json');
      outgoing.end(JSON.stringify({ message: (error as Error).message }));
    }
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    published,
    eraseRecipient(erasureKey) {
      eraseFromPublished(published, erasureKey);
      return options.journalFile ? eraseJournalRecipient(options.journalFile, erasureKey) : 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The request, as it came, to aws-ses-v2-local. */
function forward(sesEndpoint: string, incoming: IncomingMessage, body: Buffer) {
  const headers = Object.fromEntries(
    Object.entries(incoming.headers).filter(
      ([name, value]) => name !== 'host' && name !== 'content-length' && value !== undefined,
    ),
  ) as Record<string, string>;
  return request(`${sesEndpoint}${incoming.url ?? '/'}`, {
    method: (incoming.method ?? 'GET') as 'GET',
    headers,
    body: body.length > 0 ? body : undefined,
  });
}

/** Journals an accepted SendEmail, then publishes the events of each To recipient, in order. */
async function publishSendEvents(
  body: Buffer,
  answer: Buffer,
  journalFile: string | undefined,
  publish: (event: Record<string, unknown>) => Promise<void>,
): Promise<void> {
  const sent = JSON.parse(body.toString('utf8')) as SendEmailRequest;
  const { MessageId } = JSON.parse(answer.toString('utf8')) as { MessageId: string };
  const recipients = sent.Destination?.ToAddresses ?? [];
  const tags = Object.fromEntries((sent.EmailTags ?? []).map((tag) => [tag.Name, [tag.Value]]));
  if (journalFile) {
    // The tags (campaign, lead, message ids) let a restart settle from the journal what the events did not.
    const configurationSet = sent.ConfigurationSetName;
    const line: JournalLine = {
      sesMessageId: MessageId,
      to: recipients,
      at: new Date().toISOString(),
      tags,
      configurationSet,
    };
    appendFileSync(journalFile, `${JSON.stringify(line)}\n`);
  }
  for (const recipient of recipients) {
    const events = simulatedEvents({
      sesMessageId: MessageId,
      recipient,
      from: sent.FromEmailAddress ?? '',
      subject: sent.Content?.Simple?.Subject?.Data ?? '',
      tags,
      configurationSet: sent.ConfigurationSetName,
      customHeaders: (sent.Content?.Simple?.Headers ?? []).map((header) => ({
        name: header.Name,
        value: header.Value,
      })),
    });
    for (const event of events) await publish(event);
  }
}

/** SES's answer, as it came, to the caller. */
function relay(
  outgoing: ServerResponse,
  status: number,
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
  answer: Buffer,
): void {
  outgoing.statusCode = status;
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !NOT_RELAYED.has(name)) outgoing.setHeader(name, value);
  outgoing.end(answer);
}

/**
 * After a restart with the same data: the events of every mail the journal says SES accepted are published
 * again, so a Send event lost with a killed process still reaches the ses-events handler (which settles a
 * parked `ambiguous_send` from it). Replays are harmless: statuses only move forward, first-seen fields are set once.
 */
export async function replaySesJournal(
  journalFile: string,
  publish: (event: Record<string, unknown>) => Promise<void>,
): Promise<number> {
  if (!existsSync(journalFile)) return 0;
  let replayed = 0;
  for (const text of readFileSync(journalFile, 'utf8').split('\n')) {
    let line: JournalLine;
    try {
      line = JSON.parse(text) as JournalLine;
    } catch {
      continue; // blank, or a line cut short by the kill
    }
    if (!line.sesMessageId || !line.tags) continue;
    // An erased person's lead is never contacted again: nothing of theirs is replayed.
    for (const recipient of (line.to ?? []).filter((to) => to !== ERASED_RECIPIENT)) {
      const mail = { sesMessageId: line.sesMessageId, recipient, from: '', subject: '', tags: line.tags };
      for (const event of simulatedEvents({ ...mail, configurationSet: line.configurationSet })) await publish(event);
    }
    replayed++;
  }
  return replayed;
}
