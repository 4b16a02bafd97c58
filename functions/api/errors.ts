import { ExecutionAlreadyExists, ExecutionDoesNotExist } from '@aws-sdk/client-sfn';
import type * as z from 'zod';
import { CascadeError, type ErrorDetail, type ErrorKind, HttpProblem } from '#shared/errors';

export type { ErrorDetail };

/** Every API error body: `{"error":{"code","message","details"}}` (see ErrorResponse in schemas/common.ts). */
export interface ErrorBody {
  error: { code: string; message: string; details: unknown[] };
}

export const validationError = (details: ErrorDetail[], message = 'The request is invalid') =>
  new HttpProblem(400, 'validation_error', message, { details: details });

export const notFound = (what: string) => new HttpProblem(404, 'not_found', `${what} does not exist`);

export const conflict = (code: string, message: string, details: unknown[] = []) =>
  new HttpProblem(409, code, message, { details: details });

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

/** How each kind of core error is answered; `internal` and `unavailable` never show their message. */
const STATUS_OF_KIND: Record<ErrorKind, number | undefined> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unavailable: undefined,
  internal: undefined,
};

/** Step Functions refusals the operations routes let through: answered without the SDK's wording. */
function stepFunctionsProblem(error: unknown): HttpProblem | undefined {
  if (error instanceof ExecutionDoesNotExist)
    return new HttpProblem(404, 'not_found', 'The resource does not exist', { cause: error });
  if (error instanceof ExecutionAlreadyExists)
    return new HttpProblem(409, 'execution_exists', 'The request conflicts with the current state', { cause: error });
  return undefined;
}

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
 * Any error as an API error. Internals never leak: an error that is not an HttpProblem, a core error of a
 * client-facing kind or a middy HTTP error below 500 becomes a bare 500 `internal_error`.
 */
export function toApiError(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof CascadeError) {
    const status = STATUS_OF_KIND[error.kind];
    if (status !== undefined) return new HttpProblem(status, error.code, error.message, { cause: error });
  }
  const fromStepFunctions = stepFunctionsProblem(error);
  if (fromStepFunctions) return fromStepFunctions;
  const named = error as { message?: string; statusCode?: number; expose?: boolean; cause?: unknown };
  // The JSON body parser's answer to a body that is not JSON.
  if ((named?.cause as { package?: string } | undefined)?.package === '@middy/http-json-body-parser') {
    return new HttpProblem(400, 'invalid_json', 'The request body is not valid JSON', {
      details: [{ field: 'body', message: 'is not valid JSON' }],
      cause: error,
    });
  }
  const status = named?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && named.expose !== false) {
    return new HttpProblem(status, STATUS_CODES[status] ?? 'bad_request', named.message ?? 'Bad request', {
      cause: error,
    });
  }
  return new HttpProblem(500, 'internal_error', 'Internal server error', { cause: error });
}

export function errorBody(error: HttpProblem): ErrorBody {
  return { error: { code: error.code, message: error.message, details: error.details } };
}
