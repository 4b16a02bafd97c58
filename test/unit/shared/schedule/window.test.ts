import Holidays from 'date-holidays';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { windowJitterSeconds } from '#shared/schedule/jitter';
import { DEFAULT_SCHEDULE, isValidCountry, isValidTimeZone, SendSchedule, WEEKDAYS } from '#shared/schedule/schema';
import {
  addBusinessDays,
  NoSendWindowError,
  nextOpening,
  type Place,
  ScheduleInputError,
  windowAt,
  windowsBetween,
  zoneFor,
} from '#shared/schedule/window';

const at = (iso: string) => Date.parse(iso);
const schedule = (overrides: Record<string, unknown> = {}) => SendSchedule.parse(overrides);
const BERLIN: Place = { zone: 'Europe/Berlin', country: 'DE' };
const NEW_YORK: Place = { zone: 'America/New_York', country: 'US' };
const TOKYO: Place = { zone: 'Asia/Tokyo', country: 'JP' };
const AUCKLAND: Place = { zone: 'Pacific/Auckland', country: 'NZ' };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('SendSchedule', () => {
  it('defaults to Mon–Fri 09:00–17:00 in the lead zone, UTC fallback, holidays skipped', () => {
    // Act
    const parsed = SendSchedule.parse({});

    // Assess
    expect(parsed).toEqual({
      days: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
      start: '09:00',
      end: '17:00',
      timezone: 'lead',
      fallbackTimezone: 'UTC',
      skipHolidays: true,
    });
    expect(DEFAULT_SCHEDULE).toEqual(parsed);
  });

  it.each([
    [{ timezone: 'Mars/Olympus_Mons' }, 'timezone'],
    [{ timezone: '' }, 'timezone'],
    [{ fallbackTimezone: 'lead' }, 'fallbackTimezone'],
    [{ start: '9:00' }, 'start'],
    [{ end: '24:01' }, 'end'],
    [{ start: '24:00' }, 'start'],
    [{ start: '10:00', end: '10:00' }, 'end'],
    [{ days: [] }, 'days'],
    [{ days: ['MON', 'MON'] }, 'days'],
    [{ days: ['MONDAY'] }, 'days'],
    [{ skipHolidays: 'yes' }, 'skipHolidays'],
  ])('refuses %j with an issue naming %s', (input, field) => {
    // Act
    const result = SendSchedule.safeParse(input);

    // Assess
    expect(result.success).toBe(false);
    const issue = result.error?.issues[0];
    expect(issue?.path[0]).toBe(field);
    expect(issue?.message).toContain(field);
  });

  it('accepts a pinned IANA zone and a window crossing midnight', () => {
    // Act
    const parsed = schedule({ timezone: 'Asia/Tokyo', start: '22:00', end: '02:00', days: ['SUN'] });

    // Assess
    expect(parsed).toMatchObject({ timezone: 'Asia/Tokyo', start: '22:00', end: '02:00', days: ['SUN'] });
  });

  it('tells valid zones and ISO 3166-1 alpha-2 countries apart', () => {
    // Assess
    expect(['Europe/Berlin', 'UTC', 'Pacific/Chatham'].map(isValidTimeZone)).toEqual([true, true, true]);
    expect(['Europe/Atlantis', '', 'lead'].map(isValidTimeZone)).toEqual([false, false, false]);
    expect(['DE', 'US', 'AF', 'XK', 'NZ'].map(isValidCountry)).toEqual([true, true, true, true, true]);
    expect(['UK', 'EU', 'ZZ', 'de', 'DEU', 'XX', ''].map(isValidCountry)).toEqual(Array(7).fill(false));
  });
});

