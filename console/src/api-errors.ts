/** The API's errors and paths, without the browser: unit tests and the root tsconfig import this file. */

/** Every API error, as the API describes it: `{"error":{"code","message","details"}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: { field: string; message: string; rule?: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** `/v1/campaigns` and `/campaigns` both mean the API's `/campaigns`. */
export function apiPath(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.replace(/^\/v1(?=\/|$)/, '') || '/';
}

/** Turns a failed response's body into an ApiError (a proxy's HTML page or empty body included). */
export function toApiError(status: number, body: string): ApiError {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    const error = parsed.error;
    if (error && typeof error.message === 'string')
      return new ApiError(
        status,
        typeof error.code === 'string' ? error.code : 'error',
        error.message,
        Array.isArray(error.details) ? error.details : [],
      );
    // API Gateway's own refusals: {"message":"Unauthorized"}
    const message = (parsed as { message?: unknown }).message;
    if (typeof message === 'string') return new ApiError(status, `http_${status}`, message);
  } catch {
    // not JSON: fall through
  }
  return new ApiError(status, `http_${status}`, `The API answered ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
}

/** A readable line for any error (ApiError details included) for the pages' `role="alert"` region. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const details = error.details.map((detail) => `${detail.field}: ${detail.message}`).join('; ');
    return details ? `${error.message} (${details})` : error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Builds `?a=1&b=2` from the defined values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
