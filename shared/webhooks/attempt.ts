import { outboundRequest } from '../http/outbound';
import type { AttemptRecord } from './schema';
import { signWebhook } from './signing';

/** Each receiver gets at most this long per try (PRODUCT.md §11: a timeout is a failed try). */
export const ATTEMPT_TIMEOUT_MS = 10_000;

/** Longest error text kept in the delivery log. */
const MAX_ERROR_LENGTH = 500;

export interface TryResult {
  record: AttemptRecord;
  delivered: boolean;
}

/**
 * One signed POST of the body to the receiver, through the outbound guard (a private target refused at DNS
 * resolution is a failed try, named in the log). Never throws: whatever the receiver does — refuse, stall,
 * answer 500, redirect — is the try's recorded outcome. Redirects are not followed: a webhook URL that moved is
 * a failure the operator should see.
 */
export async function tryDelivery(
  url: string,
  secret: string,
  eventId: string,
  body: string,
  atIso: string,
): Promise<TryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await outboundRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signWebhook(secret, eventId, body) },
      body,
      maxRedirects: 0,
      timeoutMs: ATTEMPT_TIMEOUT_MS,
    });
    const delivered = response.status >= 200 && response.status < 300;
    return {
      delivered,
      record: {
        at: atIso,
        statusCode: response.status,
        ...(!delivered && { error: `answered ${response.status}` }),
        durationMs: elapsed(),
      },
    };
  } catch (error) {
    const message = ((error as Error)?.message ?? String(error)).slice(0, MAX_ERROR_LENGTH);
    return { delivered: false, record: { at: atIso, error: message, durationMs: elapsed() } };
  }
}
