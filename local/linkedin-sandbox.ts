import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { LinkedInConnectionStatus } from '#shared/domain/schemas';
import { nowIso } from '#shared/time/clock';
import { listenOnLoopback } from './loopback';

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

export interface SandboxProfile {
  publicIdentifier: string;
  providerId: string;
  status: LinkedInConnectionStatus;
  firstName?: string;
  lastName?: string;
}

export interface SandboxInvitation {
  invitationId: string;
  providerId: string;
  publicIdentifier: string;
  /** The invitation note ('' when none). */
  text: string;
  timestamp: string;
}

export interface SandboxMessage {
  chatId: string;
  messageId: string;
  providerId: string;
  publicIdentifier: string;
  text: string;
  timestamp: string;
}

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

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(title);
  }
}

const NOTE_LIMIT = 300;
const MESSAGE_LIMIT = 8000;

const DEFAULT_PROBLEMS: Record<number, { type: string; title: string }> = {
  400: { type: 'errors/invalid_parameters', title: 'Invalid parameters' },
  401: { type: 'errors/disconnected_account', title: 'Disconnected account' },
  403: { type: 'errors/account_restricted', title: 'Account restricted' },
  404: { type: 'errors/resource_not_found', title: 'Resource not found.' },
  422: { type: 'errors/unprocessable_entity', title: 'Unprocessable entity' },
  429: { type: 'errors/too_many_requests', title: 'Too many requests' },
  500: { type: 'errors/unexpected_error', title: 'Unexpected error' },
  503: { type: 'errors/provider_error', title: 'Provider error' },
};

function problemBody(status: number, type?: string, title?: string, detail?: string): object {
  const fallback = DEFAULT_PROBLEMS[status] ?? DEFAULT_PROBLEMS[status >= 500 ? 500 : 400];
  return {
    title: title ?? fallback?.title ?? 'Error',
    ...(detail ? { detail } : {}),
    type: type ?? fallback?.type ?? 'errors/unexpected_error',
    status,
  };
}

function providerIdFor(publicIdentifier: string): string {
  return `ACoAA${createHash('sha256').update(publicIdentifier).digest('base64url').slice(0, 24)}`;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Reads a JSON, urlencoded or multipart body into field → values. */
async function readFields(req: IncomingMessage): Promise<Map<string, string[]>> {
  const raw = await readBody(req);
  const contentType = req.headers['content-type'] ?? '';
  const fields = new Map<string, string[]>();
  const add = (key: string, value: unknown) => {
    const name = key.replace(/\[\]$/, '');
    const values = Array.isArray(value) ? value.map(String) : [String(value)];
    fields.set(name, [...(fields.get(name) ?? []), ...values]);
  };
  if (contentType.includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpProblem(400, 'errors/malformed_request', 'Malformed request', 'The body is not valid JSON.');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new HttpProblem(400, 'errors/malformed_request', 'Malformed request', 'The body must be a JSON object.');
    }
    for (const [key, value] of Object.entries(parsed)) if (value !== undefined && value !== null) add(key, value);
    return fields;
  }
  if (contentType.includes('multipart/form-data') || contentType.includes('application/x-www-form-urlencoded')) {
    let form: FormData;
    try {
      form = await new Request('http://sandbox.invalid/', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: raw,
      }).formData();
    } catch {
      throw new HttpProblem(400, 'errors/malformed_request', 'Malformed request', 'The form body cannot be parsed.');
    }
    for (const [key, value] of form.entries()) add(key, typeof value === 'string' ? value : value.name);
    return fields;
  }
  throw new HttpProblem(
    400,
    'errors/malformed_request',
    'Malformed request',
    `Unsupported content type "${contentType}".`,
  );
}

function first(fields: Map<string, string[]>, name: string): string | undefined {
  return fields.get(name)?.[0];
}