describe('zoneFor', () => {
  it('uses the lead zone, else the fallback, unless the schedule pins a zone', () => {
    // Prepare
    const berlinFallback = schedule({ fallbackTimezone: 'Europe/Berlin' });
    const pinned = schedule({ timezone: 'Asia/Tokyo' });

    // Act & Assess
    expect(zoneFor(DEFAULT_SCHEDULE, { timezone: 'America/New_York' })).toBe('America/New_York');
    expect(zoneFor(DEFAULT_SCHEDULE, {})).toBe('UTC');
    expect(zoneFor(berlinFallback, {})).toBe('Europe/Berlin');
    expect(zoneFor(berlinFallback, { timezone: 'Not/A_Zone' })).toBe('Europe/Berlin');
    expect(zoneFor(pinned, { timezone: 'America/New_York' })).toBe('Asia/Tokyo');
  });

  it('reads the window of a lead without a zone in the fallback zone', () => {
    // Prepare
    const berlinFallback = schedule({ fallbackTimezone: 'Europe/Berlin' });
    const place = { zone: zoneFor(berlinFallback, {}) };

    // Act
    const state = windowAt(berlinFallback, place, at('2026-01-14T07:30:00Z'));

    // Assess: 08:30 in Berlin, not yet open (it would be open in UTC)
    expect(state).toEqual({ open: false, opensAtMs: at('2026-01-14T08:00:00Z'), reason: 'outside_hours' });
  });
});

describe('windowAt with the defaults in Europe/Berlin', () => {
  it('is open on a weekday inside 09:00–17:00 and says when it closes', () => {
    // Act
    const state = windowAt(DEFAULT_SCHEDULE, BERLIN, at('2026-01-14T09:00:00Z'));

    // Assess: Wednesday 10:00 CET; closes 17:00 CET
    expect(state).toEqual({ open: true, closesAtMs: at('2026-01-14T16:00:00Z') });
  });

  it('opens exactly at 09:00 and closes exactly at 17:00 (end exclusive)', () => {
    // Assess
    expect(windowAt(DEFAULT_SCHEDULE, BERLIN, at('2026-01-14T08:00:00Z')).open).toBe(true);
    expect(windowAt(DEFAULT_SCHEDULE, BERLIN, at('2026-01-14T07:59:59.999Z')).open).toBe(false);
    expect(windowAt(DEFAULT_SCHEDULE, BERLIN, at('2026-01-14T15:59:59.999Z')).open).toBe(true);
    expect(windowAt(DEFAULT_SCHEDULE, BERLIN, at('2026-01-14T16:00:00Z')).open).toBe(false);
  });

  it('sends a Friday 17:30 step to Monday 09:00', () => {
    // Act
    const state = windowAt(DEFAULT_SCHEDULE, BERLIN, at('2026-01-16T16:30:00Z'));

    // Assess
    expect(state).toEqual({ open: false, opensAtMs: at('2026-01-19T08:00:00Z'), reason: 'outside_hours' });
  });

  it('calls a Saturday a closed day', () => {
    // Act
    const state = windowAt(DEFAULT_SCHEDULE, BERLIN, at('2026-01-17T10:00:00Z'));

    // Assess
    expect(state).toEqual({ open: false, opensAtMs: at('2026-01-19T08:00:00Z'), reason: 'closed_day' });
  });
});

describe('windowAt across the date line', () => {
  it('opens for an Auckland lead on its Friday while it is still Thursday in UTC', () => {
    // Act
    const state = windowAt(DEFAULT_SCHEDULE, AUCKLAND, at('2026-01-15T20:30:00Z'));

    // Assess: Friday 09:30 NZDT (UTC+13); closes 17:00 NZDT
    expect(state).toEqual({ open: true, closesAtMs: at('2026-01-16T04:00:00Z') });
  });

  it('waits out the Auckland weekend and opens on what is Sunday in UTC', () => {
    // Act
    const state = windowAt(DEFAULT_SCHEDULE, AUCKLAND, at('2026-01-16T20:30:00Z'));

    // Assess: Saturday 09:30 NZDT → Monday 09:00 NZDT = Sunday 20:00 UTC
    expect(state).toEqual({ open: false, opensAtMs: at('2026-01-18T20:00:00Z'), reason: 'closed_day' });
  });

  it('counts a Tokyo Monday morning that is Sunday in UTC as a weekday', () => {
    // Act
    const early = windowAt(DEFAULT_SCHEDULE, TOKYO, at('2026-01-18T23:30:00Z'));
    const open = windowAt(DEFAULT_SCHEDULE, TOKYO, at('2026-01-19T00:30:00Z'));

    // Assess: Monday 08:30 JST waits for 09:00 JST; 09:30 JST is open
    expect(early).toEqual({ open: false, opensAtMs: at('2026-01-19T00:00:00Z'), reason: 'outside_hours' });
    expect(open).toEqual({ open: true, closesAtMs: at('2026-01-19T08:00:00Z') });
  });
});

