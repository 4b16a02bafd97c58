/** Numbers, dates and words as operators read them (en-US, UTC for days as the API's day buckets are UTC). */

const integer = new Intl.NumberFormat('en-US');

export function formatCount(value: number | undefined | null): string {
  return value === undefined || value === null || !Number.isFinite(value) ? '–' : integer.format(value);
}

/** 0.1234 → "12.3%"; no rate when there is no denominator. */
export function formatRate(value: number | undefined | null, digits = 1): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–';
  return `${(value * 100).toFixed(digits)}%`;
}

/** `part` of `whole` as a rate, 0 without a whole (never NaN on an empty campaign). */
export function ratio(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

/** An ISO timestamp as "2025-03-04 14:05 UTC" (unambiguous on every operator's screen). */
export function formatTimestamp(iso: string | undefined | null): string {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "3 min ago", "2 h ago", "5 d ago"; the future as "in 3 min". */
export function formatRelative(iso: string | undefined | null, now = Date.now()): string {
  if (!iso) return '–';
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((now - then) / 1000);
  const size = Math.abs(seconds);
  const text =
    size < 60
      ? `${size} s`
      : size < 3600
        ? `${Math.round(size / 60)} min`
        : size < 86_400
          ? `${Math.round(size / 3600)} h`
          : `${Math.round(size / 86_400)} d`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

/** `CONTACT_FORM` → "Contact form", `lead_paused` → "Lead paused", `dailyLimit` → "Daily limit". */
export function humanize(code: string | undefined | null): string {
  if (!code) return '–';
  const words = code
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const CHANNEL_LABELS: Record<string, string> = {
  EMAIL: 'Email',
  LINKEDIN: 'LinkedIn',
  CONTACT_FORM: 'Contact form',
  PHONE: 'Phone',
};

export function channelLabel(channel: string | null | undefined): string {
  if (!channel) return '–';
  return CHANNEL_LABELS[channel] ?? humanize(channel);
}

/** A lead's display name: "Ada Lovelace", else its id. */
export function leadName(lead: { leadId: string; firstName?: string; lastName?: string }): string {
  const name = [lead.firstName, lead.lastName].filter(Boolean).join(' ').trim();
  return name || lead.leadId;
}
