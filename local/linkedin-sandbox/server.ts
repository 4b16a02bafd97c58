import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { LinkedInConnectionStatus } from '#shared/domain/schemas';
import { serveOnLoopback } from '../loopback';
import {
  type Fields,
  ProviderProblem,
  problem,
  problemBody,
  type SandboxAnswer,
  type SandboxInvitation,
  type SandboxMessage,
  SandboxNetwork,
  type SandboxProfile,
} from './network';

/**
 * In-process stand-in for the LinkedIn automation provider (Unipile's REST API shapes), on 127.0.0.1.
 *
 * - `GET  /api/v1/users/{identifier}?account_id=` → `UserProfile`; CONNECTED is a FIRST_DEGREE relationship,
 *   NOT_CONNECTED a SECOND_DEGREE non-relation, CONNECTION_REQUESTED carries `invitation: {type: SENT, status: PENDING}`
 *   (and stays pending forever unless re-seeded), BLOCKED answers 422 `errors/user_unreachable`; unknown → 404.
 * - `POST /api/v1/users/invite` JSON `{provider_id, account_id, message}`: NOT_CONNECTED → recorded, member becomes
 *   CONNECTION_REQUESTED; CONNECTION_REQUESTED → 422 `errors/already_invited_recently`; CONNECTED → 422
 *   `errors/action_already_performed`; BLOCKED → 422 `errors/blocked_recipient`; note > 300 → 400 `errors/too_many_characters`.
 * - `POST /api/v1/chats` multipart (or JSON) `account_id`, `attendees_ids`, `text`: CONNECTED → recorded, 201
 *   `ChatStarted`; not a relation → 422 `errors/no_connection_with_recipient`; BLOCKED → 422 `errors/blocked_recipient`;
 *   text > 8,000 → 400 `errors/too_many_characters`.
 * - Missing or wrong `X-API-KEY` → 401.
 */

export type LinkedInSandboxEndpoint = 'profile' | 'invite' | 'chat';

export interface LinkedInSandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  apiKey: string;
  /**
   * Asked about a public identifier nobody seeded before answering 404; what it returns is seeded (the
   * embedded API uses it to let imported leads' `linkedin_status` stand for the member's relation).
   */
  discover?: (
    publicIdentifier: string,
  ) => Promise<{ status: LinkedInConnectionStatus; firstName?: string; lastName?: string } | undefined>;
}

export interface LinkedInSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
  /** Adds or replaces a member (re-seeding with another status is how a test "accepts" an invitation). */
  seedProfile(profile: {
    publicIdentifier: string;
    status: LinkedInConnectionStatus;
    providerId?: string;
    firstName?: string;
    lastName?: string;
  }): SandboxProfile;
  getProfile(publicIdentifierOrProviderId: string): SandboxProfile | undefined;
  /** Accepted invitations, in order. */
  invitations: SandboxInvitation[];
  /** Accepted direct messages, in order. */
  messages: SandboxMessage[];
  /**
   * The next `times` (default 1) authenticated calls of `endpoint` answer `status` with `body` (default: a problem
   * document for that status). A 429 carries `Retry-After` (default 30 s; override with `headers`). Status 0 means
   * "answer lost": the call is processed (and recorded) normally, then the connection is destroyed unanswered.
   */
  failNext(
    endpoint: LinkedInSandboxEndpoint,
    status: number,
    body?: object,
    times?: number,
    headers?: Record<string, string>,
  ): void;
  /** Number of requests received per endpoint (authenticated or not). */
  requestCount: Record<LinkedInSandboxEndpoint, number>;
}

interface Failure {
  status: number;
  body?: object;
  headers?: Record<string, string>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON object's members as fields (`null` and absent ones left out). */
function jsonFields(raw: Buffer): [string, unknown][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw problem('malformed_request', 'The body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw problem('malformed_request', 'The body must be a JSON object.');
  }
  return Object.entries(parsed).filter(([, value]) => value !== undefined && value !== null);
}

/** A multipart or urlencoded body's fields, read by the platform's own parser (undici); a file gives its name. */
async function formFields(raw: Buffer, contentType: string): Promise<[string, unknown][]> {
  let form: FormData;
  try {
    form = await new Request('http://sandbox.invalid/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: raw,
    }).formData();
  } catch {
    throw problem('malformed_request', 'The form body cannot be parsed.');
  }
  return [...form.entries()].map(([key, value]) => [key, typeof value === 'string' ? value : value.name]);
}