describe('windowAt across daylight-saving changes (America/New_York)', () => {
  it('keeps 09:00 local over the March change, one hour earlier in UTC', () => {
    // Act: Friday 6 March 2026 18:00 EST; clocks go forward on Sunday 8 March
    const friday = windowsBetween(DEFAULT_SCHEDULE, NEW_YORK, at('2026-03-06T00:00:00Z'), at('2026-03-07T00:00:00Z'));
    const state = windowAt(DEFAULT_SCHEDULE, NEW_YORK, at('2026-03-06T23:00:00Z'));

    // Assess
    expect(friday).toEqual([
      { startMs: at('2026-03-06T14:00:00Z'), endMs: at('2026-03-06T22:00:00Z'), localDate: '2026-03-06' },
    ]);
    expect(state).toMatchObject({ open: false, opensAtMs: at('2026-03-09T13:00:00Z') });
  });

  it('keeps 09:00 local over the November change, one hour later in UTC', () => {
    // Act: Friday 30 October 2026 18:00 EDT; clocks go back on Sunday 1 November
    const friday = windowsBetween(DEFAULT_SCHEDULE, NEW_YORK, at('2026-10-30T12:00:00Z'), at('2026-10-30T18:00:00Z'));
    const state = windowAt(DEFAULT_SCHEDULE, NEW_YORK, at('2026-10-30T22:00:00Z'));

    // Assess
    expect(friday.map((window) => window.startMs)).toEqual([at('2026-10-30T13:00:00Z')]);
    expect(state).toMatchObject({ open: false, opensAtMs: at('2026-11-02T14:00:00Z') });
  });

  it('reads an ambiguous fall-back time as its first occurrence', () => {
    // Prepare: 01:30 happens twice on 1 November 2026 (EDT, then EST)
    const night = schedule({ days: ['SUN'], start: '01:30', end: '04:00' });

    // Act
    const opening = nextOpening(night, NEW_YORK, at('2026-11-01T00:00:00Z'));

    // Assess: 01:30 EDT = 05:30 UTC (the second 01:30 EST would be 06:30 UTC)
    expect(opening).toBe(at('2026-11-01T05:30:00Z'));
  });
});

describe('windowAt on the spring-forward day (Europe/Berlin, 29 March 2026)', () => {
  const night = schedule({ days: ['SAT', 'SUN'], start: '02:30', end: '05:00' });

  it('opens a 02:30 window at 03:00 CEST, the first valid instant after the gap', () => {
    // Act
    const state = windowAt(night, BERLIN, at('2026-03-29T00:45:00Z'));

    // Assess: 01:45 CET → opens 03:00 CEST = 01:00 UTC
    expect(state).toEqual({ open: false, opensAtMs: at('2026-03-29T01:00:00Z'), reason: 'outside_hours' });
    expect(windowAt(night, BERLIN, at('2026-03-29T01:00:00Z'))).toEqual({
      open: true,
      closesAtMs: at('2026-03-29T03:00:00Z'),
    });
  });

  it('opens at 02:30 CET the day before, when the time exists', () => {
    // Act
    const opening = nextOpening(night, BERLIN, at('2026-03-28T00:00:00Z'));

    // Assess
    expect(opening).toBe(at('2026-03-28T01:30:00Z'));
  });
});

