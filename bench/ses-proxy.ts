import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { simulatedEvents } from '#local/ses-simulator';

/**
 * A pass-through in front of the embedded SES peer, like a network fault between a Lambda and SES: sends to a
 * recipient whose local part starts with `transient` get HTTP 500 (InternalFailure) for every SDK attempt, so
 * the email step sees a transient provider error and retries. Accepted sends are counted with the number of SES
 * events the mailbox simulator publishes for them: each event is one invocation of the ses-events Lambda.
 */
export interface SesProxy {
  endpoint: string;
  accepted: number;
  events: number;
  injectedFailures: number;
  close(): Promise<void>;
}

async function readBody(incoming: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export const isTransientRecipient = (recipient: string) => /^transient/i.test(recipient.split('@')[0] ?? '');

interface ProxyState {
  accepted: number;
  events: number;
  injectedFailures: number;
}

/** The SendEmail request body, as far as the proxy reads it. */
interface SentEmail {
  FromEmailAddress?: string;
  Destination?: { ToAddresses?: string[] };
  Content?: { Simple?: { Subject?: { Data?: string } } };
}

/** What SES answers when it fails inside: the SDK retries it, then the step sees a transient provider error. */
function answerInternalFailure(outgoing: ServerResponse): void {
  outgoing.statusCode = 500;
  outgoing.setHeader('content-type', 'application/json');
  outgoing.setHeader('x-amzn-errortype', 'InternalFailure');
  outgoing.end(JSON.stringify({ message: 'bench: injected transient failure' }));
}

/** The request, as it came, to the SES peer. */
function forward(upstream: string, incoming: IncomingMessage, body: Buffer) {
  const headers = Object.fromEntries(
    Object.entries(incoming.headers).filter(
      ([name, value]) => name !== 'host' && name !== 'content-length' && value !== undefined,
    ),
  ) as Record<string, string>;
  return request(`${upstream}${incoming.url ?? '/'}`, {
    method: (incoming.method ?? 'GET') as 'GET',
    headers,
    body: body.length > 0 ? body : undefined,
  });
}

/** Counts an accepted send and the SES events the mailbox simulator will publish for each recipient. */
function countAccepted(state: ProxyState, sent: SentEmail | undefined, recipients: string[]): void {
  for (const recipient of recipients) {
    state.accepted++;
    state.events += simulatedEvents({
      sesMessageId: 'counted',
      recipient,
      from: sent?.FromEmailAddress ?? '',
      subject: sent?.Content?.Simple?.Subject?.Data ?? '',
      tags: {},
    }).length;
  }
}

async function proxy(upstream: string, state: ProxyState, incoming: IncomingMessage, outgoing: ServerResponse) {
  const body = await readBody(incoming);
  const isSend = incoming.method === 'POST' && (incoming.url ?? '').startsWith('/v2/email/outbound-emails');
  const sent = isSend ? (JSON.parse(body.toString('utf8')) as SentEmail) : undefined;
  const recipients = sent?.Destination?.ToAddresses ?? [];
  if (isSend && recipients.some(isTransientRecipient)) {
    state.injectedFailures++;
    answerInternalFailure(outgoing);
    return;
  }
  const answer = await forward(upstream, incoming, body);
  const payload = Buffer.from(await answer.body.arrayBuffer());
  if (isSend && answer.statusCode === 200) countAccepted(state, sent, recipients);
  outgoing.statusCode = answer.statusCode;
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined && name !== 'transfer-encoding' && name !== 'connection') outgoing.setHeader(name, value);
  }
  outgoing.end(payload);
}

export async function startSesProxy(upstream: string): Promise<SesProxy> {
  const state: ProxyState = { accepted: 0, events: 0, injectedFailures: 0 };
  const server = createServer(async (incoming, outgoing) => {
    try {
      await proxy(upstream, state, incoming, outgoing);
    } catch (error) {
      outgoing.statusCode = 502;
      outgoing.end(JSON.stringify({ message: (error as Error).message }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get accepted() {
      return state.accepted;
    },
    get events() {
      return state.events;
    },
    get injectedFailures() {
      return state.injectedFailures;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
