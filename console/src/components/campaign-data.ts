/**
 * Shapes of the campaign routes the console reads (docs/openapi.json) and the pure math the campaign pages draw
 * from them: funnel shares, sends per day filled and totalled, uPlot's columns. No DOM here, so unit tests run
 * it as is.
 */

export const CHART_CHANNELS = ['EMAIL', 'LINKEDIN', 'CONTACT_FORM'] as const;
export type ChartChannel = (typeof CHART_CHANNELS)[number];

export interface Funnel {
  enrolled: number;
  contacted: number;
  replied: number;
  bounced: number;
  exhausted: number;
  unsubscribed: number;
  paused: number;
  new: number;
  /** IN_SEQUENCE leads (absent from an older API: then not drawn). */
  inSequence?: number;
  /** Every lead of the campaign. */
  total?: number;
}

export interface CampaignSummary {
  campaignId: string;
  name: string;
  state: 'ACTIVE' | 'PAUSED' | 'ARCHIVED';
  createdAt: string;
  funnel: Funnel;
}

export type DailySends = { day: string } & Record<ChartChannel, number>;

export interface CampaignStats {
  campaignId: string;
  funnel: Funnel;
  daily: DailySends[];
}

export interface FunnelStage {
  key: keyof Funnel;
  label: string;
  count: number;
  /** Share of the enrolled leads, 0–1 (the bar's width). */
  share: number;
}

/** The stages in reading order: enrolled → contacted → its outcomes; then those outside the sequence. */
const STAGES: readonly { key: keyof Funnel; label: string }[] = [
  { key: 'enrolled', label: 'Enrolled' },
  { key: 'inSequence', label: 'In sequence' },
  { key: 'contacted', label: 'Contacted' },
  { key: 'replied', label: 'Replied' },
  { key: 'bounced', label: 'Bounced' },
  { key: 'exhausted', label: 'Exhausted' },
  { key: 'unsubscribed', label: 'Unsubscribed' },
  { key: 'paused', label: 'Paused' },
  { key: 'new', label: 'Not enrolled yet' },
];

/**
 * The funnel's stages with each one's share of every lead (else of the widest stage), so the bars compare at a
 * glance; all zero for a campaign without leads (no division by zero). A stage the API does not send is left out.
 */
export function funnelStages(funnel: Funnel): FunnelStage[] {
  const present = STAGES.filter(({ key }) => typeof funnel[key] === 'number');
  const widest = funnel.total ?? Math.max(0, ...present.map(({ key }) => funnel[key] ?? 0));
  return present.map(({ key, label }) => {
    const count = funnel[key] ?? 0;
    return { key, label, count, share: widest > 0 ? count / widest : 0 };
  });
}

const DAY_MS = 86_400_000;

function dayNumber(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
}

function dayText(dayIndex: number): string {
  return new Date(dayIndex * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The daily sends sorted by day, every day between the first and the last present (zeros filled in, so the
 * chart's x axis has no holes), the same day given twice summed, unknown days dropped.
 */
export function fillDays(daily: readonly Partial<DailySends>[]): DailySends[] {
  const byDay = new Map<number, DailySends>();
  for (const entry of daily) {
    if (!entry.day || !/^\d{4}-\d{2}-\d{2}$/.test(entry.day) || Number.isNaN(dayNumber(entry.day))) continue;
    const index = dayNumber(entry.day);
    const row = byDay.get(index) ?? { day: dayText(index), EMAIL: 0, LINKEDIN: 0, CONTACT_FORM: 0 };
    for (const channel of CHART_CHANNELS) row[channel] += Number(entry[channel] ?? 0) || 0;
    byDay.set(index, row);
  }
  if (byDay.size === 0) return [];
  const indexes = [...byDay.keys()];
  const first = Math.min(...indexes);
  const last = Math.max(...indexes);
  const filled: DailySends[] = [];
  for (let index = first; index <= last; index++)
    filled.push(byDay.get(index) ?? { day: dayText(index), EMAIL: 0, LINKEDIN: 0, CONTACT_FORM: 0 });
  return filled;
}

/** The "Total" row: each channel's sum over the days, and all channels together. */
export function totalSends(daily: readonly DailySends[]): Record<ChartChannel | 'all', number> {
  const total = { EMAIL: 0, LINKEDIN: 0, CONTACT_FORM: 0, all: 0 };
  for (const row of daily)
    for (const channel of CHART_CHANNELS) {
      total[channel] += row[channel];
      total.all += row[channel];
    }
  return total;
}

/** uPlot's columns: x in Unix seconds (UTC midnight of each day), then one series per channel. */
export function chartColumns(daily: readonly DailySends[]): [number[], ...number[][]] {
  const xs = daily.map((row) => Date.parse(`${row.day}T00:00:00Z`) / 1000);
  return [xs, ...CHART_CHANNELS.map((channel) => daily.map((row) => row[channel]))];
}
