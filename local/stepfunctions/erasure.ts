import type { LocalExecution } from './executions';
import type { HistoryEvent } from './history';

/**
 * Scrubbing an erased lead's executions. Step Functions in AWS keeps an execution's history for its retention
 * period whatever happens to the lead (the README says so); the embedded stack's twin keeps it in the data
 * folder indefinitely, so it forgets the person instead: every string of the execution's JSON (input, output,
 * each event's input/output/parameters/cause) under a key outside the list below becomes `[erased]`, and a
 * free-text cause is dropped. The list holds ids, channels, outcomes and reasons only: a field added later
 * is erased by default rather than kept.
 */

export const ERASED = '[erased]';

const KEPT_STRINGS = new Set([
  'campaignId',
  'leadId',
  'messageId',
  'providerMessageId',
  'executionName',
  'channel',
  'channelUsed',
  'outcome',
  'reason',
  'onRateLimit',
  'status',
  'state',
  'Error',
  'error',
]);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function scrubValue(value: Json, key: string | undefined): Json {
  if (typeof value === 'string') return key !== undefined && KEPT_STRINGS.has(key) ? value : ERASED;
  if (Array.isArray(value)) return value.map((entry) => scrubValue(entry, key));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([name, entry]) => [name, scrubValue(entry, name)]));
  return value;
}

/** A JSON document with its personal strings erased; text that is not JSON is erased whole. */
export function scrubJsonText(text: string): string {
  try {
    return JSON.stringify(scrubValue(JSON.parse(text) as Json, undefined));
  } catch {
    return ERASED;
  }
}

const scrubText = (text: string | undefined) => (text === undefined ? undefined : scrubJsonText(text));

/** The detail fields of a history event that carry payloads (state names, resources and errors stay). */
function scrubEvent(event: HistoryEvent): void {
  const details = event as unknown as Record<string, Record<string, string> | undefined>;
  for (const [name, detail] of Object.entries(details)) {
    if (!name.endsWith('EventDetails') || !detail) continue;
    for (const field of ['input', 'output', 'parameters', 'cause'])
      if (typeof detail[field] === 'string') detail[field] = scrubJsonText(detail[field]);
  }
}

/** Whether an execution ran for the lead (its input names it). */
export function executionOfLead(execution: Pick<LocalExecution, 'input'>, leadId: string): boolean {
  try {
    return (JSON.parse(execution.input) as { leadId?: unknown }).leadId === leadId;
  } catch {
    return false;
  }
}

/** Erases the personal strings of one execution in place (idempotent). */
export function scrubExecution(execution: LocalExecution): void {
  execution.input = scrubJsonText(execution.input);
  execution.output = scrubText(execution.output);
  execution.cause = scrubText(execution.cause);
  for (const event of execution.events) scrubEvent(event);
}
