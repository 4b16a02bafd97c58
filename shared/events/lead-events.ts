import { queryPages } from '../store/paginate';
import { tableName } from '../store/tables';
import { type DomainEvent, eventFromItem } from './domain-events';

/**
 * A lead's recorded facts (PRODUCT.md §11), read back for its timeline (`GET /v1/leads/{id}/events`). They sit in
 * the lead's partition of the Outreach table (`pk LEAD#<id>`, `sk EVENT#<event id>`, domain-events.ts). The sort key
 * is a hash, not a time, so the partition's events are read whole and ordered here: a lead has a handful of them
 * (one per touch, outcome and stop; at most `maxTotalAttemptsPerLead` touches), never enough to need pages.
 */

/** Newest first; events recorded in the same millisecond keep a stable order (by id). */
export function newestFirst(a: DomainEvent, b: DomainEvent): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Every event recorded about the lead, newest first (erased leads keep their scrubbed events). */
export async function listLeadEvents(leadId: string): Promise<DomainEvent[]> {
  const events: DomainEvent[] = [];
  for await (const page of queryPages({
    TableName: tableName('outreach'),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :events)',
    ExpressionAttributeValues: { ':pk': `LEAD#${leadId}`, ':events': 'EVENT#' },
  })) {
    for (const item of page.Items ?? []) events.push(eventFromItem(item));
  }
  return events.sort(newestFirst);
}