export async function startLinkedInSandbox(options: LinkedInSandboxOptions): Promise<LinkedInSandbox> {
  const profiles = new Map<string, SandboxProfile>();
  const invitations: SandboxInvitation[] = [];
  const messages: SandboxMessage[] = [];
  const failures: Record<LinkedInSandboxEndpoint, Failure[]> = { profile: [], invite: [], chat: [] };
  const requestCount: Record<LinkedInSandboxEndpoint, number> = { profile: 0, invite: 0, chat: 0 };
  const chatIds = new Map<string, string>();

  const findProfile = (identifier: string): SandboxProfile | undefined =>
    profiles.get(identifier) ?? [...profiles.values()].find((profile) => profile.providerId === identifier);

  const send = (res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  };

  const profileView = (profile: SandboxProfile) => ({
    object: 'UserProfile',
    provider: 'LINKEDIN',
    provider_id: profile.providerId,
    public_identifier: profile.publicIdentifier,
    first_name: profile.firstName ?? null,
    last_name: profile.lastName ?? null,
    headline: '',
    websites: [],
    public_profile_url: `https://www.linkedin.com/in/${profile.publicIdentifier}`,
    is_relationship: profile.status === 'CONNECTED',
    network_distance: profile.status === 'CONNECTED' ? 'FIRST_DEGREE' : 'SECOND_DEGREE',
    ...(profile.status === 'CONNECTION_REQUESTED' ? { invitation: { type: 'SENT', status: 'PENDING' } } : {}),
  });

  const getProfileRoute = (identifier: string): { status: number; body: object } => {
    const profile = findProfile(identifier);
    if (!profile) {
      throw new HttpProblem(404, 'errors/resource_not_found', 'Resource not found.', `User "${identifier}" not found.`);
    }
    if (profile.status === 'BLOCKED') {
      throw new HttpProblem(422, 'errors/user_unreachable', 'User unreachable', 'The user cannot be reached.');
    }
    return { status: 200, body: profileView(profile) };
  };

  const inviteRoute = (fields: Map<string, string[]>): { status: number; body: object } => {
    const providerId = first(fields, 'provider_id');
    const accountId = first(fields, 'account_id');
    const note = first(fields, 'message') ?? '';
    if (!providerId || !accountId) {
      throw new HttpProblem(
        400,
        'errors/missing_parameters',
        'Missing parameters',
        'provider_id and account_id are required.',
      );
    }
    if (note.length > NOTE_LIMIT) {
      throw new HttpProblem(
        400,
        'errors/too_many_characters',
        'Too many characters',
        'The provided content exceeds the character limit.',
      );
    }
    const profile = findProfile(providerId);
    if (!profile)
      throw new HttpProblem(404, 'errors/resource_not_found', 'Resource not found.', 'Recipient not found.');
    switch (profile.status) {
      case 'BLOCKED':
        throw new HttpProblem(422, 'errors/blocked_recipient', 'Blocked recipient', 'The recipient cannot be invited.');
      case 'CONNECTION_REQUESTED':
        throw new HttpProblem(
          422,
          'errors/already_invited_recently',
          'Already invited recently',
          'An invitation is already pending.',
        );
      case 'CONNECTED':
        throw new HttpProblem(
          422,
          'errors/action_already_performed',
          'Action already performed',
          'Already a relation.',
        );
      case 'NOT_CONNECTED': {
        const invitationId = `inv_${randomBytes(8).toString('hex')}`;
        invitations.push({
          invitationId,
          providerId: profile.providerId,
          publicIdentifier: profile.publicIdentifier,
          text: note,
          timestamp: nowIso(),
        });
        profile.status = 'CONNECTION_REQUESTED';
        return { status: 200, body: { object: 'UserInvitationSent', invitation_id: invitationId } };
      }
    }
  };

  const chatRoute = (fields: Map<string, string[]>): { status: number; body: object } => {
    const accountId = first(fields, 'account_id');
    const attendees = fields.get('attendees_ids') ?? [];
    const text = first(fields, 'text');
    if (!accountId || attendees.length === 0 || text === undefined) {
      throw new HttpProblem(
        400,
        'errors/missing_parameters',
        'Missing parameters',
        'account_id, attendees_ids and text are required.',
      );
    }
    if (attendees.length > 1) {
      throw new HttpProblem(
        400,
        'errors/invalid_parameters',
        'Invalid parameters',
        'The sandbox supports 1:1 chats only.',
      );
    }
    if (text.length > MESSAGE_LIMIT) {
      throw new HttpProblem(
        400,
        'errors/too_many_characters',
        'Too many characters',
        'The provided content exceeds the character limit.',
      );
    }
    const profile = findProfile(attendees[0] ?? '');
    if (!profile) throw new HttpProblem(404, 'errors/resource_not_found', 'Resource not found.', 'Attendee not found.');
    if (profile.status === 'BLOCKED') {
      throw new HttpProblem(422, 'errors/blocked_recipient', 'Blocked recipient', 'The recipient cannot be messaged.');
    }
    if (profile.status !== 'CONNECTED') {
      throw new HttpProblem(
        422,
        'errors/no_connection_with_recipient',
        'No connection with recipient',
        'Not a relation.',
      );
    }
    let chatId = chatIds.get(profile.providerId);
    if (!chatId) {
      chatId = `chat_${randomBytes(8).toString('hex')}`;
      chatIds.set(profile.providerId, chatId);
    }
    const messageId = `msg_${randomBytes(8).toString('hex')}`;
    messages.push({
      chatId,
      messageId,
      providerId: profile.providerId,
      publicIdentifier: profile.publicIdentifier,
      text,
      timestamp: nowIso(),
    });
    return { status: 201, body: { object: 'ChatStarted', chat_id: chatId, message_id: messageId } };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const method = req.method ?? 'GET';
    const userMatch = /^\/api\/v1\/users\/([^/]+)$/.exec(url.pathname);
    let endpoint: LinkedInSandboxEndpoint | undefined;
    if (method === 'POST' && url.pathname === '/api/v1/users/invite') endpoint = 'invite';
    else if (method === 'POST' && url.pathname === '/api/v1/chats') endpoint = 'chat';
    else if (method === 'GET' && userMatch) endpoint = 'profile';
    if (!endpoint) {
      await readBody(req);
      send(res, 404, problemBody(404, 'errors/resource_not_found', 'Resource not found.', `${method} ${url.pathname}`));
      return;
    }
    requestCount[endpoint] += 1;
    if (req.headers['x-api-key'] !== options.apiKey) {
      await readBody(req);
      const missing = req.headers['x-api-key'] === undefined;
      send(
        res,
        401,
        problemBody(401, missing ? 'errors/missing_credentials' : 'errors/invalid_credentials', 'Unauthorized'),
      );
      return;
    }
    const failure = failures[endpoint].shift();
    if (failure && failure.status !== 0) {
      await readBody(req);
      const headers = { ...(failure.status === 429 ? { 'retry-after': '30' } : {}), ...failure.headers };
      send(res, failure.status, failure.body ?? problemBody(failure.status), headers);
      return;
    }
    let result: { status: number; body: object };
    if (endpoint === 'profile') {
      await readBody(req);
      if (!url.searchParams.get('account_id')) {
        throw new HttpProblem(400, 'errors/missing_parameters', 'Missing parameters', 'account_id is required.');
      }
      const identifier = decodeURIComponent(userMatch?.[1] ?? '');
      if (!findProfile(identifier) && options.discover) {
        const found = await options.discover(identifier);
        if (found && !findProfile(identifier)) {
          profiles.set(identifier, { publicIdentifier: identifier, providerId: providerIdFor(identifier), ...found });
        }
      }
      result = getProfileRoute(identifier);
    } else {
      const fields = await readFields(req);
      result = endpoint === 'invite' ? inviteRoute(fields) : chatRoute(fields);
    }
    if (failure) {
      // "Answer lost": the provider did the work, the caller never hears back.
      res.socket?.destroy();
      return;
    }
    send(res, result.status, result.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return;
      if (error instanceof HttpProblem) {
        send(res, error.status, problemBody(error.status, error.type, error.title, error.detail));
      } else {
        send(res, 500, problemBody(500, 'errors/unexpected_error', 'Unexpected error', (error as Error).message));
      }
    });
  });

  const port = await listenOnLoopback(server, options.port);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    invitations,
    messages,
    requestCount,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    seedProfile(seed) {
      const profile: SandboxProfile = {
        publicIdentifier: seed.publicIdentifier,
        providerId:
          seed.providerId ?? profiles.get(seed.publicIdentifier)?.providerId ?? providerIdFor(seed.publicIdentifier),
        status: seed.status,
        ...(seed.firstName ? { firstName: seed.firstName } : {}),
        ...(seed.lastName ? { lastName: seed.lastName } : {}),
      };
      profiles.set(seed.publicIdentifier, profile);
      return { ...profile };
    },
    getProfile(identifier) {
      const profile = findProfile(identifier);
      return profile ? { ...profile } : undefined;
    },
    failNext(endpoint, status, body, times = 1, headers) {
      for (let i = 0; i < times; i++) failures[endpoint].push({ status, body, headers });
    },
  };
}
