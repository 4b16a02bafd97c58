import * as z from 'zod';
import { isSingleLine, SINGLE_LINE_MESSAGE } from '../mail/header';

/**
 * Senders (email identities) and LinkedIn accounts as stored records (PRODUCT.md §10): a campaign draws on a
 * pool of them, each with its own daily limits and, for senders, a warm-up ramp. The API's request schemas
 * (functions/api/schemas/senders.ts) bound these further; the send path reads them through shared/store/senders.
 */

/** The same rule as a campaign id: letters, digits, `-` and `_`, so it fits keys, tags and execution names. */
export const RecordId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, - or _');

export const SendingState = z.enum(['ACTIVE', 'PAUSED']);
export type SendingState = z.infer<typeof SendingState>;

/** A UTC calendar day, `YYYY-MM-DD` (the windows of the daily counters are UTC days). */
export const DayIso = z.iso.date();

/** Text that reaches a mail header (the From display name): one line, no control characters. */
const headerText = (max: number) => z.string().min(1).max(max).refine(isSingleLine, SINGLE_LINE_MESSAGE);

/** RFC 5321: an address is at most 254 characters. */
const address = () => z.email().max(254);

const isoTimestamp = z.iso.datetime({ offset: true });

/** Generous upper bounds: far above what one mailbox or LinkedIn seat can send, low enough to catch typos. */
export const MAX_DAILY_EMAILS = 100_000;
export const MAX_LINKEDIN_ACTIONS = 10_000;

export const SENDER_DEFAULTS = { dailyLimit: 50, warmup: { startPerDay: 10, increasePerDay: 5 } } as const;
export const LINKEDIN_ACCOUNT_DEFAULTS = { dailyInvites: 20, weeklyInvites: 100, dailyMessages: 50 } as const;

export const Warmup = z.object({
  startPerDay: z
    .number()
    .int()
    .min(1)
    .max(MAX_DAILY_EMAILS)
    .default(SENDER_DEFAULTS.warmup.startPerDay)
    .meta({ description: 'Mails allowed on the first sending day (default 10)' }),
  increasePerDay: z
    .number()
    .int()
    .min(0)
    .max(MAX_DAILY_EMAILS)
    .default(SENDER_DEFAULTS.warmup.increasePerDay)
    .meta({ description: 'Added to the allowance for every day since the first send (default 5)' }),
});
export type Warmup = z.infer<typeof Warmup>;

export const DailyLimit = z.number().int().min(1).max(MAX_DAILY_EMAILS);
const linkedInCap = (byDefault: number) => z.number().int().min(0).max(MAX_LINKEDIN_ACTIONS).default(byDefault);

export const Sender = z.object({
  senderId: RecordId,
  name: headerText(200),
  email: address(),
  replyTo: address().optional(),
  dailyLimit: DailyLimit.default(SENDER_DEFAULTS.dailyLimit),
  warmup: Warmup.optional().meta({
    description: 'A ramp from the first send: startPerDay + increasePerDay × days since, capped by dailyLimit',
  }),
  state: SendingState.default('ACTIVE'),
  pausedReason: z.string().max(500).optional(),
  pausedAt: isoTimestamp.optional(),
  firstSendDay: DayIso.optional().meta({ description: "UTC day of the sender's first send (set by the send path)" }),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});
export type Sender = z.infer<typeof Sender>;

export const LinkedInAccount = z.object({
  accountId: RecordId,
  name: headerText(200).optional(),
  dailyInvites: linkedInCap(LINKEDIN_ACCOUNT_DEFAULTS.dailyInvites),
  weeklyInvites: linkedInCap(LINKEDIN_ACCOUNT_DEFAULTS.weeklyInvites),
  dailyMessages: linkedInCap(LINKEDIN_ACCOUNT_DEFAULTS.dailyMessages),
  state: SendingState.default('ACTIVE'),
  pausedReason: z.string().max(500).optional(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});
export type LinkedInAccount = z.infer<typeof LinkedInAccount>;

const DAY_MS = 86_400_000;

/** Whole UTC days from `from` to `to` (both `YYYY-MM-DD`); negative when `to` is earlier. */
function daysBetween(from: string, to: string): number {
  // Date-only ISO strings parse as UTC midnight, so the difference is an exact multiple of a day.
  const days = Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);
  if (!Number.isFinite(days)) throw new RangeError(`"${from}" or "${to}" is not a YYYY-MM-DD day`);
  return days;
}

