import Holidays from 'date-holidays';
import { DateTime, IANAZone } from 'luxon';
import { CodedError } from '../errors';
import { isValidTimeZone, type SendSchedule, WEEKDAYS } from './schema';

/**
 * When a touch may go out (PRODUCT.md §2): a schedule's window opens on each schedule day at `start` local time
 * and closes at `end` (exclusive), the next day when `end` is earlier than `start` (22:00–02:00 belongs to the day
 * it starts on). A day that is a public holiday of the lead's country (by the lead's local calendar date of the
 * window's start) has no window when `skipHolidays` is on.
 *
 * Daylight-saving time: local times are resolved in the lead's zone for each day, so 09:00 stays 09:00 local on
 * both sides of a change and the UTC instant moves. A local time that does not exist (spring-forward gap, e.g.
 * 02:30 in Europe/Berlin on 29 March 2026) means the first valid instant after it (03:00 CEST); a local time
 * that happens twice (fall-back) means its first occurrence. A window that a gap empties (02:00–02:30 on that
 * day) does not open that day.
 */

export interface Place {
  /** IANA zone the window is read in (see `zoneFor`). */
  zone: string;
  /** ISO 3166-1 alpha-2 country whose public holidays close the window; absent or unknown: no holidays. */
  country?: string;
}

export type ClosedReason = 'outside_hours' | 'closed_day' | 'holiday';

export type WindowState =
  | { open: true; closesAtMs: number }
  | { open: false; opensAtMs: number; reason: ClosedReason; holiday?: string };

/** One opening: `localDate` is the lead's calendar date the window starts on. */
export interface SendWindow {
  startMs: number;
  endMs: number;
  localDate: string;
}

/** The schedule never opens within `MAX_SEARCH_DAYS` (e.g. every schedule day is a holiday). */
export class NoSendWindowError extends CodedError('NoSendWindowError', 'no_send_window', 'invalid') {}
/** A date or range argument that cannot be read. */
export class ScheduleInputError extends CodedError('ScheduleInputError', 'invalid_schedule_input', 'invalid') {}

/** How far ahead an opening is searched: a little over a year covers any weekly schedule plus holiday runs. */
export const MAX_SEARCH_DAYS = 400;

const MINUTE_MS = 60_000;
const HALF_DAY_MS = 12 * 60 * MINUTE_MS;
const DAY_MS = 2 * HALF_DAY_MS;

/** The zone a lead's window is read in: the schedule's own, else the lead's when valid, else the fallback. */
export function zoneFor(schedule: SendSchedule, lead: { timezone?: string }): string {
  if (schedule.timezone !== 'lead' && isValidTimeZone(schedule.timezone)) return schedule.timezone;
  if (lead.timezone !== undefined && isValidTimeZone(lead.timezone)) return lead.timezone;
  return schedule.fallbackTimezone;
}

/** Whether the window is open at `atMs`; when closed, the exact next opening and why it is closed now. */
export function windowAt(schedule: SendSchedule, place: Place, atMs: number): WindowState {
  const zone = zoneOf(place);
  const today = localDateOf(atMs, zone);
  const containing = [shiftDate(today, -1), today]
    .map((date) => hoursOn(schedule, zone, date))
    .filter((hours) => hours.startMs <= atMs && atMs < hours.endMs);
  const current = containing.find((hours) => dayStatus(schedule, place, hours.localDate).kind === 'working');
  if (current) return { open: true, closesAtMs: current.endMs };
  return {
    open: false,
    opensAtMs: firstStartAfter(schedule, place, atMs, today),
    ...closedReason(schedule, place, containing[0]?.localDate ?? today),
  };
}

/** The first instant at or after `atMs` at which the window is open. */
export function nextOpening(schedule: SendSchedule, place: Place, atMs: number): number {
  const state = windowAt(schedule, place, atMs);
  return state.open ? atMs : state.opensAtMs;
}

/**
 * `dateIso` (a local YYYY-MM-DD) moved by `n` working days (forward, or back when negative); a working day is a
 * schedule day that is not a holiday (holidays count as working days when `skipHolidays` is off).
 */
export function addBusinessDays(schedule: SendSchedule, place: Place, dateIso: string, n: number): string {
  if (!Number.isInteger(n)) throw new ScheduleInputError(`n must be a whole number of days, got ${n}`);
  let date = checkedDate(dateIso);
  const step = Math.sign(n);
  for (let left = Math.abs(n); left > 0; left--) date = nextWorkingDate(schedule, place, date, step);
  return date;
}

