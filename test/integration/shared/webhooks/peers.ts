import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Local peers for the webhook delivery tests: an SQS endpoint that records sent messages, and a receiver. */

export interface SentMessage {
  body: Record<string, unknown>;
  delaySeconds: number;
}

export interface SqsPeer {
  endpoint: string;
  queueUrl: string;
  sent: SentMessage[];
  close(): Promise<void>;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

const closing = (server: Server) => () =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

function readBody(request: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** Answers the SQS JSON protocol's SendMessage (`X-Amz-Target: AmazonSQS.SendMessage`) and keeps what was sent. */
export async function startSqsPeer(): Promise<SqsPeer> {
  const sent: SentMessage[] = [];
  const server = createServer(async (request, response) => {
    const text = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    response.setHeader('content-type', 'application/x-amz-json-1.0');
    if (target !== 'AmazonSQS.SendMessage') {
      response.writeHead(400).end(JSON.stringify({ __type: 'UnsupportedOperation', message: target }));
      return;
    }
    const input = JSON.parse(text) as { MessageBody: string; DelaySeconds?: number };
    sent.push({ body: JSON.parse(input.MessageBody), delaySeconds: input.DelaySeconds ?? 0 });
    const md5 = createHash('md5').update(input.MessageBody).digest('hex');
    response.writeHead(200).end(JSON.stringify({ MessageId: randomUUID(), MD5OfMessageBody: md5 }));
  });
  const endpoint = await listen(server);
  return { endpoint, queueUrl: `${endpoint}/000000000000/EventDeliveryQueue`, sent, close: closing(server) };
}

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  /** How the next requests are answered: a status code, or 'hang-up' to close the connection unanswered. */
  answer: number | 'hang-up';
  /** How long each answer takes. */
  delayMs: number;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver = { received: [] as ReceivedRequest[], answer: 200 as number | 'hang-up', delayMs: 0 } as Receiver;
  const answer = (response: ServerResponse) => {
    if (receiver.answer === 'hang-up') response.socket?.destroy();
    else response.writeHead(receiver.answer).end();
  };
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    receiver.received.push({ headers: request.headers, body });
    setTimeout(() => answer(response), receiver.delayMs);
  });
  receiver.url = `${await listen(server)}/hooks`;
  receiver.close = closing(server);
  return receiver;
}
