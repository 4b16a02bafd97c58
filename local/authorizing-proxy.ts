import { randomUUID } from 'node:crypto';
import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { buffer } from 'node:stream/consumers';
import { describeRequest } from './aws-requests/describe';
import type { AccountNames, AwsService } from './aws-requests/wire';
import { type AuthorizationDecision, accessKeyIdOf, type IamAuthorizer } from './iam';

/** What the proxy asks (an `IamAuthorizer`, or one that defers to it once the template's roles are known). */
export type Authorizer = Pick<IamAuthorizer, 'authorize'>;

import { listenOnLoopback } from './loopback';
import { s3Request } from './s3/request';
import { s3ErrorXml } from './s3/xml';

/**
 * IAM in front of a local peer that has none (dynalite, aws-ses-v2-local): each request is read whole, described
 * (action, resources) and authorized for the role its access key names; an allowed one goes to the peer byte for
 * byte, a denied one gets the AccessDeniedException the real service sends, in that service's protocol (S3's REST
 * XML `AccessDenied`, and S3's 403 for a missing key when the caller may not list the bucket). Our own
 * peers (SSM, Step Functions, EventBridge) call `checkRequest` and `sendDenial` instead of sitting behind this.
 */

export interface DenialResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  message: string;
}

/**
 * How each JSON protocol service words the error. The SDK takes the code from `__type` (the part after `#`), so
 * `error.name` is `AccessDeniedException` either way; the bodies follow what the services are seen to send
 * (DynamoDB: coral namespace and `Message`; SSM: bare type).
 */
const JSON_DENIAL: Record<
  Exclude<AwsService, 'ses' | 's3'>,
  { contentType: string; type: string; messageKey: string; status?: number; headers?: Record<string, string> }
> = {
  dynamodb: {
    contentType: 'application/x-amz-json-1.0',
    type: 'com.amazon.coral.service#AccessDeniedException',
    messageKey: 'Message',
  },
  states: {
    contentType: 'application/x-amz-json-1.0',
    type: 'com.amazon.coral.service#AccessDeniedException',
    messageKey: 'message',
  },
  ssm: { contentType: 'application/x-amz-json-1.1', type: 'AccessDeniedException', messageKey: 'message' },
  events: { contentType: 'application/x-amz-json-1.1', type: 'AccessDeniedException', messageKey: 'message' },
  // SQS's JSON protocol is query compatible: the legacy code and fault travel in `x-amzn-query-error` (the SDK
  // names the error `AccessDenied` after it); HTTP 403.
  sqs: {
    contentType: 'application/x-amz-json-1.0',
    type: 'com.amazon.coral.service#AccessDeniedException',
    messageKey: 'Message',
    status: 403,
    headers: { 'x-amzn-query-error': 'AccessDenied;Sender' },
  },
};

/**
 * The wire answer to a denied request: JSON protocols HTTP 400 with `__type`; the SES v2 REST API HTTP 403; S3 HTTP
 * 403 with an XML `<Error><Code>AccessDenied</Code>…` (the SDK names the error `AccessDenied`; a HEAD gets no body,
 * as from S3).
 */
export function denialResponse(service: AwsService, message: string): DenialResponse {
  const requestId = randomUUID();
  if (service === 's3') {
    const s3RequestId = requestId.replace(/-/g, '').slice(0, 16).toUpperCase();
    const hostId = Buffer.from(randomUUID()).toString('base64');
    return {
      status: 403,
      headers: { 'content-type': 'application/xml', 'x-amz-request-id': s3RequestId, 'x-amz-id-2': hostId },
      body: s3ErrorXml('AccessDenied', message, { RequestId: s3RequestId, HostId: hostId }),
      message,
    };
  }
  if (service === 'ses') {
    return {
      status: 403,
      headers: {
        'content-type': 'application/json',
        'x-amzn-errortype': 'AccessDeniedException',
        'x-amzn-requestid': requestId,
      },
      body: JSON.stringify({ message }),
      message,
    };
  }
  const { contentType, type, messageKey, status = 400, headers } = JSON_DENIAL[service];
  return {
    status,
    headers: { 'content-type': contentType, 'x-amzn-requestid': requestId, ...headers },
    body: JSON.stringify({ __type: type, [messageKey]: message }),
    message,
  };
}

/** Answers a request with a denial from `checkRequest` (or one built from a message with `denialResponse`). */
export function writeDenial(res: ServerResponse, denial: DenialResponse): void {
  res.writeHead(denial.status, { ...denial.headers, 'content-length': Buffer.byteLength(denial.body) });
  res.end(denial.body);
}

export function sendDenial(res: ServerResponse, service: AwsService, message: string): void {
  writeDenial(res, denialResponse(service, message));
}

/**
 * SES words a denial its own way: ``User `arn' is not authorized to perform `ses:SendEmail' on resource `arn'``;
 * S3 quotes the resource: `… on resource: "arn:aws:s3:::bucket/key" because …`; SQS lower-cases the action.
 */
