import { createHash, randomBytes } from 'node:crypto';
import type { LinkedInConnectionStatus } from '#shared/domain/schemas';
import { HttpProblem } from '#shared/errors';
import { nowIso } from '#shared/time/clock';

/*
 * The LinkedIn sandbox's members and what the provider does for each request (Unipile's rules): who can be
 * looked up, invited or messaged, and the problem documents it answers otherwise. HTTP lives in server.ts.
 */

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
  /** The provider account it went through (`account_id`). */
  accountId: string;
}

export interface SandboxMessage {
  chatId: string;
  messageId: string;
  providerId: string;
  publicIdentifier: string;
  text: string;
  timestamp: string;
}

export interface SandboxAnswer {
  status: number;
  body: object;
}

/** A request field → its values (JSON arrays and repeated form fields give several). */
export type Fields = Map<string, string[]>;

/** An answer in the provider's problem-document shape, thrown where the request is turned down. */
export class ProviderProblem extends HttpProblem {
  override name = 'ProviderProblem';
  constructor(
    status: number,
    readonly type: string,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(status, type, title);
  }
}

/** The provider's problems this sandbox gives: `errors/<kind>` with its status and title. */
const PROBLEMS = {
  resource_not_found: { status: 404, title: 'Resource not found.' },
  user_unreachable: { status: 422, title: 'User unreachable' },
  missing_parameters: { status: 400, title: 'Missing parameters' },
  invalid_parameters: { status: 400, title: 'Invalid parameters' },
  malformed_request: { status: 400, title: 'Malformed request' },
  too_many_characters: { status: 400, title: 'Too many characters' },
  blocked_recipient: { status: 422, title: 'Blocked recipient' },
  already_invited_recently: { status: 422, title: 'Already invited recently' },
  action_already_performed: { status: 422, title: 'Action already performed' },
  no_connection_with_recipient: { status: 422, title: 'No connection with recipient' },
} as const;

export function problem(kind: keyof typeof PROBLEMS, detail: string): ProviderProblem {
  const { status, title } = PROBLEMS[kind];
  return new ProviderProblem(status, `errors/${kind}`, title, detail);
}

/** What a failure injected with only a status answers (`failNext` without a body). */
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

export function problemBody(status: number, type?: string, title?: string, detail?: string): object {
  const fallback = DEFAULT_PROBLEMS[status] ?? DEFAULT_PROBLEMS[status >= 500 ? 500 : 400];
  return {
    title: title ?? fallback?.title ?? 'Error',
    ...(detail ? { detail } : {}),
    type: type ?? fallback?.type ?? 'errors/unexpected_error',
    status,
  };
}

const NOTE_LIMIT = 300;
const MESSAGE_LIMIT = 8000;
const TOO_LONG = 'The provided content exceeds the character limit.';

export function providerIdFor(publicIdentifier: string): string {
  return `ACoAA${createHash('sha256').update(publicIdentifier).digest('base64url').slice(0, 24)}`;
}

const first = (fields: Fields, name: string): string | undefined => fields.get(name)?.[0];
const newId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

function profileView(profile: SandboxProfile): object {
  return {
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
  };
}

/** The sandbox's members, keyed by public identifier, and what was accepted from the caller. */
export class SandboxNetwork {
  private readonly profiles = new Map<string, SandboxProfile>();
  private readonly chatIds = new Map<string, string>();
  readonly invitations: SandboxInvitation[] = [];
  readonly messages: SandboxMessage[] = [];

  find(identifier: string): SandboxProfile | undefined {
    return (
      this.profiles.get(identifier) ?? [...this.profiles.values()].find((profile) => profile.providerId === identifier)
    );
  }