describe('a window crossing midnight (22:00–02:00, Mon–Fri, Europe/Berlin)', () => {
  const late = schedule({ start: '22:00', end: '02:00' });

  it('stays open after midnight into Saturday for the Friday window', () => {
    // Act
    const state = windowAt(late, BERLIN, at('2026-01-17T00:30:00Z'));

    // Assess: Saturday 01:30 CET belongs to Friday's window, which closes at 02:00 CET
    expect(state).toEqual({ open: true, closesAtMs: at('2026-01-17T01:00:00Z') });
  });

  it('is shut on Saturday night and on Monday 01:00 (Sunday has no window)', () => {
    // Act
    const saturday = windowAt(late, BERLIN, at('2026-01-17T01:30:00Z'));
    const mondayNight = windowAt(late, BERLIN, at('2026-01-19T00:00:00Z'));

    // Assess: both wait for Monday 22:00 CET
    expect(saturday).toEqual({ open: false, opensAtMs: at('2026-01-19T21:00:00Z'), reason: 'closed_day' });
    expect(mondayNight).toEqual({ open: false, opensAtMs: at('2026-01-19T21:00:00Z'), reason: 'closed_day' });
  });

  it('lists each window under the date it starts on', () => {
    // Act
    const windows = windowsBetween(late, BERLIN, at('2026-01-16T12:00:00Z'), at('2026-01-20T12:00:00Z'));

    // Assess
    expect(windows).toEqual([
      { startMs: at('2026-01-16T21:00:00Z'), endMs: at('2026-01-17T01:00:00Z'), localDate: '2026-01-16' },
      { startMs: at('2026-01-19T21:00:00Z'), endMs: at('2026-01-20T01:00:00Z'), localDate: '2026-01-19' },
    ]);
  });
});

describe('public holidays', () => {
  it.each([
    ['DE Christmas Day', BERLIN, '2026-12-25T09:00:00Z', 'Christmas Day', '2026-12-28T08:00:00Z'],
    ['US Independence Day', NEW_YORK, '2025-07-04T14:00:00Z', 'Independence Day', '2025-07-07T13:00:00Z'],
    ['US Thanksgiving', NEW_YORK, '2026-11-26T15:00:00Z', 'Thanksgiving Day', '2026-11-27T14:00:00Z'],
    ['JP New Year', TOKYO, '2026-01-01T01:00:00Z', "New Year's Day", '2026-01-02T00:00:00Z'],
    ['NZ Waitangi Day', AUCKLAND, '2026-02-05T21:00:00Z', 'Waitangi Day', '2026-02-08T20:00:00Z'],
  ])('%s closes the window until the next working day', (_name, place, now, holiday, opensAt) => {
    // Act
    const state = windowAt(DEFAULT_SCHEDULE, place, at(now));

    // Assess
    expect(state).toEqual({ open: false, opensAtMs: at(opensAt), reason: 'holiday', holiday });
  });

  it('gives the holiday as the reason outside hours too, and ignores non-public days (DE 24 Dec is "bank")', () => {
    // Act
    const christmasEvening = windowAt(DEFAULT_SCHEDULE, BERLIN, at('2026-12-25T19:00:00Z'));
    const christmasEve = windowAt(DEFAULT_SCHEDULE, BERLIN, at('2026-12-24T09:00:00Z'));

    // Assess
    expect(christmasEvening).toMatchObject({ reason: 'holiday', opensAtMs: at('2026-12-28T08:00:00Z') });
    expect(christmasEve.open).toBe(true);
  });

  it('opens on holidays when skipHolidays is false', () => {
    // Prepare
    const everyWorkday = schedule({ skipHolidays: false });

    // Act
    const state = windowAt(everyWorkday, BERLIN, at('2026-12-25T09:00:00Z'));

    // Assess
    expect(state).toEqual({ open: true, closesAtMs: at('2026-12-25T16:00:00Z') });
  });

  it('knows no holidays for a lead without a country or with an unknown one', () => {
    // Act
    const noCountry = windowAt(DEFAULT_SCHEDULE, { zone: 'Europe/Berlin' }, at('2026-12-25T09:00:00Z'));
    const unknown = windowAt(DEFAULT_SCHEDULE, { zone: 'Europe/Berlin', country: 'QQ' }, at('2026-12-25T09:00:00Z'));

    // Assess
    expect(noCountry.open).toBe(true);
    expect(unknown.open).toBe(true);
  });

  it('throws a coded error when no window opens within the search horizon', () => {
    // Prepare: every day of every year is a public holiday in this (faked) calendar
    vi.spyOn(Holidays.prototype, 'getHolidays').mockImplementation((year) => [
      {
        date: `${year}-01-01 00:00:00`,
        start: new Date(Date.UTC(Number(year), 0, 1)),
        end: new Date(Date.UTC(Number(year) + 1, 0, 1)),
        name: 'Every day',
        type: 'public',
        rule: 'fake',
      },
    ]);

    // Act
    const attempt = () => windowAt(DEFAULT_SCHEDULE, { zone: 'UTC', country: 'FO' }, at('2026-01-14T10:00:00Z'));

    // Assess
    expect(attempt).toThrow(NoSendWindowError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'no_send_window' }));
  });
});

