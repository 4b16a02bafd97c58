import { AUTOMATED_CHANNELS, type OutreachMessage, type OutreachStatus } from '../domain/schemas';
import { messagesByChannelDay } from '../store/outreach';
import { nowMs } from '../time/clock';

type AutomatedChannel = (typeof AUTOMATED_CHANNELS)[number];

export interface ChannelMetrics {
  sent: number;
  delivered: number;
  replied: number;
  bounced: number;
  failed: number;
  deliveryRate: number;
  replyRate: number;
  bounceRate: number;
}

export interface ChannelMetricsReport {
  campaignId: string | null;
  days: number;
  from: string;
  to: string;
  channels: Record<AutomatedChannel, ChannelMetrics>;
  leads: number;
  fallbackRate: number;
  averageAttemptsPerLead: number;
}

const SENT: ReadonlySet<OutreachStatus> = new Set(['SENT', 'DELIVERED', 'REPLIED', 'BOUNCED']);
const DELIVERED: ReadonlySet<OutreachStatus> = new Set(['DELIVERED', 'REPLIED']);
const DAY_MS = 86_400_000;

/** A ratio rounded to 4 places; 0 when the denominator is 0 (never NaN). */
export function ratio(numerator: number, denominator: number): number {
  return denominator > 0 ? Math.round((numerator / denominator) * 10_000) / 10_000 : 0;
}

/** The last `days` UTC days, today last (`YYYY-MM-DD`). */
export function utcDays(days: number, now = nowMs()): string[] {
  return Array.from({ length: days }, (_, index) =>
    new Date(now - (days - 1 - index) * DAY_MS).toISOString().slice(0, 10),
  );
}

export function summarizeChannel(messages: readonly OutreachMessage[]): ChannelMetrics {
  const count = (statuses: ReadonlySet<OutreachStatus>) => messages.filter((m) => statuses.has(m.status)).length;
  const sent = count(SENT);
  const delivered = count(DELIVERED);
  const replied = messages.filter((m) => m.status === 'REPLIED').length;
  const bounced = messages.filter((m) => m.status === 'BOUNCED').length;
  const failed = messages.filter((m) => m.status === 'FAILED').length;
  return {
    sent,
    delivered,
    replied,
    bounced,
    failed,
    deliveryRate: ratio(delivered, sent),
    replyRate: ratio(replied, delivered),
    bounceRate: ratio(bounced, sent),
  };
}

/**
 * Per-channel counts and rates over the messages created in the last `days` UTC days (read per channel
 * and day from the byChannelDay index; a later issue replaces this with aggregates). `fallbackRate` is
 * the share of leads with messages on more than one channel; `averageAttemptsPerLead` is messages per
 * lead. Only messages count: a step that fell back before calling a provider leaves none.
 */
export async function channelMetrics(options: { campaignId?: string; days: number }): Promise<ChannelMetricsReport> {
  const days = utcDays(options.days);
  const perChannel = await Promise.all(
    AUTOMATED_CHANNELS.map(async (channel) => {
      const pages = await Promise.all(days.map((day) => messagesByChannelDay(channel, day)));
      const messages = pages
        .flat()
        .filter((message) => !options.campaignId || message.campaignId === options.campaignId);
      return [channel, messages] as const;
    }),
  );
  const channelsByLead = new Map<string, Set<string>>();
  let messageCount = 0;
  for (const [channel, messages] of perChannel) {
    for (const message of messages) {
      messageCount++;
      const channels = channelsByLead.get(message.leadId) ?? new Set<string>();
      channels.add(channel);
      channelsByLead.set(message.leadId, channels);
    }
  }
  const leads = channelsByLead.size;
  const fellBack = [...channelsByLead.values()].filter((channels) => channels.size > 1).length;
  return {
    campaignId: options.campaignId ?? null,
    days: options.days,
    from: days[0] ?? '',
    to: days.at(-1) ?? '',
    channels: Object.fromEntries(
      perChannel.map(([channel, messages]) => [channel, summarizeChannel(messages)]),
    ) as Record<AutomatedChannel, ChannelMetrics>,
    leads,
    fallbackRate: ratio(fellBack, leads),
    averageAttemptsPerLead: ratio(messageCount, leads),
  };
}
