import { IANAZone } from 'luxon';
import * as z from 'zod';

/**
 * A campaign's send window (PRODUCT.md §2 "When a touch may go out"): the weekdays and local hours in which
 * automated touches may go out, in the lead's own time zone unless the campaign pins one. Every message names
 * its field because the issues become HTTP 400 details.
 */

export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export const Weekday = z.enum(WEEKDAYS, { error: `days must list weekdays among ${WEEKDAYS.join(', ')}` });
export type Weekday = z.infer<typeof Weekday>;

/** A 24-hour local wall time, "00:00".."23:59". */
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** True for a zone name the runtime's time-zone database knows (`Europe/Berlin`, `UTC`); case-insensitive. */
export function isValidTimeZone(zone: string): boolean {
  return zone.trim() !== '' && IANAZone.isValidZone(zone);
}

/**
 * Region codes CLDR names that are not countries: groupings (EU, EZ, UN, QO) and private-use test or unknown
 * codes (XA, XB, ZZ). XK (Kosovo) stays: it is user-assigned but used for Kosovo everywhere, date-holidays included.
 */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/**
 * True for an upper-case ISO 3166-1 alpha-2 country code. Uses the runtime's CLDR data (Intl) rather than
 * date-holidays' `getCountries()`, because date-holidays covers only ~200 countries (no AF, IQ, QA, NP…) and a
 * lead from a country without holiday data is still valid: it just has no holidays. Deprecated codes (UK, SU,
 * YU…) are refused because Intl canonicalises them to a different code.
 */
export function isValidCountry(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code) || regionNames.of(code) === undefined) return false;
  return new Intl.Locale(`und-${code}`).region === code;
}

const localTime = (field: 'start' | 'end') =>
  z.string({ error: `${field} must be a time "HH:MM"` }).regex(HH_MM, `${field} must be a 24-hour time "HH:MM"`);
/** `end` may also be "24:00": the end of the day (with start "00:00" on every day, a window that never closes). */
const closingTime = () =>
  z
    .string({ error: 'end must be a time "HH:MM"' })
    .refine((value) => value === '24:00' || HH_MM.test(value), 'end must be a 24-hour time "HH:MM" (or "24:00")');

const ianaZone = (field: string) =>
  z
    .string({ error: `${field} must be an IANA time zone` })
    .refine(isValidTimeZone, `${field} must be an IANA time zone such as Europe/Berlin`);

export const SendSchedule = z
  .object({
    days: z
      .array(Weekday, { error: 'days must be a list of weekdays' })
      .min(1, 'days must name at least one weekday')
      .refine((days) => new Set(days).size === days.length, 'days must not repeat a weekday')
      .default(['MON', 'TUE', 'WED', 'THU', 'FRI']),
    /** Local opening time. */
    start: localTime('start').default('09:00'),
    /** Local closing time (exclusive); earlier than `start` means the window crosses midnight. */
    end: closingTime().default('17:00'),
    /** `lead`: the lead's own zone (else `fallbackTimezone`); an IANA zone pins every lead to it. */
    timezone: z
      .string({ error: 'timezone must be "lead" or an IANA time zone' })
      .refine(
        (zone) => zone === 'lead' || isValidTimeZone(zone),
        'timezone must be "lead" or an IANA time zone such as Europe/Berlin',
      )
      .default('lead'),
    fallbackTimezone: ianaZone('fallbackTimezone').default('UTC'),
    skipHolidays: z.boolean({ error: 'skipHolidays must be true or false' }).default(true),
  })
  .superRefine((schedule, context) => {
    if (schedule.start === schedule.end)
      context.addIssue({ code: 'custom', path: ['end'], message: 'end must differ from start' });
  });
export type SendSchedule = z.infer<typeof SendSchedule>;

export const DEFAULT_SCHEDULE: SendSchedule = SendSchedule.parse({});

/** Every hour of every day, holidays included: touches go out whenever the sequence reaches them. */
export const ANY_HOUR_SCHEDULE: SendSchedule = SendSchedule.parse({
  days: WEEKDAYS,
  start: '00:00',
  end: '24:00',
  skipHolidays: false,
});
