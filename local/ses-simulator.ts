import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { buffer } from 'node:stream/consumers';
import { request } from 'undici';
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
    region: 'us-east-1',
    resources: [`arn:aws:ses:us-east-1:000000000000:configuration-set/${configurationSet}`],
    detail: {
      eventType,
      mail: {
        timestamp: time,
        source: mail.from,
        messageId: mail.sesMessageId,
        destination: [mail.recipient],
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
  /** Every event published so far (for tests and the demo's audit). */
  published: Record<string, unknown>[];
  close(): Promise<void>;
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
  Content?: { Simple?: { Subject?: { Data?: string } } };
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
  if (journalFile) {
    const line = { sesMessageId: MessageId, to: recipients, at: new Date().toISOString() };
    appendFileSync(journalFile, `${JSON.stringify(line)}\n`);
  }
  const tags = Object.fromEntries((sent.EmailTags ?? []).map((tag) => [tag.Name, [tag.Value]]));
  for (const recipient of recipients) {
    const events = simulatedEvents({
      sesMessageId: MessageId,
      recipient,
      from: sent.FromEmailAddress ?? '',
      subject: sent.Content?.Simple?.Subject?.Data ?? '',
      tags,
      configurationSet: sent.ConfigurationSetName,
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
