import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { sha256 } from '../ids';
import { documentClient, ifConditionHolds } from '../store/client';
import { tableName } from '../store/tables';
import { nowIso } from '../time/clock';

/**
 * Facts other systems are told about (PRODUCT.md §11), kept as the webhook body they become: `{id, type,
 * createdAt, campaignId, leadId?, data}`. The id is a hash of the fact's own key, so the same fact recorded twice
 * (a retried handler, a redelivered SES event) is one event: the put is conditional. Stored with the lead's
 * records (`pk LEAD#<id>`, `sk EVENT#<id>`; `pk EVENTS#<type>` for facts about no lead) so its timeline lists them; delivery
 * to webhooks reads them.
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

/** The event's stable id: `evt_` + a hash of its type and the key naming the fact (e.g. the message it is about). */
export const eventIdFor = (type: DomainEventType, factKey: string): string =>
  `evt_${sha256(`${type}\n${factKey}`).slice(0, 32)}`;

/** Records a fact once; resolves with the event (the stored one's id either way) and whether this call wrote it. */
export async function recordDomainEvent(
  fact: Omit<DomainEvent, 'id' | 'createdAt'> & { factKey: string },
): Promise<{ event: DomainEvent; recorded: boolean }> {
  const { factKey, ...body } = fact;
  const event: DomainEvent = { id: eventIdFor(fact.type, factKey), createdAt: nowIso(), ...body };
  const written = await ifConditionHolds(() =>
    documentClient().send(
      new PutCommand({
        TableName: tableName('outreach'),
        // A lead's facts sit with its records; the others (a sender paused) under their type.
        Item: {
          pk: fact.leadId ? `LEAD#${fact.leadId}` : `EVENTS#${fact.type}`,
          sk: `EVENT#${event.id}`,
          kind: 'event',
          ...event,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  return { event, recorded: written !== undefined };
}
