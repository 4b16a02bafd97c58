import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { sha256 } from '../ids';
import { documentClient, ifConditionHolds } from '../store/client';
import { tableName } from '../store/tables';
import { nowIso } from '../time/clock';
import { eventKeyOf, publishEvent } from './publish';

/**
 * Facts other systems are told about (PRODUCT.md §11), kept as the webhook body they become: `{id, type,
 * createdAt, campaignId, leadId?, data}`. The id is a hash of the fact's own key, so the same fact recorded twice
 * (a retried handler, a redelivered SES event) is one event: the put is conditional, and every call publishes the
 * stored event (same id, createdAt and data). Stored with the lead's records (`pk LEAD#<id>`, `sk EVENT#<id>`;
 * `pk EVENTS#<type>` for facts about no lead) so its timeline lists them and the outbox sweep can read them again.
 * `data` holds ids, statuses, reasons and times only: never an address, a name, a subject or a body.
 */
export type DomainEventType =
  | 'message.sent'
  | 'message.delivered'
  | 'message.bounced'
  | 'message.replied'
  | 'message.failed'
  | 'lead.unsubscribed'
  | 'lead.complained'
  | 'lead.stopped'
  | 'lead.exhausted'
  | 'lead.out_of_office'
  | 'task.created'
  | 'task.completed'
  | 'sender.paused'
  | 'sequence.completed';

export interface DomainEvent {
  id: string;
  type: DomainEventType;
  createdAt: string;
  campaignId: string;
  leadId?: string;
  data: Record<string, unknown>;
}

/** A fact as its writer states it: the event without id and time, plus the key naming the fact. */
export type DomainFact = Omit<DomainEvent, 'id' | 'createdAt'> & { factKey: string };

/** The event's stable id: `evt_` + a hash of its type and the key naming the fact (e.g. the message it is about). */
export const eventIdFor = (type: DomainEventType, factKey: string): string =>
  `evt_${sha256(`${type}\n${factKey}`).slice(0, 32)}`;

/** The event a fact becomes when first recorded now; undefined data values are dropped (as the store drops them). */
export function eventOf(fact: DomainFact, createdAt = nowIso()): DomainEvent {
  const { factKey, type, campaignId, leadId, data } = fact;
  const definedData = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
  return {
    id: eventIdFor(type, factKey),
    type,
    createdAt,
    campaignId,
    ...(leadId && { leadId }),
    data: definedData,
  };
}

/** A stored event item back to the event (the item's keys and kind are storage, not the body). */
export function eventFromItem(item: Record<string, unknown>): DomainEvent {
  const { id, type, createdAt, campaignId, leadId, data } = item as unknown as DomainEvent;
  return { id, type, createdAt, campaignId, ...(leadId && { leadId }), data: data ?? {} };
}

/** The stored event with this key (consistent read: it was written a moment ago). */
export async function readStoredEvent(key: { pk: string; sk: string }): Promise<DomainEvent | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('outreach'), Key: key, ConsistentRead: true }),
  );
  return Item ? eventFromItem(Item) : undefined;
}

/**
 * Records a fact once and publishes it; resolves with the stored event (the first recording's, whichever call made
 * it) and whether this call wrote it. A bus failure leaves an outbox marker (publish.ts) and never throws here
 * unless that marker cannot be written either.
 */
export async function recordDomainEvent(fact: DomainFact): Promise<{ event: DomainEvent; recorded: boolean }> {
  const fresh = eventOf(fact);
  const key = eventKeyOf(fresh);
  const written = await ifConditionHolds(() =>
    documentClient().send(
      new PutCommand({
        TableName: tableName('outreach'),
        Item: { ...key, kind: 'event', ...fresh },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  // Recorded before: the stored body is the event (its createdAt and data), whatever this call would have said.
  const event = written !== undefined ? fresh : ((await readStoredEvent(key)) ?? fresh);
  await publishEvent(event);
  return { event, recorded: written !== undefined };
}
