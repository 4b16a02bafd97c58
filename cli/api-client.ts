import { randomUUID } from 'node:crypto';
import { HttpProblem } from '#shared/errors';
import { type ApiAuthMode, createSigv4Signer, type RequestSigner, resolveAuthMode } from './sigv4';

/**
 * The CLI's HTTP client for the operator API (docs/product.md §7): JSON in and out, a bearer token (`cascade
 * serve`) or a SigV4 signature (deployed, behind API Gateway's IAM authoriser), and the API's error shape `{"error":{"code","message","details"}}` turned into one line
 * `<code>: <message> (<field>: <msg>; …)` (the CLI prefixes `cascade: `).
 */

export interface ApiClientOptions {
  /** `http://host:port` or `http://host:port/v1` (a deployed API's endpoint with or without the prefix). */
  baseUrl: string;
  token?: string;
  /** Default: `--auth`, else `CASCADE_API_AUTH`, else `iam` for an execute-api URL and `token` elsewhere. */
  auth?: ApiAuthMode;
  /** Signs `iam` requests (default: SigV4 from the default AWS credential chain, loaded on first use). */
  signer?: RequestSigner;
  /** Per request (default 60 s). */
  timeoutMs?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON value, or a string or bytes sent as is with `contentType`. */
  body?: unknown;
  contentType?: string;
  /** The path is from the server's root (e.g. `/_local/…`), not under `/v1`. */
  root?: boolean;
  /** Sent as `Idempotency-Key` (work-starting POSTs): a retried request is answered, not repeated. */
  idempotencyKey?: string;
}

/** The API's refusal as the CLI reads it back: the one HTTP-problem shape, its message one readable line. */
export class ApiError extends HttpProblem {
  override name = 'ApiError';
  constructor(
    status: number,
    code: string,
    readonly apiMessage: string,
    details: unknown,
  ) {
    super(status, code, formatApiError(code, apiMessage, details), {
      details: Array.isArray(details) ? details : details === undefined ? [] : [details],
    });
  }
}

const MAX_DETAILS = 6;

/** One detail entry as `field: message` (rows as `row N field: message`). */
function describeDetail(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail;
  if (detail === null || typeof detail !== 'object') return undefined;
  const entry = detail as Record<string, unknown>;
  const rawField = entry.field ?? entry.path ?? entry.name ?? entry.parameter;
  const field = Array.isArray(rawField) ? rawField.join('.') : typeof rawField === 'string' ? rawField : undefined;
  const message =
    typeof entry.message === 'string'
      ? entry.message
      : Array.isArray(entry.reasons)
        ? entry.reasons.join('; ')
        : typeof entry.reason === 'string'
          ? entry.reason
          : undefined;
  const row = typeof entry.row === 'number' ? `row ${entry.row}` : undefined;
  const where = [row, field].filter(Boolean).join(' ');
  if (message === undefined) return where || undefined;
  return where ? `${where}: ${message}` : message;
}

/** The details of an API error as `field: msg` parts: an array of entries, or an object of field → message(s). */
export function describeDetails(details: unknown): string[] {
  if (details === null || details === undefined) return [];
  if (Array.isArray(details)) return details.map(describeDetail).filter((d): d is string => Boolean(d));
  if (typeof details === 'object') {
    const record = details as Record<string, unknown>;
    for (const key of ['issues', 'errors', 'fields'])
      if (Array.isArray(record[key])) return describeDetails(record[key]);
    return Object.entries(record).flatMap(([field, value]) => {
      if (typeof value === 'string') return [`${field}: ${value}`];
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [`${field}: ${value.join(', ')}`];
      if (typeof value === 'number' || typeof value === 'boolean') return [`${field}: ${value}`];
      return [];
    });
  }
  return [String(details)];
}

export function formatApiError(code: string, message: string, details: unknown): string {
  const parts = describeDetails(details);
  const shown = parts.slice(0, MAX_DETAILS);
  if (parts.length > MAX_DETAILS) shown.push(`… ${parts.length - MAX_DETAILS} more`);
  const line = `${code}: ${message}${shown.length ? ` (${shown.join('; ')})` : ''}`;
  return line.replace(/\s*\n\s*/g, ' ');
}

/** The JSON a body holds; undefined when it is empty or not JSON. */
function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `http://h:p/`, `http://h:p/v1/` → `http://h:p` (the client adds `/v1`). */
export function normalizeBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--api "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(`--api "${url}" is not an http(s) URL`);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '').replace(/\/v1$/, '')}`;
}

export class ApiClient {
  readonly baseUrl: string;
  readonly auth: ApiAuthMode;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private signer: RequestSigner | undefined;