/** Reads a JSON, urlencoded or multipart body into field → values (`name[]` is read as `name`). */
async function readFields(req: IncomingMessage): Promise<Fields> {
  const raw = await readBody(req);
  const contentType = req.headers['content-type'] ?? '';
  let entries: [string, unknown][];
  if (contentType.includes('application/json')) entries = jsonFields(raw);
  else if (contentType.includes('multipart/form-data') || contentType.includes('application/x-www-form-urlencoded'))
    entries = await formFields(raw, contentType);
  else throw problem('malformed_request', `Unsupported content type "${contentType}".`);
  const fields: Fields = new Map();
  for (const [key, value] of entries) {
    const name = key.replace(/\[\]$/, '');
    const values = Array.isArray(value) ? value.map(String) : [String(value)];
    fields.set(name, [...(fields.get(name) ?? []), ...values]);
  }
  return fields;
}

function send(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Which endpoint a request is for (undefined: none, answered 404), and the still-encoded identifier of a lookup. */
function endpointOf(method: string, pathname: string): { endpoint?: LinkedInSandboxEndpoint; identifier?: string } {
  if (method === 'POST' && pathname === '/api/v1/users/invite') return { endpoint: 'invite' };
  if (method === 'POST' && pathname === '/api/v1/chats') return { endpoint: 'chat' };
  const user = /^\/api\/v1\/users\/([^/]+)$/.exec(pathname);
  if (method === 'GET' && user) return { endpoint: 'profile', identifier: user[1] };
  return {};
}

/** What one sandbox keeps between requests. */
interface SandboxState {
  options: LinkedInSandboxOptions;
  network: SandboxNetwork;
  failures: Record<LinkedInSandboxEndpoint, Failure[]>;
  requestCount: Record<LinkedInSandboxEndpoint, number>;
}

/** A profile lookup; a member nobody seeded may be found first where `discover` looks (the stored leads). */
async function lookUpProfile(state: SandboxState, url: URL, encodedIdentifier: string): Promise<SandboxAnswer> {
  const { network, options } = state;
  if (!url.searchParams.get('account_id')) throw problem('missing_parameters', 'account_id is required.');
  const identifier = decodeURIComponent(encodedIdentifier);
  if (!network.find(identifier) && options.discover) {
    const found = await options.discover(identifier);
    if (found && !network.find(identifier)) network.discovered(identifier, found);
  }
  return network.profile(identifier);
}

/** One request: a known endpoint, the API key, an injected failure, then what the provider does. */
async function handleRequest(state: SandboxState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const method = req.method ?? 'GET';
  const { endpoint, identifier = '' } = endpointOf(method, url.pathname);
  if (!endpoint) {
    await readBody(req);
    send(res, 404, problemBody(404, 'errors/resource_not_found', 'Resource not found.', `${method} ${url.pathname}`));
    return;
  }
  state.requestCount[endpoint] += 1;
  if (req.headers['x-api-key'] !== state.options.apiKey) {
    await readBody(req);
    const missing = req.headers['x-api-key'] === undefined;
    const type = missing ? 'errors/missing_credentials' : 'errors/invalid_credentials';
    send(res, 401, problemBody(401, type, 'Unauthorized'));
    return;
  }
  const failure = state.failures[endpoint].shift();
  if (failure && failure.status !== 0) {
    await readBody(req);
    const headers = { ...(failure.status === 429 ? { 'retry-after': '30' } : {}), ...failure.headers };
    send(res, failure.status, failure.body ?? problemBody(failure.status), headers);
    return;
  }
  let answer: SandboxAnswer;
  if (endpoint === 'profile') {
    await readBody(req);
    answer = await lookUpProfile(state, url, identifier);
  } else {
    const fields = await readFields(req);
    answer = endpoint === 'invite' ? state.network.invite(fields) : state.network.chat(fields);
  }
  // "Answer lost" (status 0): the provider did the work, the caller never hears back.
  if (failure) res.socket?.destroy();
  else send(res, answer.status, answer.body);
}

export async function startLinkedInSandbox(options: LinkedInSandboxOptions): Promise<LinkedInSandbox> {
  const state: SandboxState = {
    options,
    network: new SandboxNetwork(),
    failures: { profile: [], invite: [], chat: [] },
    requestCount: { profile: 0, invite: 0, chat: 0 },
  };
  const { network, failures } = state;
  const server = createServer((req, res) => {
    handleRequest(state, req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      if (error instanceof ProviderProblem) {
        send(res, error.status, problemBody(error.status, error.type, error.title, error.detail));
      } else {
        send(res, 500, problemBody(500, 'errors/unexpected_error', 'Unexpected error', (error as Error).message));
      }
    });
  });

  return {
    ...(await serveOnLoopback(server, options.port)),
    invitations: network.invitations,
    messages: network.messages,
    requestCount: state.requestCount,
    seedProfile: (seed) => ({ ...network.seed(seed) }),
    getProfile(identifier) {
      const profile = network.find(identifier);
      return profile ? { ...profile } : undefined;
    },
    failNext(endpoint, status, body, times = 1, headers) {
      for (let i = 0; i < times; i++) failures[endpoint].push({ status, body, headers });
    },
  };
}
