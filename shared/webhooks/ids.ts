import { randomBytes } from 'node:crypto';
import { sha256 } from '../ids';

/** `wh_` + 24 hex characters. */
export const newWebhookId = (): string => `wh_${randomBytes(12).toString('hex')}`;

/** `whsec_` + base64 of 24 random bytes (Standard Webhooks: the signing key is the decoded bytes). */
export const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

/** Base-36 digits of a millisecond time, padded so ids sort by time until the year 5188. */
const TIME_DIGITS = 9;

/**
 * The one delivery of an event to a webhook: `dlv_<createdAt ms, base 36>_<hash of the event id>`. Derived from the
 * event alone (the webhook is in the key's partition), so every publication of the same event finds the same
 * delivery; the time prefix makes the log sort by the event's time.
 */
export function deliveryIdFor(event: { id: string; createdAt: string }): string {
  const ms = Date.parse(event.createdAt);
  const time = (Number.isFinite(ms) ? ms : 0).toString(36).padStart(TIME_DIGITS, '0');
  return `dlv_${time}_${sha256(event.id).slice(0, 16)}`;
}
