import * as z from 'zod';
import type { DomainEventType } from '../events/domain-events';

/**
 * Webhooks (PRODUCT.md §11): what an operator registers and what the delivery log shows. The shapes are the
 * contract between the store, the dispatcher, the API and the CLI.
 */

/** Every event type of §11, as a value (the type lives in shared/events/domain-events.ts). */
export const DOMAIN_EVENT_TYPES = [
  'message.sent',
  'message.delivered',
  'message.bounced',
  'message.replied',
  'message.failed',
  'lead.unsubscribed',
  'lead.complained',
  'lead.stopped',
  'lead.exhausted',
  'lead.out_of_office',
  'task.created',
  'task.completed',
  'sender.paused',
  'sequence.completed',
] as const satisfies readonly DomainEventType[];

// A type added to DomainEventType but not listed above fails to compile here.
const everyTypeListed: [Exclude<DomainEventType, (typeof DOMAIN_EVENT_TYPES)[number]>] extends [never] ? true : never =
  true;
void everyTypeListed;

export type WebhookEventType = DomainEventType | '*';
export const WEBHOOK_EVENT_TYPES = [...DOMAIN_EVENT_TYPES, '*'] as const;

export const WebhookInput = z
  .object({
    url: z.string().min(1).max(2048),
    events: z
      .array(z.enum(WEBHOOK_EVENT_TYPES))
      .min(1)
      .max(20)
      .refine((events) => new Set(events).size === events.length, { message: 'events must be unique' }),
    description: z.string().max(200).optional(),
  })
  .strict();
export type WebhookInput = z.infer<typeof WebhookInput>;

export interface Webhook {
  /** `wh_` + 24 hex characters. */
  webhookId: string;
  url: string;
  events: WebhookEventType[];
  description?: string;
  state: 'ACTIVE';
  createdAt: string;
  /** `whsec_` + base64 of 24 random bytes; shown once, when the webhook is created. */
  secret: string;
}

export type PublicWebhook = Omit<Webhook, 'secret'>;

export const DELIVERY_STATUSES = ['PENDING', 'ATTEMPTING', 'RETRYING', 'DELIVERED', 'DEAD'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface AttemptRecord {
  at: string;
  statusCode?: number;
  error?: string;
  durationMs: number;
}

export interface Delivery {
  deliveryId: string;
  webhookId: string;
  eventId: string;
  eventType: DomainEventType;
  status: DeliveryStatus;
  /** Tries made (or claimed) so far. */
  attempts: number;
  createdAt: string;
  /** Start of the 24 h retry window; unset until the first try after creation or a replay. */
  firstAttemptAt?: string;
  nextAttemptAt?: string;
  deliveredAt?: string;
  deadAt?: string;
  lastStatusCode?: number;
  lastError?: string;
  /** The last 20 tries, oldest first. */
  attemptLog: AttemptRecord[];
}

/** How many tries the delivery log keeps. */
export const ATTEMPT_LOG_SIZE = 20;

/** The queue message that asks for a delivery's next try (DelaySeconds ≤ 900; longer waits re-queue). */
export const RetryMessage = z.object({
  kind: z.literal('webhook.retry'),
  webhookId: z.string().min(1),
  deliveryId: z.string().min(1),
  attempt: z.number().int().min(1),
});
export type RetryMessage = z.infer<typeof RetryMessage>;
