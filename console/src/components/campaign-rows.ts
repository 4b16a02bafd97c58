import { channelLabel } from '../format';

/**
 * The rows the campaign page's tables draw, computed from the API's answers without the DOM (unit-tested):
 * leads' actions and paging, steps × variants, the schedule preview per day.
 */

export const LEAD_STATUSES = [
  'NEW',
  'IN_SEQUENCE',
  'CONTACTED',
  'REPLIED',
  'BOUNCED',
  'EXHAUSTED',
  'UNSUBSCRIBED',
  'PAUSED',
] as const;

/** The lead fields this table draws (the API's Lead). */
export interface LeadRow {
  leadId: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  company?: string;
  grade?: string;
  status: string;
  stopReason?: string;
  updatedAt?: string;
}

/**
 * What an operator can do to a lead from the list: pause a lead that is waiting or running, resume one paused by
 * a pause (its own or its campaign's). A lead parked on an ambiguous send is released on its own page instead.
 */
export function leadAction(lead: Pick<LeadRow, 'status' | 'stopReason'>): 'pause' | 'resume' | 'release' | undefined {
  if (lead.status === 'NEW' || lead.status === 'IN_SEQUENCE') return 'pause';
  if (lead.status !== 'PAUSED') return undefined;
  if (lead.stopReason === 'lead_paused' || lead.stopReason === 'campaign_inactive') return 'resume';
  if (lead.stopReason === 'ambiguous_send' || lead.stopReason === undefined) return 'release';
  return undefined;
}

/** Pages seen so far: their cursors, so "Previous" goes back without the API keeping state. */
export function pageCursors(stack: readonly (string | undefined)[], move: 'next' | 'previous', next?: string) {
  if (move === 'next') return next ? [...stack, next] : [...stack];
  return stack.length > 1 ? stack.slice(0, -1) : [undefined];
}

/** `GET /v1/metrics/variants` and `GET /v1/metrics/channels` (their OpenAPI shapes, the fields drawn here). */
export interface VariantRow {
  variantId: string;
  weight: number | null;
  sent: number;
  delivered: number;
  replied: number;
  bounced: number;
  replyRate: number;
  probabilityBest: number;
}
export interface VariantReport {
  steps: { stepId: string; channel: string | null; variants: VariantRow[] }[];
  method: string;
}
export interface ChannelRow {
  sent: number;
  delivered: number;
  replied: number;
  bounced: number;
  failed: number;
  replyRate: number;
  bounceRate: number;
  fallbackRate: number;
}
export interface ChannelReport {
  channels: Record<string, ChannelRow>;
  totals: ChannelRow;
}

export type StepRow = VariantRow & { stepId: string; channel: string | null; first: boolean };

/** Flattens the steps' variants into table rows; a step without variants gets one row of zeros. */
export function stepRows(report: VariantReport): StepRow[] {
  return report.steps.flatMap((step) =>
    step.variants.length === 0
      ? [{ stepId: step.stepId, channel: step.channel, first: true, ...ZERO }]
      : step.variants.map((variant, index) => ({
          ...variant,
          stepId: step.stepId,
          channel: step.channel,
          first: index === 0,
        })),
  );
}

const ZERO: VariantRow = {
  variantId: '–',
  weight: null,
  sent: 0,
  delivered: 0,
  replied: 0,
  bounced: 0,
  replyRate: 0,
  probabilityBest: 0,
};

/** `GET /v1/campaigns/{id}/schedule-preview` (the fields drawn here). */
export interface SchedulePreview {
  waiting: number;
  inFlight: number;
  unreachable: number;
  atMaxTouches: number;
  unscheduled: number;
  days: {
    date: string;
    channels: { channel: string; sender: string; scheduled: number; heldBack: Record<string, number> }[];
  }[];
  senders: {
    channel: string;
    id: string;
    state: string;
    limitToday: number;
    usedToday: number;
    pausedReason?: string;
  }[];
}

export interface PreviewTable {
  /** One column per channel × sender, in first-seen order. */
  columns: { key: string; label: string }[];
  rows: { date: string; scheduled: Record<string, number>; heldBack: number; topReason?: string }[];
}

/**
 * The preview as a compact table: a row per day, a column per channel and sender (first touches scheduled),
 * then how many due leads were held back and mostly why.
 */
export function previewTable(preview: Pick<SchedulePreview, 'days'>): PreviewTable {
  const columns = new Map<string, string>();
  const rows = preview.days.map((day) => {
    const scheduled: Record<string, number> = {};
    const reasons: Record<string, number> = {};
    let heldBack = 0;
    for (const cell of day.channels) {
      const key = `${cell.channel}|${cell.sender}`;
      if (!columns.has(key))
        columns.set(
          key,
          cell.sender === '-' ? channelLabel(cell.channel) : `${channelLabel(cell.channel)} ${cell.sender}`,
        );
      scheduled[key] = (scheduled[key] ?? 0) + cell.scheduled;
      for (const [reason, count] of Object.entries(cell.heldBack)) {
        heldBack += count;
        reasons[reason] = (reasons[reason] ?? 0) + count;
      }
    }
    const top = Object.entries(reasons)
      .filter(([, count]) => count > 0)
      .sort((a, b) => b[1] - a[1])[0];
    return { date: day.date, scheduled, heldBack, ...(top && { topReason: top[0] }) };
  });
  return { columns: [...columns].map(([key, label]) => ({ key, label })), rows };
}