  /** Adds or replaces a member, keeping the provider id it already had unless one is given. */
  seed(seed: Omit<SandboxProfile, 'providerId'> & { providerId?: string }): SandboxProfile {
    const profile: SandboxProfile = {
      publicIdentifier: seed.publicIdentifier,
      providerId:
        seed.providerId ?? this.profiles.get(seed.publicIdentifier)?.providerId ?? providerIdFor(seed.publicIdentifier),
      status: seed.status,
      ...(seed.firstName ? { firstName: seed.firstName } : {}),
      ...(seed.lastName ? { lastName: seed.lastName } : {}),
    };
    this.profiles.set(seed.publicIdentifier, profile);
    return profile;
  }

  /** A member found elsewhere (the stored leads), kept as the sandbox would have been seeded with it. */
  discovered(publicIdentifier: string, found: Omit<SandboxProfile, 'publicIdentifier' | 'providerId'>): void {
    this.profiles.set(publicIdentifier, { publicIdentifier, providerId: providerIdFor(publicIdentifier), ...found });
  }

  /** `GET /api/v1/users/{identifier}`. */
  profile(identifier: string): SandboxAnswer {
    const profile = this.find(identifier);
    if (!profile) throw problem('resource_not_found', `User "${identifier}" not found.`);
    if (profile.status === 'BLOCKED') throw problem('user_unreachable', 'The user cannot be reached.');
    return { status: 200, body: profileView(profile) };
  }

  /** `POST /api/v1/users/invite`: a NOT_CONNECTED member is invited and becomes CONNECTION_REQUESTED. */
  invite(fields: Fields): SandboxAnswer {
    const providerId = first(fields, 'provider_id');
    const note = first(fields, 'message') ?? '';
    if (!providerId || !first(fields, 'account_id'))
      throw problem('missing_parameters', 'provider_id and account_id are required.');
    if (note.length > NOTE_LIMIT) throw problem('too_many_characters', TOO_LONG);
    const profile = this.find(providerId);
    if (!profile) throw problem('resource_not_found', 'Recipient not found.');
    switch (profile.status) {
      case 'BLOCKED':
        throw problem('blocked_recipient', 'The recipient cannot be invited.');
      case 'CONNECTION_REQUESTED':
        throw problem('already_invited_recently', 'An invitation is already pending.');
      case 'CONNECTED':
        throw problem('action_already_performed', 'Already a relation.');
      case 'NOT_CONNECTED': {
        const invitationId = newId('inv');
        const { providerId: recipient, publicIdentifier } = profile;
        this.invitations.push({
          invitationId,
          providerId: recipient,
          publicIdentifier,
          text: note,
          timestamp: nowIso(),
          accountId: first(fields, 'account_id') ?? '',
        });
        profile.status = 'CONNECTION_REQUESTED';
        return { status: 200, body: { object: 'UserInvitationSent', invitation_id: invitationId } };
      }
    }
  }

  /** `POST /api/v1/chats`: a 1:1 message to a CONNECTED member, in the chat kept with them. */
  chat(fields: Fields): SandboxAnswer {
    const attendees = fields.get('attendees_ids') ?? [];
    const text = first(fields, 'text');
    if (!first(fields, 'account_id') || attendees.length === 0 || text === undefined)
      throw problem('missing_parameters', 'account_id, attendees_ids and text are required.');
    if (attendees.length > 1) throw problem('invalid_parameters', 'The sandbox supports 1:1 chats only.');
    if (text.length > MESSAGE_LIMIT) throw problem('too_many_characters', TOO_LONG);
    const profile = this.find(attendees[0] ?? '');
    if (!profile) throw problem('resource_not_found', 'Attendee not found.');
    if (profile.status === 'BLOCKED') throw problem('blocked_recipient', 'The recipient cannot be messaged.');
    if (profile.status !== 'CONNECTED') throw problem('no_connection_with_recipient', 'Not a relation.');
    const chatId = this.chatIds.get(profile.providerId) ?? newId('chat');
    this.chatIds.set(profile.providerId, chatId);
    const messageId = newId('msg');
    const { providerId, publicIdentifier } = profile;
    this.messages.push({ chatId, messageId, providerId, publicIdentifier, text, timestamp: nowIso() });
    return { status: 201, body: { object: 'ChatStarted', chat_id: chatId, message_id: messageId } };
  }
}