function wording(service: AwsService, decision: Exclude<AuthorizationDecision, { allowed: true }>): string {
  const { denial } = decision;
  if (service === 's3')
    return decision.message.replace(`on resource: ${denial.resource}`, `on resource: "${denial.resource}"`);
  // SQS names the action in lower case: `… not authorized to perform: sqs:sendmessage on resource: …`.
  if (service === 'sqs') return decision.message.replaceAll(denial.action, denial.action.toLowerCase());
  if (service !== 'ses' || !denial.principal) return decision.message;
  return `User \`${denial.principal}' is not authorized to perform \`${denial.action}' on resource \`${denial.resource}'`;
}

/**
 * For a peer that handles requests itself: the denial to send, or undefined when the caller may go on.
 * `body` is the request body the peer has already read.
 */
export async function checkRequest(
  service: AwsService,
  req: IncomingMessage,
  body: Buffer,
  authorizer: Authorizer,
  names: AccountNames,
): Promise<DenialResponse | undefined> {
  const wire = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
  const decision = await authorizer.authorize(
    accessKeyIdOf(req.headers, wire.path),
    describeRequest(service, wire, names),
  );
  return decision.allowed ? undefined : denialResponse(service, wording(service, decision));
}

/**
 * S3 answers a read of a missing key with 404 NoSuchKey only to a caller that may list the bucket; to any other it
 * is 403 AccessDenied (naming s3:ListBucket), so that keys cannot be probed. For the peer's 404 to a GetObject or
 * HeadObject: the denial to send instead, or undefined when the 404 stands.
 */
export async function reviewS3Answer(
  status: number,
  req: IncomingMessage,
  authorizer: Authorizer,
): Promise<DenialResponse | undefined> {
  if (status !== 404) return undefined;
  const wire = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers };
  const { operation, bucket } = s3Request(wire);
  if ((operation !== 'GetObject' && operation !== 'HeadObject') || !bucket) return undefined;
  const decision = await authorizer.authorize(accessKeyIdOf(req.headers, wire.path), [
    { action: 's3:ListBucket', resources: [`arn:aws:s3:::${bucket}`] },
  ]);
  return decision.allowed ? undefined : denialResponse('s3', wording('s3', decision));
}

export interface AuthorizingProxy {
  /** Where the functions' SDK clients point (`http://127.0.0.1:<port>`). */
  endpoint: string;
  close(): Promise<void>;
}

export interface AuthorizingProxyOptions {
  /** The real peer, `http://127.0.0.1:<port>`. */
  target: string;
  service: AwsService;
  authorizer: Authorizer;
  names: AccountNames;
}

/** Connection-scoped headers are the proxy's own on each side; everything else passes unchanged. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
}

function fail(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** A second look at the peer's status before its answer is relayed: a denial to send instead, or undefined. */
type Review = (status: number) => Promise<DenialResponse | undefined>;

/**
 * Sends the buffered request to the peer and streams the peer's answer back as it arrives (after `review`, when
 * given, has let it through).
 */
function forward(
  target: URL,
  agent: Agent,
  incoming: IncomingMessage,
  body: Buffer,
  outgoing: ServerResponse,
  review?: Review,
): void {
  const headers = endToEnd(incoming.headers);
  // The body was read whole, so it goes out with its length (a chunked request arrives de-chunked).
  if (body.length > 0 || incoming.headers['content-length'] !== undefined) headers['content-length'] = `${body.length}`;
  const upstream = httpRequest(
    { hostname: target.hostname, port: target.port, method: incoming.method, path: incoming.url, headers, agent },
    (answer) => {
      const relay = () => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
        answer.pipe(outgoing);
        answer.on('error', () => outgoing.destroy());
      };
      if (!review) return relay();
      review(answer.statusCode ?? 502).then(
        (denial) => {
          if (!denial) return relay();
          answer.resume();
          writeDenial(outgoing, denial);
        },
        (error: Error) => {
          answer.resume();
          fail(outgoing, 500, `authorizing proxy: ${error.message}`);
        },
      );
    },
  );
  // Headers and body leave as separate writes: without this, Nagle's algorithm holds the body back until the
  // peer's delayed ACK (~40 ms a request on loopback).
  upstream.setNoDelay(true);
  upstream.on('error', (error) => fail(outgoing, 502, `the local peer at ${target.origin} failed: ${error.message}`));
  // A client that gives up (an SDK timeout) must not leave the peer's answer streaming into nothing.
  outgoing.on('close', () => {
    if (!outgoing.writableFinished) upstream.destroy();
  });
  upstream.end(body);
}

export async function startAuthorizingProxy(options: AuthorizingProxyOptions): Promise<AuthorizingProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true });
  const server = createServer(async (incoming, outgoing) => {
    try {
      const body = await buffer(incoming);
      const denial = await checkRequest(options.service, incoming, body, options.authorizer, options.names);
      if (denial) writeDenial(outgoing, denial);
      else {
        const review =
          options.service === 's3'
            ? (status: number) => reviewS3Answer(status, incoming, options.authorizer)
            : undefined;
        forward(target, agent, incoming, body, outgoing, review);
      }
    } catch (error) {
      fail(outgoing, 500, `authorizing proxy: ${(error as Error).message}`);
    }
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
