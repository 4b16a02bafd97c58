import * as z from 'zod';
import type { DomainEvent } from '../events/domain-events';
import { DOMAIN_EVENT_TYPES, RetryMessage } from './schema';

/**
 * The two kinds of body on the delivery queue: an EventBridge envelope whose `detail` is a DomainEvent (its first
 * delivery, from the bus rule) and a retry message the dispatcher queued itself. Anything else is poison: it
 * could never be processed, so it is dropped rather than retried into the dead-letter queue.
 */
const DomainEventSchema = z.object({
  id: z.string().min(1),
  type: z.enum(DOMAIN_EVENT_TYPES),
  createdAt: z.string().refine((value) => Number.isFinite(Date.parse(value)), { message: 'is not a time' }),
  campaignId: z.string(),
  leadId: z.string().optional(),
  data: z.record(z.string(), z.unknown()),
});

const EventEnvelope = z.object({ detail: DomainEventSchema });

export type QueueMessage =
  | { kind: 'event'; event: DomainEvent }
  | { kind: 'retry'; retry: RetryMessage }
  | { kind: 'poison'; reason: string };

export function parseQueueMessage(body: string): QueueMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'poison', reason: 'the body is not JSON' };
  }
  const retry = RetryMessage.safeParse(parsed);
  if (retry.success) return { kind: 'retry', retry: retry.data };
  const envelope = EventEnvelope.safeParse(parsed);
  if (envelope.success) return { kind: 'event', event: envelope.data.detail as DomainEvent };
  const kind = (parsed as { kind?: unknown } | null)?.kind;
  return {
    kind: 'poison',
    reason:
      kind === 'webhook.retry'
        ? `an invalid retry message: ${retry.error.issues.map((issue) => issue.path.join('.')).join(', ')}`
        : 'neither an event envelope nor a retry message',
  };
}
