import { channelWords, reasonWords } from '../explain';
import { formatTimestamp } from '../format';
import type { DomainEvent, HistoryEntry } from './lead-types';

/** One line of a lead's timeline: a message, a try (attempt) or a recorded event, newest first. */
export interface TimelineItem {
  key: string;
  at: string;
  kind: 'message' | 'attempt' | 'event';
  title: string;
  detail?: string;
  executionName?: string;
}

/** The time a message last changed: its newest provider event, else when it was written. */
function messageTime(entry: Extract<HistoryEntry, { kind: 'message' }>): string {
  const times = [entry.createdAt, entry.sentAt, entry.deliveredAt, entry.repliedAt, entry.bouncedAt].filter(
    (time): time is string => typeof time === 'string',
  );
  return times.sort().at(-1) ?? entry.createdAt;
}

const TRY_WORDS: Record<string, string> = {
  SENT: 'sent',
  RETRY: 'to be tried again',
  FALLBACK: 'moved on to the next channel',
  STOP: 'stopped the sequence',
};

function fromHistory(entry: HistoryEntry): TimelineItem {
  if (entry.kind === 'message') {
    const reason = entry.reason ? ` (${reasonWords(entry.reason)})` : '';
    return {
      key: `message:${entry.messageId}`,
      at: messageTime(entry),
      kind: 'message',
      title: `Message on ${channelWords(entry.channel)}: ${entry.status.toLowerCase()}${reason}`,
      ...(entry.subject && { detail: entry.subject }),
      executionName: entry.executionName,
    };
  }
  const outcome = entry.outcome ? TRY_WORDS[entry.outcome] : entry.state === 'PENDING' ? 'under way' : 'done';
  const reason = entry.reason ? ` — ${reasonWords(entry.reason)}` : '';
  return {
    key: `attempt:${entry.attemptKey}`,
    at: entry.updatedAt ?? entry.createdAt,
    kind: 'attempt',
    title: `Try ${entry.tryNumber} of step ${entry.stepIndex + 1} on ${channelWords(entry.channel)}: ${outcome}${reason}`,
    ...(entry.nextRetryAt && { detail: `next try at ${formatTimestamp(entry.nextRetryAt)}` }),
    executionName: entry.executionName,
  };
}

function fromEvent(event: DomainEvent): TimelineItem {
  const reason = typeof event.data.reason === 'string' ? event.data.reason : undefined;
  return {
    key: `event:${event.id}`,
    at: event.createdAt,
    kind: 'event',
    title: `Event ${event.type}${reason ? ` — ${reasonWords(reason)}` : ''}`,
  };
}

/** Messages, tries and events in one list, newest first (at one time, an event above the try that caused it). */
export function timelineItems(history: readonly HistoryEntry[], events: readonly DomainEvent[]): TimelineItem[] {
  const items = [...history.map(fromHistory), ...events.map(fromEvent)];
  const rank = { event: 0, message: 1, attempt: 2 } as const;
  return items.sort((a, b) => (a.at === b.at ? rank[a.kind] - rank[b.kind] : a.at < b.at ? 1 : -1));
}

/** The lead's runs, newest first: its current one, then the others its history names. */
export function executionNames(current: string | undefined, history: readonly HistoryEntry[]): string[] {
  const byTime = [...history].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  const names = [current, ...byTime.map((entry) => entry.executionName)].filter(
    (name): name is string => typeof name === 'string' && name.length > 0,
  );
  return [...new Set(names)];
}

/** The newest try, and the newest one that was sent (the touch that reached the lead). */
export function lastAttempts(history: readonly HistoryEntry[]) {
  const attempts = history
    .filter((entry): entry is Extract<HistoryEntry, { kind: 'attempt' }> => entry.kind === 'attempt')
    .sort((a, b) => (a.createdAt === b.createdAt ? b.tryNumber - a.tryNumber : a.createdAt < b.createdAt ? 1 : -1));
  return { lastAttempt: attempts[0], lastSent: attempts.find((attempt) => attempt.outcome === 'SENT') };
}
