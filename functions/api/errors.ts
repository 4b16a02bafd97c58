import type * as z from 'zod';

/** One problem with one input field: `{ field: 'sender.email', message: 'Invalid email address' }`. */
export interface ErrorDetail {
  field: string;
  message: string;
}

/** Every API error body: `{"error":{"code","message","details"}}` (see ErrorResponse in schemas.ts). */
export interface ErrorBody {
  error: { code: string; message: string; details: unknown[] };
}

/** An error the API answers as is: its status, a stable machine code, a message and details. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const validationError = (details: ErrorDetail[], message = 'The request is invalid') =>
  new ApiError(400, 'validation_error', message, details);

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} does not exist`);

export const conflict = (code: string, message: string, details: unknown[] = []) =>
  new ApiError(409, code, message, details);

/** `a.b.0.c` for a zod issue path; `prefix` when the issue is about the value as a whole. */
export function fieldOf(path: readonly PropertyKey[], prefix = 'body'): string {
  return path.length === 0 ? prefix : path.map(String).join('.');
}

/** Field-level details for a zod error; keys of `unrecognized_keys` issues each get their own entry. */
export function zodDetails(error: z.ZodError, prefix = 'body'): ErrorDetail[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: fieldOf([...issue.path, key], prefix),
        message: 'is not a known field',
      }));
    }
    const message =
      issue.code === 'invalid_type' && /received undefined$/.test(issue.message) ? 'is required' : issue.message;
    return [{ field: fieldOf(issue.path, prefix), message }];
  });
}

/** Domain errors of the core, by name, mapped to API statuses and codes. */
const DOMAIN_ERRORS: Record<string, { status: number; code: string; expose: boolean }> = {
  NotFoundError: { status: 404, code: 'not_found', expose: true },
  OutreachNotAllowedError: { status: 409, code: 'outreach_not_allowed', expose: true },
  CampaignNotActiveError: { status: 409, code: 'campaign_not_active', expose: true },
  LeadStatusConflictError: { status: 409, code: 'lead_status_conflict', expose: true },
  DuplicateLeadError: { status: 409, code: 'duplicate_lead', expose: true },
  CampaignExistsError: { status: 409, code: 'campaign_exists', expose: true },
  CampaignConflictError: { status: 409, code: 'campaign_conflict', expose: true },
  ExecutionDoesNotExist: { status: 404, code: 'not_found', expose: false },
  ExecutionAlreadyExists: { status: 409, code: 'execution_exists', expose: false },
};

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
};

/**
 * Any error as an API error. Internals never leak: an error that is not an ApiError, a known domain
 * error or a middy HTTP error below 500 becomes a bare 500 `internal_error`.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const named = error as { name?: string; message?: string; statusCode?: number; expose?: boolean; cause?: unknown };
  const domain = named?.name ? DOMAIN_ERRORS[named.name] : undefined;
  if (domain) {
    const message = domain.expose ? (named.message ?? named.name ?? '') : domainMessage(domain.status);
    return new ApiError(domain.status, domain.code, message);
  }
  // The JSON body parser's answer to a body that is not JSON.
  if ((named?.cause as { package?: string } | undefined)?.package === '@middy/http-json-body-parser') {
    return new ApiError(400, 'invalid_json', 'The request body is not valid JSON', [
      { field: 'body', message: 'is not valid JSON' },
    ]);
  }
  const status = named?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && named.expose !== false) {
    return new ApiError(status, STATUS_CODES[status] ?? 'bad_request', named.message ?? 'Bad request');
  }
  return new ApiError(500, 'internal_error', 'Internal server error');
}

function domainMessage(status: number): string {
  return status === 404 ? 'The resource does not exist' : 'The request conflicts with the current state';
}

export function errorBody(error: ApiError): ErrorBody {
  return { error: { code: error.code, message: error.message, details: error.details } };
}
