import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { eventBridgeClient } from '../aws/clients';
import { setting } from '../config/settings';
import { logger } from '../observability';
import { documentClient } from '../store/client';
import { tableName } from '../store/tables';
import type { DomainEvent } from './domain-events';

/**
 * Puts domain events on the Cascade event bus (PRODUCT.md §11), and keeps an outbox marker for those it could not
 * put, so the OutboxSweep puts them later (outbox.ts). Publishing more than once is fine: deliveries are
 * deduplicated per (webhook, event id).
 */

/** EventBridge takes at most 10 entries per PutEvents. */
export const PUT_EVENTS_BATCH = 10;

/** The outbox's partition in the Outreach table (every function that records a fact writes there already); a marker's sort key orders the sweep oldest first. */
export const OUTBOX_PK = 'OUTBOX';

/** Where an event item lives in the Outreach table (a lead's facts sit with its records). */
export interface EventKey {
  pk: string;
  sk: string;
}

export const eventKeyOf = (event: Pick<DomainEvent, 'id' | 'type' | 'leadId'>): EventKey => ({
  pk: event.leadId ? `LEAD#${event.leadId}` : `EVENTS#${event.type}`,
  sk: `EVENT#${event.id}`,
});

/** The PutEvents entry of one event: the event itself is the detail, its type the detail-type. */
export const entryFor = (event: DomainEvent, busName: string): PutEventsRequestEntry => ({
  Source: 'cascade',
  DetailType: event.type,
  Detail: JSON.stringify(event),
  EventBusName: busName,
});

/**
 * Puts up to 10 events; resolves with those the bus did not take (all of them when the call failed, or when this
 * process was given no bus: a test or tool without one still records its facts, the sweep publishes them later).
 */
export async function putOnBus(events: readonly DomainEvent[]): Promise<{ failed: DomainEvent[]; error?: string }> {
  const busName = setting('CASCADE_EVENT_BUS_NAME');
  if (!busName) return { failed: [...events], error: 'CASCADE_EVENT_BUS_NAME is not set' };
  try {
    const output = await eventBridgeClient().send(
      new PutEventsCommand({ Entries: events.map((event) => entryFor(event, busName)) }),
    );
    // Entries answer in request order; one with an ErrorCode was not taken.
    const failed = events.filter((_, index) => output.Entries?.[index]?.ErrorCode !== undefined);
    const first = output.Entries?.find((entry) => entry.ErrorCode);
    return { failed, ...(first && { error: `${first.ErrorCode}: ${first.ErrorMessage ?? ''}` }) };
  } catch (error) {
    return { failed: [...events], error: (error as Error).message ?? String(error) };
  }
}

const markerSk = (event: Pick<DomainEvent, 'id' | 'createdAt'>) => `${event.createdAt}#${event.id}`;

/** Notes an event the bus did not take; the marker names the event item (it holds no copy of the event). */
export async function writeOutboxMarker(event: DomainEvent, reason: string): Promise<void> {
  const { pk, sk } = eventKeyOf(event);
  await documentClient().send(
    new PutCommand({
      TableName: tableName('outreach'),
      Item: {
        pk: OUTBOX_PK,
        sk: markerSk(event),
        eventId: event.id,
        eventType: event.type,
        eventPk: pk,
        eventSk: sk,
        reason: reason.slice(0, 500),
      },
    }),
  );
}

export async function deleteOutboxMarker(sk: string): Promise<void> {
  await documentClient().send(new DeleteCommand({ TableName: tableName('outreach'), Key: { pk: OUTBOX_PK, sk } }));
}

/**
 * Publishes one recorded event. A bus that refuses it (or none configured) leaves an outbox marker and a warning;
 * only a marker that cannot be written either throws, since the event would otherwise never leave.
 */
export async function publishEvent(event: DomainEvent): Promise<{ published: boolean }> {
  const { failed, error } = await putOnBus([event]);
  if (failed.length === 0) return { published: true };
  const reason = error ?? 'not taken by the bus';
  await writeOutboxMarker(event, reason);
  logger.warn('event not put on the bus: kept in the outbox for the sweep', {
    eventId: event.id,
    type: event.type,
    reason,
  });
  return { published: false };
}