/** Every window that overlaps [fromMs, toMs), whole (not clipped to the range), in time order. */
export function windowsBetween(schedule: SendSchedule, place: Place, fromMs: number, toMs: number): SendWindow[] {
  checkRange(fromMs, toMs);
  const zone = zoneOf(place);
  const windows: SendWindow[] = [];
  const last = localDateOf(toMs, zone);
  for (let date = shiftDate(localDateOf(fromMs, zone), -1); date <= last; date = shiftDate(date, 1)) {
    const hours = hoursOn(schedule, zone, date);
    const overlaps = hours.startMs < toMs && hours.endMs > fromMs && hours.startMs < hours.endMs;
    if (overlaps && dayStatus(schedule, place, date).kind === 'working') windows.push(hours);
  }
  return windows;
}

// --- days --------------------------------------------------------------------------------------------------

type DayStatus = { kind: 'working' } | { kind: 'closed_day' } | { kind: 'holiday'; name: string };

function dayStatus(schedule: SendSchedule, place: Place, date: string): DayStatus {
  if (!schedule.days.includes(weekdayOf(date))) return { kind: 'closed_day' };
  const holiday = schedule.skipHolidays ? holidayOn(place.country, date) : undefined;
  return holiday === undefined ? { kind: 'working' } : { kind: 'holiday', name: holiday };
}

/** Why the window is shut on `date`: the date of the hours `atMs` falls in, else the lead's date now. */
function closedReason(schedule: SendSchedule, place: Place, date: string): { reason: ClosedReason; holiday?: string } {
  const status = dayStatus(schedule, place, date);
  if (status.kind === 'holiday') return { reason: 'holiday', holiday: status.name };
  return { reason: status.kind === 'closed_day' ? 'closed_day' : 'outside_hours' };
}

/** The start of the first window on `today` or later that starts after `atMs`. */
function firstStartAfter(schedule: SendSchedule, place: Place, atMs: number, today: string): number {
  const zone = zoneOf(place);
  for (let offset = 0; offset <= MAX_SEARCH_DAYS; offset++) {
    const date = shiftDate(today, offset);
    if (dayStatus(schedule, place, date).kind !== 'working') continue;
    const hours = hoursOn(schedule, zone, date);
    if (hours.startMs > atMs && hours.startMs < hours.endMs) return hours.startMs;
  }
  throw new NoSendWindowError(`The send window does not open within ${MAX_SEARCH_DAYS} days of ${isoOf(atMs)}`);
}

function nextWorkingDate(schedule: SendSchedule, place: Place, from: string, step: number): string {
  let date = from;
  for (let tries = 0; tries < MAX_SEARCH_DAYS; tries++) {
    date = shiftDate(date, step);
    if (dayStatus(schedule, place, date).kind === 'working') return date;
  }
  throw new NoSendWindowError(`No working day within ${MAX_SEARCH_DAYS} days of ${from}`);
}

// --- local time --------------------------------------------------------------------------------------------

function zoneOf(place: Place): IANAZone {
  const zone = IANAZone.create(place.zone);
  if (!zone.isValid) throw new ScheduleInputError(`zone must be an IANA time zone, got ${place.zone}`);
  return zone;
}

/** The window that starts on `date` (schedule days and holidays aside). */
function hoursOn(schedule: SendSchedule, zone: IANAZone, date: string): SendWindow {
  // "24:00" is the next day's midnight.
  const endOfDay = schedule.end === '24:00';
  const endDate = endOfDay || schedule.end < schedule.start ? shiftDate(date, 1) : date;
  return {
    startMs: instantOfLocal(zone, date, schedule.start),
    endMs: instantOfLocal(zone, endDate, endOfDay ? '00:00' : schedule.end),
    localDate: date,
  };
}

/**
 * Resolved local times, because the zone offset lookups (Intl formatting) are most of the cost of a search;
 * the mapping is pure, so the cache only ever needs bounding.
 */
const instants = new Map<string, number>();
const MAX_CACHED_INSTANTS = 50_000;

/**
 * The instant of the local wall time `date time` in `zone`. Hand-written on luxon's zone offsets because
 * `DateTime.fromObject` moves a time in a spring-forward gap on by the gap's length (02:30 → 03:30) and picks
 * the later occurrence of an ambiguous time; we want the end of the gap (03:00) and the first occurrence.
 */
function instantOfLocal(zone: IANAZone, date: string, time: string): number {
  const key = `${zone.name} ${date} ${time}`;
  let instant = instants.get(key);
  if (instant === undefined) {
    if (instants.size >= MAX_CACHED_INSTANTS) instants.clear();
    instant = resolveLocal(zone, Date.parse(`${date}T${time}:00Z`));
    instants.set(key, instant);
  }
  return instant;
}