describe('addBusinessDays', () => {
  it('skips the weekend', () => {
    // Act & Assess
    expect(addBusinessDays(DEFAULT_SCHEDULE, BERLIN, '2026-01-16', 1)).toBe('2026-01-19');
    expect(addBusinessDays(DEFAULT_SCHEDULE, BERLIN, '2026-01-14', 5)).toBe('2026-01-21');
  });

  it('skips holidays, unless skipHolidays is off', () => {
    // Act & Assess: Thu 24 Dec → (Fri 25 Dec holiday, weekend) → Mon 28 Dec
    expect(addBusinessDays(DEFAULT_SCHEDULE, BERLIN, '2026-12-24', 1)).toBe('2026-12-28');
    expect(addBusinessDays(schedule({ skipHolidays: false }), BERLIN, '2026-12-24', 1)).toBe('2026-12-25');
  });

  it('keeps the date for 0, walks back for negative n, and refuses bad input', () => {
    // Act & Assess
    expect(addBusinessDays(DEFAULT_SCHEDULE, BERLIN, '2026-01-17', 0)).toBe('2026-01-17');
    expect(addBusinessDays(DEFAULT_SCHEDULE, BERLIN, '2026-12-28', -1)).toBe('2026-12-24');
    expect(() => addBusinessDays(DEFAULT_SCHEDULE, BERLIN, '2026-02-30', 1)).toThrow(ScheduleInputError);
    expect(() => addBusinessDays(DEFAULT_SCHEDULE, BERLIN, '2026-01-16', 1.5)).toThrow(ScheduleInputError);
  });
});

describe('windowsBetween', () => {
  it('lists a Berlin week without Christmas Day and without the weekend', () => {
    // Act
    const windows = windowsBetween(DEFAULT_SCHEDULE, BERLIN, at('2026-12-21T00:00:00Z'), at('2026-12-28T00:00:00Z'));

    // Assess
    expect(windows.map((window) => window.localDate)).toEqual(['2026-12-21', '2026-12-22', '2026-12-23', '2026-12-24']);
    expect(windows[0]).toEqual({
      startMs: at('2026-12-21T08:00:00Z'),
      endMs: at('2026-12-21T16:00:00Z'),
      localDate: '2026-12-21',
    });
  });

  it('refuses a backwards range', () => {
    // Act & Assess
    expect(() =>
      windowsBetween(DEFAULT_SCHEDULE, BERLIN, at('2026-01-02T00:00:00Z'), at('2026-01-01T00:00:00Z')),
    ).toThrow(ScheduleInputError);
  });
});