/**
 * How many mails the sender may send on `dayIso` (`YYYY-MM-DD`, UTC): its dailyLimit, or during warm-up
 * startPerDay + increasePerDay × days since its first send day (0 on that day, before it, or when it has not
 * sent yet), never above dailyLimit.
 */
export function warmupLimitOn(sender: Pick<Sender, 'dailyLimit' | 'warmup' | 'firstSendDay'>, dayIso: string): number {
  if (!DayIso.safeParse(dayIso).success) throw new RangeError(`"${dayIso}" is not a YYYY-MM-DD day`);
  if (!sender.warmup) return sender.dailyLimit;
  const days = sender.firstSendDay ? Math.max(0, daysBetween(sender.firstSendDay, dayIso)) : 0;
  return Math.min(sender.dailyLimit, sender.warmup.startPerDay + sender.warmup.increasePerDay * days);
}

/** One authentication check: pass, fail (present but wrong), none (not published), unknown (not readable). */
export const CheckResult = z.enum(['pass', 'fail', 'none', 'unknown']);
export type CheckResult = z.infer<typeof CheckResult>;

const unknownWhenNull = 'null: could not be read (DNS or SES unreachable)';

/** `GET /v1/senders/{id}/health`: flat, every part `unknown`/null where DNS or AWS could not be reached. */
export const SenderHealth = z.object({
  senderId: RecordId,
  email: z.string(),
  domain: z.string().meta({ description: 'The From domain' }),
  checkedAt: isoTimestamp,
  overall: z.enum(['pass', 'fail', 'unknown']).meta({
    description:
      'fail: a check failed or is missing, or SES has not verified the identity; unknown: nothing failed but something could not be read',
  }),
  problems: z.array(z.string()).meta({ description: 'What to fix, one sentence each' }),
  spf: CheckResult.meta({ description: "The SPF record of spfDomain authorises SES's sending addresses" }),
  spfDomain: z
    .string()
    .meta({ description: 'The envelope (MAIL FROM) domain: SES custom MAIL FROM, else the From domain' }),
  dkim: CheckResult.meta({
    description: "A valid DKIM public key is published for each of the SES identity's selectors",
  }),
  dkimSelectors: z.array(z.string()),
  dmarc: CheckResult.meta({
    description: 'pass: a DMARC record and SPF or DKIM aligned with the From domain; fail: a record, nothing aligned',
  }),
  dmarcPolicy: z.enum(['none', 'quarantine', 'reject']).nullable().meta({ description: 'null: no record or unread' }),
  aligned: z
    .boolean()
    .nullable()
    .meta({ description: `SPF or DKIM aligns with the From domain; ${unknownWhenNull}` }),
  spfAligned: z.boolean().nullable(),
  dkimAligned: z.boolean().nullable(),
  sesIdentity: z
    .string()
    .nullable()
    .meta({ description: 'The SES identity found (domain, else address); null: none or unread' }),
  sesVerifiedForSending: z.boolean().nullable().meta({ description: unknownWhenNull }),
  sesDkimStatus: z
    .string()
    .meta({ description: 'SES DKIM status (SUCCESS, PENDING, FAILED, …, NOT_STARTED) or unknown' }),
  sesMailFromDomain: z.string().nullable(),
  sent7d: z.number().int().nullable().meta({ description: 'Mails sent over the last 7 days; null: not readable' }),
  bounceRate7d: z
    .number()
    .nullable()
    .meta({ description: 'Bounced / sent over 7 days; null: nothing sent or not readable' }),
  complaintRate7d: z
    .number()
    .nullable()
    .meta({ description: 'Complaints / sent over 7 days; null: nothing sent or not readable' }),
  state: SendingState,
  pausedReason: z.string().optional(),
  day: DayIso.meta({ description: 'The UTC day warmupLimitToday applies to' }),
  dailyLimit: z.number().int(),
  warmupLimitToday: z.number().int().meta({ description: 'What the sender may send today (warm-up ramp, dailyLimit)' }),
  firstSendDay: DayIso.optional(),
});
export type SenderHealth = z.infer<typeof SenderHealth>;