/** `wallMs`: the wall time read as if it were UTC. */
function resolveLocal(zone: IANAZone, wallMs: number): number {
  const offsets = [zone.offset(wallMs - HALF_DAY_MS), zone.offset(wallMs + HALF_DAY_MS)];
  if (offsets[0] === offsets[1]) return wallMs - (offsets[0] ?? 0) * MINUTE_MS; // no change nearby: most days
  const candidates = offsets
    .map((offset) => wallMs - offset * MINUTE_MS)
    .filter((instant, index) => zone.offset(instant) === offsets[index]);
  if (candidates.length > 0) return Math.min(...candidates);
  // In a gap: the transition lies between the wall time read with the later offset and with the earlier one.
  const [before = 0, after = 0] = offsets;
  return firstInstantWithOffset(zone, wallMs - after * MINUTE_MS, wallMs - before * MINUTE_MS);
}

/** Binary search for the first millisecond in (fromMs, toMs] that has `toMs`'s offset: the transition. */
function firstInstantWithOffset(zone: IANAZone, fromMs: number, toMs: number): number {
  const target = zone.offset(toMs);
  let [low, high] = [fromMs, toMs];
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (zone.offset(middle) === target) high = middle;
    else low = middle;
  }
  return high;
}

function localDateOf(atMs: number, zone: IANAZone): string {
  return isoDate(DateTime.fromMillis(atMs, { zone }));
}

/**
 * Calendar arithmetic on a YYYY-MM-DD date is zone-free, so plain UTC dates do it; luxon objects here were most
 * of the cost of a long search.
 */
function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function weekdayOf(date: string): (typeof WEEKDAYS)[number] {
  const sundayFirst = new Date(`${date}T00:00:00Z`).getUTCDay();
  return WEEKDAYS[(sundayFirst + 6) % 7] ?? 'MON';
}

function isoDate(dateTime: DateTime): string {
  const date = dateTime.toISODate();
  if (date === null) throw new ScheduleInputError(`Not a valid date: ${dateTime.invalidExplanation}`);
  return date;
}

function checkedDate(dateIso: string): string {
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(dateIso) ? DateTime.fromISO(dateIso, { zone: 'utc' }) : undefined;
  if (!parsed?.isValid) throw new ScheduleInputError(`date must be YYYY-MM-DD, got ${dateIso}`);
  return dateIso;
}

function checkRange(fromMs: number, toMs: number): void {
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || toMs < fromMs)
    throw new ScheduleInputError('The preview range must run forward between two instants');
  if (toMs - fromMs > MAX_SEARCH_DAYS * DAY_MS)
    throw new ScheduleInputError(`The preview range must not exceed ${MAX_SEARCH_DAYS} days`);
}

const isoOf = (ms: number) => new Date(ms).toISOString();

// --- holidays ----------------------------------------------------------------------------------------------

/** One date-holidays instance per country (building one parses its rules); unknown codes yield no holidays. */
const calendars = new Map<string, Holidays>();
/** `COUNTRY:year` → local date → holiday name, for that year's public holidays. */
const holidayYears = new Map<string, Map<string, string>>();

function holidayOn(country: string | undefined, date: string): string | undefined {
  const code = country?.trim().toUpperCase();
  if (!code) return undefined;
  const year = Number(date.slice(0, 4));
  // A multi-day holiday that starts late in December runs into the next year.
  return publicHolidays(code, year).get(date) ?? publicHolidays(code, year - 1).get(date);
}

function publicHolidays(country: string, year: number): Map<string, string> {
  const key = `${country}:${year}`;
  let dates = holidayYears.get(key);
  if (dates === undefined) {
    dates = new Map();
    for (const holiday of calendarOf(country).getHolidays(year)) {
      if (holiday.type !== 'public') continue;
      for (const date of datesCovered(holiday)) if (!dates.has(date)) dates.set(date, holiday.name);
    }
    holidayYears.set(key, dates);
  }
  return dates;
}

function calendarOf(country: string): Holidays {
  let calendar = calendars.get(country);
  if (calendar === undefined) {
    calendar = new Holidays(country, { languages: ['en'], types: ['public'] });
    calendars.set(country, calendar);
  }
  return calendar;
}

/**
 * The local dates a holiday covers. `date` is its first local date ("2026-03-20 00:00:00 -0600" for a holiday that
 * starts the evening before); whole days between `start` and `end` count the rest (Eid spans three days). A
 * holiday that starts at noon still closes the whole day: the window's date is what counts.
 */
function datesCovered(holiday: { date: string; start: Date; end: Date }): string[] {
  const days = Math.max(1, Math.round((holiday.end.getTime() - holiday.start.getTime()) / DAY_MS));
  const first = holiday.date.slice(0, 10);
  return Array.from({ length: days }, (_, index) => shiftDate(first, index));
}
