import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { requiredSetting } from '../config/settings';
import { logger } from '../observability';
import { documentClient } from '../store/client';
import { tableName } from '../store/tables';
import { type DomainEvent, readStoredEvent } from './domain-events';
import { deleteOutboxMarker, OUTBOX_PK, PUT_EVENTS_BATCH, putOnBus } from './publish';

/**
 * The OutboxSweep (every 10 minutes, infra/event-delivery.ts): events a function recorded but could not put on the
 * bus are put now, oldest first, and their markers removed once the bus took them. A marker whose event is gone is
 * removed too (nothing left to say). What fails stays for the next sweep.
 */

interface OutboxMarker {
  sk: string;
  eventId: string;
  eventPk: string;
  eventSk: string;
}

async function oldestMarkers(limit: number): Promise<OutboxMarker[]> {
  const { Items } = await documentClient().send(
    new QueryCommand({
      TableName: tableName('outreach'),
      KeyConditionExpression: 'pk = :outbox',
      ExpressionAttributeValues: { ':outbox': OUTBOX_PK },
      Limit: limit,
      ConsistentRead: true,
    }),
  );
  return (Items ?? []) as OutboxMarker[];
}

/** Publishes up to `limit` events of the outbox; resolves with how many the bus took. */
export async function republishOutbox(limit = 100): Promise<{ republished: number }> {
  // The sweep runs where the bus is configured: without one it would only move markers around.
  requiredSetting('CASCADE_EVENT_BUS_NAME');
  const markers = await oldestMarkers(limit);
  const pending: { marker: OutboxMarker; event: DomainEvent }[] = [];
  for (const marker of markers) {
    const event = await readStoredEvent({ pk: marker.eventPk, sk: marker.eventSk });
    if (event) pending.push({ marker, event });
    else await deleteOutboxMarker(marker.sk);
  }
  let republished = 0;
  for (let index = 0; index < pending.length; index += PUT_EVENTS_BATCH) {
    const batch = pending.slice(index, index + PUT_EVENTS_BATCH);
    const { failed, error } = await putOnBus(batch.map((each) => each.event));
    const refused = new Set(failed.map((event) => event.id));
    for (const { marker, event } of batch) {
      if (refused.has(event.id)) continue;
      await deleteOutboxMarker(marker.sk);
      republished++;
    }
    if (refused.size > 0) logger.warn('outbox: events still not taken by the bus', { count: refused.size, error });
  }
  if (markers.length > 0) logger.info('outbox swept', { markers: markers.length, republished });
  return { republished };
}
