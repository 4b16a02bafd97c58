import { Webhook } from 'standardwebhooks';

/** The Standard Webhooks headers of one try (a type alias, so it is a plain header record too). */
export type WebhookSignatureHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/**
 * Signs a body as Standard Webhooks does: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` keyed with the
 * secret's decoded bytes. `messageId` is the event id, the same on every retry, so receivers can deduplicate.
 * `at` is the wall-clock time of the try: receivers compare the timestamp with their own clock (±5 min), so
 * it is never a shifted or scaled clock.
 */
export function signWebhook(secret: string, messageId: string, body: string, at = new Date()): WebhookSignatureHeaders {
  const signature = new Webhook(secret).sign(messageId, at, body);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}
