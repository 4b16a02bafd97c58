import { gunzipSync, gzipSync } from 'node:zlib';
import { HttpProblem } from '#shared/errors';
import { sha256 } from '#shared/ids';
import { logger } from '#shared/observability';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '#shared/store/idempotency';
import { validationError } from './errors';

/** A response as it goes back to API Gateway: what an idempotency record stores and replays. */
export interface StoredResponse {
  status: number;
  body?: string;
  headers: Record<string, string>;
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Response header set on a replayed response. */
export const REPLAYED_HEADER = 'idempotent-replayed';

const KEY_PATTERN = /^[\x21-\x7E]{1,200}$/;
/** A DynamoDB item holds 400 KB; the compressed response must fit with room to spare. */
const MAX_STORED_BYTES = 350 * 1024;
/** Headers worth replaying (the content type and where the created resource lives). */
const REPLAYED_HEADERS = ['content-type', 'location'];

/** JSON with object keys sorted, so `{"a":1,"b":2}` and `{"b":2,"a":1}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What makes two requests "the same": method, path, query and body (parsed JSON, or the raw CSV text). */
export function requestFingerprint(request: {
  method: string;
  path: string;
  query: Record<string, string | undefined>;
  body: unknown;
}): string {
  return sha256(canonicalJson([request.method, request.path, request.query, request.body ?? null]));
}

export function validIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined || key === '') return undefined;
  if (!KEY_PATTERN.test(key))
    throw validationError([{ field: 'Idempotency-Key', message: 'must be 1–200 visible ASCII characters' }]);
  return key;
}

/**
 * Runs `work` at most once per Idempotency-Key. The key is claimed with a conditional put; the first
 * response is stored and replayed (same status and body) to every later request with the same key and
 * fingerprint. A different request under the same key is a 409, as is one arriving while the first is
 * still running. When `work` fails the claim is given back, so the client may retry with the same key.
 */
export async function withIdempotency(
  key: string | undefined,
  fingerprint: string,
  work: () => Promise<StoredResponse>,
): Promise<StoredResponse> {
  if (key === undefined) return work();
  const claim = await claimIdempotencyKey(key, fingerprint);
  if (!claim.claimed) {
    const record = claim.record;
    if (record && record.fingerprint !== fingerprint) {
      throw new HttpProblem(
        409,
        'idempotency_key_reused',
        'This Idempotency-Key was used for a different request; use a new key for a new request',
      );
    }
    if (record?.state === 'COMPLETED' && record.response && record.statusCode) {
      const stored = JSON.parse(gunzipSync(record.response).toString('utf8')) as Omit<StoredResponse, 'status'>;
      return {
        status: record.statusCode,
        body: stored.body,
        headers: { ...stored.headers, [REPLAYED_HEADER]: 'true' },
      };
    }
    throw new HttpProblem(
      409,
      'idempotency_request_in_progress',
      'A request with this Idempotency-Key is still being processed; retry shortly',
    );
  }
  let response: StoredResponse;
  try {
    response = await work();
  } catch (error) {
    await releaseIdempotencyKey(key, fingerprint);
    throw error;
  }
  const headers = Object.fromEntries(
    Object.entries(response.headers).filter(([name]) => REPLAYED_HEADERS.includes(name.toLowerCase())),
  );
  const compressed = gzipSync(JSON.stringify({ body: response.body, headers }));
  if (compressed.length > MAX_STORED_BYTES) {
    // Too large to keep: forget the key rather than replay something else. A retry runs the request again.
    logger.warn('idempotent response too large to store', { bytes: compressed.length });
    await releaseIdempotencyKey(key, fingerprint);
    return response;
  }
  await completeIdempotencyKey(key, fingerprint, response.status, compressed);
  return response;
}