describe('windowJitterSeconds', () => {
  it('maps the random draw onto whole seconds 0..900', () => {
    // Act & Assess
    expect(windowJitterSeconds(() => 0)).toBe(0);
    expect(windowJitterSeconds(() => 0.5)).toBe(450);
    expect(windowJitterSeconds(() => 0.999_999_9)).toBe(900);
    expect(windowJitterSeconds(() => 1)).toBe(900);
  });

  it('stays an integer in range with Math.random', () => {
    // Act
    const draws = Array.from({ length: 500 }, () => windowJitterSeconds());

    // Assess
    expect(draws.every((seconds) => Number.isInteger(seconds) && seconds >= 0 && seconds <= 900)).toBe(true);
  });
});

describe('nextOpening (property)', () => {
  const ZONES = [
    'UTC',
    'Europe/Berlin',
    'America/New_York',
    'Pacific/Auckland',
    'Asia/Tokyo',
    'Asia/Kathmandu',
    'Australia/Lord_Howe',
    'America/Havana',
    'America/Santiago',
    'Pacific/Chatham',
  ];
  const TIMES = ['00:00', '01:30', '02:00', '02:30', '03:00', '09:00', '17:00', '22:00', '23:59'];
  const arbitrarySchedule = fc
    .record({
      days: fc.subarray([...WEEKDAYS], { minLength: 1 }),
      times: fc.uniqueArray(fc.constantFrom(...TIMES), { minLength: 2, maxLength: 2 }),
      skipHolidays: fc.boolean(),
    })
    .map(({ days, times: [start, end], skipHolidays }) => schedule({ days, start, end, skipHolidays }));
  const arbitraryPlace = fc.record({
    zone: fc.constantFrom(...ZONES),
    country: fc.constantFrom('DE', 'US', 'NZ', 'JP', 'AE', undefined),
  });
  const arbitraryInstant = fc.integer({ min: at('2024-01-01T00:00:00Z'), max: at('2030-12-31T00:00:00Z') });

  it('is at or after the instant, open, and the first open minute', () => {
    fc.assert(
      fc.property(arbitrarySchedule, arbitraryPlace, arbitraryInstant, (sendSchedule, place, instant) => {
        // Act
        const opening = nextOpening(sendSchedule, place, instant);

        // Assess
        expect(opening).toBeGreaterThanOrEqual(instant);
        expect(windowAt(sendSchedule, place, opening).open).toBe(true);
        const samples = opening > instant ? sampleBetween(instant, opening, 40) : [];
        for (const sample of samples) expect(windowAt(sendSchedule, place, sample).open).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

/** The first and last millisecond before `endMs`, and `count` whole minutes spread evenly in between. */
function sampleBetween(startMs: number, endMs: number, count: number): number[] {
  const step = Math.max(60_000, Math.floor((endMs - startMs) / count / 60_000) * 60_000);
  const minutes = Array.from({ length: count }, (_, index) => startMs + index * step).filter((ms) => ms < endMs);
  return [...minutes, endMs - 1];
}

describe('a window that never closes (ANY_HOUR_SCHEDULE: every day 00:00–24:00, holidays included)', () => {
  it('is open at any instant, in any zone, on a holiday too', async () => {
    // Prepare
    const { ANY_HOUR_SCHEDULE } = await import('#shared/schedule/schema');
    const instants = ['2026-12-25T00:00:00Z', '2026-12-26T23:59:59Z', '2027-03-28T01:30:00Z', '2027-01-01T12:00:00Z'];

    // Act
    const closed = instants.flatMap((instant) =>
      ['Europe/Berlin', 'Pacific/Auckland', 'America/New_York'].filter(
        (zone) => !windowAt(ANY_HOUR_SCHEDULE, { zone, country: 'DE' }, Date.parse(instant)).open,
      ),
    );

    // Assess
    expect(closed).toEqual([]);
    expect(ANY_HOUR_SCHEDULE.end).toBe('24:00');
  });
});
