/**
 * Cascade's one error family. Every error the code raises on purpose is a `CascadeError`: a stable machine
 * `code`, a transport-free `kind` the adapters map once (the HTTP status in functions/api/errors.ts), and the
 * error it wraps as `cause` (never dropped). Task errors keep the exact names the state machine's Retry/Catch
 * match (infra/outreach-states.ts).
 */

/** What went wrong, independent of how it is reported; adapters map kinds, never class names. */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'unavailable'
  | 'internal';

export interface CascadeErrorOptions {
  cause?: unknown;
}

export abstract class CascadeError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;

  constructor(message: string, options: CascadeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/**
 * The base of an error class with a fixed name, code and kind, declared in one line:
 * `export class DuplicateLeadError extends CodedError('DuplicateLeadError', 'duplicate_lead', 'conflict') {}`.
 * The name is spelled out (not taken from the class) so minified bundles keep the names Retry/Catch match.
 */
export function CodedError(name: string, code: string, kind: ErrorKind) {
  return class extends CascadeError {
    override name = name;
    readonly code = code;
    readonly kind = kind;
  };
}

/** A field-level problem with an input: `{ field: 'sender.email', message: 'Invalid email address' }`. */
export interface ErrorDetail {
  field: string;
  message: string;
}

export interface HttpProblemOptions extends CascadeErrorOptions {
  details?: unknown[];
  headers?: Record<string, string>;
}

const KIND_OF_STATUS: [number, ErrorKind][] = [
  [401, 'unauthorized'],
  [403, 'forbidden'],
  [404, 'not_found'],
  [409, 'conflict'],
  [503, 'unavailable'],
];

/**
 * The one HTTP-problem shape (`{"error":{code, message, details}}` on the wire): what the API answers, what
 * the CLI reads back, what the local routes and `cascade simulate` refuse with.
 */
export class HttpProblem extends CascadeError {
  override name = 'HttpProblem';
  readonly kind: ErrorKind;
  readonly details: unknown[];
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: HttpProblemOptions = {},
  ) {
    super(message, options);
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
    this.kind =
      KIND_OF_STATUS.find(([candidate]) => candidate === status)?.[1] ?? (status < 500 ? 'invalid' : 'internal');
  }
}

/**
 * Errors a channel Lambda throws to the state machine. Their names are exactly the names the state
 * machine's Retry/Catch blocks match in ErrorEquals (see infra/outreach-states.ts).
 */
export class InvalidTaskInputError extends CodedError('InvalidTaskInputError', 'invalid_task_input', 'invalid') {}

export class LeadNotFoundError extends CodedError('LeadNotFoundError', 'lead_not_found', 'not_found') {}

/** DynamoDB throttled or unavailable before any provider call: safe for Step Functions to retry. */
export class StoreUnavailableError extends CodedError('StoreUnavailableError', 'store_unavailable', 'unavailable') {}

/** The delivery check found a permanent bounce: the state machine falls back to the next step. */
export class EmailBouncedError extends CodedError('EmailBouncedError', 'email_bounced', 'conflict') {}

/** The delivery check found a complaint: the state machine stops the sequence. */
export class LeadComplainedError extends CodedError('LeadComplainedError', 'lead_complained', 'conflict') {}

/**
 * Wait For Person found the event already happened (an invite accepted before the wait was registered): the
 * state machine catches it and goes on at once, as if the token had been answered.
 */
export class PersonAlreadyAnsweredError extends CodedError(
  'PersonAlreadyAnsweredError',
  'person_answered',
  'conflict',
) {}

/** DynamoDB's throttling errors once the SDK's own retries are spent. */
const STORE_THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
]);

/** A throttled or briefly failing store becomes the error the state machine retries with backoff. */
export function asStoreUnavailable(error: unknown): unknown {
  const name = (error as { name?: string })?.name ?? '';
  return STORE_THROTTLING.has(name)
    ? new StoreUnavailableError(`${name}: ${(error as Error).message}`, { cause: error })
    : error;
}

export const RETRYABLE_TASK_ERRORS = ['StoreUnavailableError'] as const;
export const FATAL_TASK_ERRORS = ['InvalidTaskInputError', 'LeadNotFoundError'] as const;
