import * as z from 'zod';
import {
  DELIVERY_STATUSES,
  type Delivery,
  DOMAIN_EVENT_TYPES,
  type PublicWebhook,
  WEBHOOK_EVENT_TYPES,
  WebhookInput,
} from '#shared/webhooks/schema';
import { id } from './common';

/**
 * Request and response schemas of the webhook routes (PRODUCT.md §7, §11). The request is the core's own
 * WebhookInput; the responses document the core's PublicWebhook and Delivery (checked against them below).
 */

export const WebhookParams = z.object({ id: id('Webhook id (wh_…)') });
export const DeliveryParams = z.object({
  id: id('Webhook id (wh_…)'),
  deliveryId: id('Delivery id (dlv_…)'),
});

export const CreateWebhookRequest = WebhookInput.meta({
  id: 'CreateWebhookRequest',
  description:
    '`url`: https, no credentials, no loopback, private, link-local or metadata target (refused with 400 `invalid_webhook_url` naming the rule; local testing: `cascade serve --allow-private-network`). `events`: 1–20 distinct types of §11, or `*` for all. `description`: up to 200 characters.',
});

const WebhookEventTypeDoc = z.enum(WEBHOOK_EVENT_TYPES);

export const PublicWebhookResponse = z
  .object({
    webhookId: z.string().meta({ description: '`wh_` + 24 hex characters' }),
    url: z.string(),
    events: z.array(WebhookEventTypeDoc),
    description: z.string().optional(),
    state: z.literal('ACTIVE'),
    createdAt: z.string(),
  })
  .meta({ id: 'Webhook', description: 'A webhook as listed: never its secret.' });

export const CreateWebhookResponse = z
  .object({
    webhook: PublicWebhookResponse,
    secret: z.string().meta({
      description:
        '`whsec_` + base64 of 24 bytes: verifies the `webhook-signature` header (Standard Webhooks). Shown only in this answer.',
    }),
  })
  .meta({ id: 'CreatedWebhook' });

export const WebhookListResponse = z.object({ items: z.array(PublicWebhookResponse) }).meta({ id: 'WebhookList' });

const DeliveryStatusDoc = z.enum(DELIVERY_STATUSES);

export const DeliveryResponse = z
  .object({
    deliveryId: z.string(),
    webhookId: z.string(),
    eventId: z.string().meta({ description: 'The event id: the `webhook-id` header, the same on every try' }),
    eventType: z.enum(DOMAIN_EVENT_TYPES),
    status: DeliveryStatusDoc,
    attempts: z.number().int().meta({ description: 'Tries made so far' }),
    createdAt: z.string(),
    firstAttemptAt: z.string().optional().meta({ description: 'Start of the 24 h retry window' }),
    nextAttemptAt: z.string().optional(),
    deliveredAt: z.string().optional(),
    deadAt: z.string().optional().meta({ description: 'When the 24 h of retries ran out (replayable with /retry)' }),
    lastStatusCode: z.number().int().optional().meta({ description: "The receiver's last HTTP status" }),
    lastError: z.string().optional(),
    attemptLog: z
      .array(
        z.object({
          at: z.string(),
          statusCode: z.number().int().optional(),
          error: z.string().optional(),
          durationMs: z.number(),
        }),
      )
      .meta({ description: 'The last 20 tries, oldest first' }),
  })
  .meta({ id: 'WebhookDelivery', description: 'One event delivered (or being delivered) to one webhook.' });

export const DeliveriesQuery = z.object({
  status: DeliveryStatusDoc.optional().meta({ description: 'Only deliveries in this status' }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .min(1)
    .max(2_000)
    .optional()
    .meta({ description: "Opaque cursor from the previous page's `cursor`" }),
});

export const DeliveryListResponse = z
  .object({
    items: z.array(DeliveryResponse),
    cursor: z.string().optional().meta({ description: 'The next page (pass as `cursor`); absent on the last page' }),
  })
  .meta({ id: 'WebhookDeliveryList', description: 'Newest first.' });

// The documented shapes are the core's: a field added there and not here (or typed differently) fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const webhookDocumented: Same<z.infer<typeof PublicWebhookResponse>, PublicWebhook> = true;
const deliveryDocumented: Same<z.infer<typeof DeliveryResponse>, Delivery> = true;
void webhookDocumented;
void deliveryDocumented;
