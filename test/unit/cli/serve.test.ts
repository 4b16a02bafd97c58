import { describe, expect, it } from 'vitest';
import { parseSchedule } from '#local/eventbridge/schedule-expression';

/** What `cascade serve --schedule` accepts: the parser of the EventBridge twin, which drives the schedule rules. */
describe('parseSchedule', () => {
  it('reads EventBridge rate expressions', () => {
    // Assess
    expect(parseSchedule('rate(15 minutes)').nextDelayMs(new Date())).toBe(15 * 60_000);
    expect(parseSchedule('rate(1 hour)').nextDelayMs(new Date())).toBe(3_600_000);
    expect(parseSchedule(' rate(2 days) ').nextDelayMs(new Date())).toBe(2 * 86_400_000);
    expect(() => parseSchedule('rate(1 minutes)')).toThrow(/rate\(1 minute\)/);
    expect(() => parseSchedule('rate(0 minutes)')).toThrow();
    expect(() => parseSchedule('every 5 minutes')).toThrow(/not rate/);
  });

  it('reads EventBridge cron expressions in UTC', () => {
    // Prepare
    const friday = new Date('2026-11-27T08:59:30Z');

    // Act
    const weekdays = parseSchedule('cron(0 9 ? * MON-FRI *)');
    const quarterHours = parseSchedule('cron(0/15 * * * ? *)');

    // Assess
    expect(weekdays.nextDelayMs(friday)).toBe(30_000);
    // After Friday 09:00 the next weekday 09:00 is Monday.
    expect(weekdays.nextDelayMs(new Date('2026-11-27T09:00:00Z'))).toBe(3 * 86_400_000);
    expect(quarterHours.nextDelayMs(new Date('2026-11-27T10:07:00Z'))).toBe(8 * 60_000);
    expect(() => parseSchedule('cron(0 9 * *)')).toThrow(/6 fields/);
    expect(() => parseSchedule('cron(0 9 L * ? *)')).toThrow(/not supported/);
  });
});

/** `--clock-start` of `cascade serve` and `cascade demo`: an ISO instant with its zone, or one readable error. */
describe('parseClockStart', () => {
  it('reads an instant with its zone', async () => {
    // Prepare
    const { parseClockStart } = await import('#cli/serve');

    // Act
    const utc = parseClockStart('2026-12-24T08:00:00Z');
    const berlin = parseClockStart('2026-12-24T09:00+01:00');

    // Assess
    expect(utc).toBe(Date.parse('2026-12-24T08:00:00Z'));
    expect(berlin).toBe(utc);
    expect(parseClockStart(undefined)).toBeUndefined();
  });

  it('refuses a bare local time, a date alone and nonsense, naming the option', async () => {
    // Prepare
    const { parseClockStart } = await import('#cli/serve');

    // Assess
    for (const given of ['2026-12-24T08:00:00', '2026-12-24', 'tomorrow', '2026-13-40T08:00:00Z'])
      expect(() => parseClockStart(given), given).toThrow(/^--clock-start "/);
  });
});
