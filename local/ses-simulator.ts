import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
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

/** SES events for one accepted mail, in the EventBridge envelope, in the order SES would publish them. */
export function simulatedEvents(mail: SentMail, at = new Date()): Record<string, unknown>[] {
  const time = at.toISOString();
  const envelope = (detailType: string, eventType: string, extra: Record<string, unknown>) => ({
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'aws.ses',
    account: '000000000000',
    time,
    region: 'us-east-1',
    resources: [`arn:aws:ses:us-east-1:000000000000:configuration-set/${mail.configurationSet ?? 'cascade-local'}`],
    detail: {
      eventType,
      mail: {
        timestamp: time,
        source: mail.from,
        messageId: mail.sesMessageId,
        destination: [mail.recipient],
        commonHeaders: { from: [mail.from], to: [mail.recipient], messageId: mail.sesMessageId, subject: mail.subject },
        tags: { 'ses:configuration-set': [mail.configurationSet ?? 'cascade-local'], ...mail.tags },
      },
      ...extra,
    },
  });
  const send = envelope('Email Sent', 'Send', { send: {} });
  const delivery = envelope('Email Delivered', 'Delivery', {
    delivery: {
      timestamp: time,
      recipients: [mail.recipient],
      smtpResponse: '250 2.6.0 Message received',
      processingTimeMillis: 500,
    },
  });
  const bounce = (subType: string) =>
    envelope('Email Bounced', 'Bounce', {
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: subType,
        bouncedRecipients: [{ emailAddress: mail.recipient, action: 'failed', status: '5.1.1' }],
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
      return [
        send,
        delivery,
        envelope('Email Complaint Received', 'Complaint', {
          complaint: {
            complainedRecipients: [{ emailAddress: mail.recipient }],
            timestamp: time,
            feedbackId: randomUUID(),
          },
        }),
      ];
    default:
      return [send, delivery];
  }
}

async function readBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export interface SesSimulator {
  endpoint: string;
  /** Every event published so far (for tests and the demo's audit). */
  published: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * A pass-through in front of aws-ses-v2-local that publishes SES events the way the SES mailbox simulator
 * does, to the same handler EventBridge invokes in AWS. Events are published before SES's answer is
 * returned, so a sequence that checks delivery afterwards sees them (deterministic under a virtual clock).
 */
export async function startSesSimulator(options: {
  sesEndpoint: string;
  publish: (event: Record<string, unknown>) => Promise<void>;
  /** Append every accepted mail here (JSON lines), so the provider's record outlives a killed process. */
  journalFile?: string;
}): Promise<SesSimulator> {
  const published: Record<string, unknown>[] = [];
  const server: Server = createServer(async (incoming, outgoing) => {
    try {
      const body = await readBody(incoming);
      const headers = Object.fromEntries(
        Object.entries(incoming.headers).filter(
          ([name, value]) => name !== 'host' && name !== 'content-length' && value !== undefined,
        ),
      ) as Record<string, string>;
      const upstream = await request(`${options.sesEndpoint}${incoming.url ?? '/'}`, {
        method: (incoming.method ?? 'GET') as 'GET',
        headers,
        body: body.length > 0 ? body : undefined,
      });
      const answer = Buffer.from(await upstream.body.arrayBuffer());
      if (
        incoming.method === 'POST' &&
        incoming.url?.startsWith('/v2/email/outbound-emails') &&
        upstream.statusCode === 200
      ) {
        const sent = JSON.parse(body.toString('utf8')) as {
          FromEmailAddress?: string;
          Destination?: { ToAddresses?: string[] };
          EmailTags?: { Name: string; Value: string }[];
          ConfigurationSetName?: string;
          Content?: { Simple?: { Subject?: { Data?: string } } };
        };
        const { MessageId } = JSON.parse(answer.toString('utf8')) as { MessageId: string };
        const tags = Object.fromEntries((sent.EmailTags ?? []).map((tag) => [tag.Name, [tag.Value]]));
        if (options.journalFile) {
          const line = {
            sesMessageId: MessageId,
            to: sent.Destination?.ToAddresses ?? [],
            at: new Date().toISOString(),
          };
          appendFileSync(options.journalFile, `${JSON.stringify(line)}\n`);
        }
        for (const recipient of sent.Destination?.ToAddresses ?? []) {
          const events = simulatedEvents({
            sesMessageId: MessageId,
            recipient,
            from: sent.FromEmailAddress ?? '',
            subject: sent.Content?.Simple?.Subject?.Data ?? '',
            tags,
            configurationSet: sent.ConfigurationSetName,
          });
          for (const event of events) {
            published.push(event);
            await options.publish(event);
          }
        }
      }
      outgoing.statusCode = upstream.statusCode;
      for (const [name, value] of Object.entries(upstream.headers)) {
        if (value !== undefined && name !== 'transfer-encoding' && name !== 'connection')
          outgoing.setHeader(name, value);
      }
      outgoing.end(answer);
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