  constructor(options: ApiClientOptions) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    this.auth = options.auth ?? resolveAuthMode(this.baseUrl);
    this.token = options.token || undefined;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.signer = options.signer;
  }

  /** `/campaigns/x` → `<base>/v1/campaigns/x?…` (`root`: `<base>/x`). */
  url(pathname: string, query?: RequestOptions['query'], root = false): string {
    const url = new URL(`${this.baseUrl}${root ? '' : '/v1'}${pathname}`);
    // Percent-encoded, never `+` for a space (URLSearchParams' form style): SigV4 canonicalises the query
    // RFC 3986-style, and API Gateway would read a `+` as a plus sign and find a different signature.
    const pairs = Object.entries(query ?? {})
      .filter(([, value]) => value !== undefined && value !== '')
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
    url.search = [url.search.slice(1), ...pairs].filter(Boolean).join('&');
    return url.toString();
  }

  /** The headers to send: the bearer token, or (`iam`) the SigV4 signature over method, URL, headers and body. */
  private async authorise(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: string | Uint8Array | undefined,
  ): Promise<Record<string, string>> {
    if (this.auth === 'token') return this.token ? { ...headers, authorization: `Bearer ${this.token}` } : headers;
    this.signer ??= createSigv4Signer(this.baseUrl);
    return this.signer({ method, url, headers, body });
  }

  /** Why a 401 (the API's bearer check) or a 403 not in the API's shape (API Gateway's IAM check) happened. */
  private authHint(status: number, apiShaped: boolean): string {
    if (this.auth === 'token' && status === 401 && !this.token) return ' (pass --token or set CASCADE_API_TOKEN)';
    if (this.auth === 'iam' && status === 401) return ' (this API wants a bearer token: --auth token)';
    if (this.auth === 'iam' && status === 403 && !apiShaped)
      return ' (the SigV4 signature was refused: check the AWS identity may call execute-api:Invoke on this API, and the region)';
    return '';
  }

  /** A failed response as one ApiError: the API's `{"error":…}` shape, else what the body says. */
  private errorOf(response: Response, text: string, payload: unknown): ApiError {
    const { status, statusText } = response;
    const error = (payload as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
    if (error && typeof error === 'object') {
      return new ApiError(
        status,
        typeof error.code === 'string' ? error.code : `http_${status}`,
        `${typeof error.message === 'string' ? error.message : statusText}${this.authHint(status, true)}`,
        error.details,
      );
    }
    // API Gateway's own refusals (a bad signature, throttling) are `{"message": "…"}`, not the API's shape.
    const gatewayMessage = (payload as { message?: unknown } | undefined)?.message;
    const snippet =
      typeof gatewayMessage === 'string' ? gatewayMessage : text.replace(/\s+/g, ' ').trim().slice(0, 200);
    return new ApiError(status, `http_${status}`, `${snippet || statusText}${this.authHint(status, false)}`, undefined);
  }

  /** One request; a failed one throws the API's error as one ApiError. Answers the response's text. */
  private async send(method: string, pathname: string, options: RequestOptions, accept: string) {
    let headers: Record<string, string> = { accept };
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    let body: string | Uint8Array | undefined;
    if (options.body !== undefined) {
      const raw = typeof options.body === 'string' || options.body instanceof Uint8Array;
      body = raw && options.contentType ? (options.body as string | Uint8Array) : JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const url = this.url(pathname, options.query, options.root);
    headers = await this.authorise(method, url, headers, body);
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new Error(`cannot reach the API at ${this.baseUrl} (${reason})`);
    }
    const text = await response.text();
    if (!response.ok) throw this.errorOf(response, text, parseJson(text));
    return { url, text };
  }

  async request<T = unknown>(method: string, pathname: string, options: RequestOptions = {}): Promise<T> {
    const { url, text } = await this.send(method, pathname, options, 'application/json');
    const payload = parseJson(text);
    if (payload === undefined && text !== '') throw new Error(`${method} ${url} answered something other than JSON`);
    return payload as T;
  }

  /** A GET answered with text rather than JSON (an export such as `leads.csv`): the body exactly as sent. */
  async getText(pathname: string, query?: RequestOptions['query'], accept = 'text/csv, text/plain'): Promise<string> {
    return (await this.send('GET', pathname, { query }, accept)).text;
  }

  get<T = unknown>(pathname: string, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('GET', pathname, { query });
  }

  post<T = unknown>(pathname: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('POST', pathname, { ...options, body });
  }

  put<T = unknown>(pathname: string, body: unknown, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('PUT', pathname, { body, query });
  }

  delete<T = unknown>(pathname: string, query?: RequestOptions['query']): Promise<T> {
    return this.request<T>('DELETE', pathname, { query });
  }
}

/** A fresh key for one work-starting request (reused if the same request is sent again). */
export function newIdempotencyKey(): string {
  return randomUUID();
}
