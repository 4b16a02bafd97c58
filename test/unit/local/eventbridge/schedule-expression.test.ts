import { describe, expect, it } from 'vitest';
import { parseSchedule } from '#local/eventbridge/schedule-expression';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
/** The fire time after `from`, as an ISO string in UTC. */
const next = (expression: string, from: string) => iso(parseSchedule(expression).nextFireTime(at(from)));

describe('rate expressions', () => {
  it('fires a whole interval after the time it counts from, and chains from each fire', () => {
    // Prepare
    const schedule = parseSchedule('rate(5 minutes)');
    const start = at('2026-11-27T10:00:00Z');

    // Act
    const first = schedule.nextFireTime(start);
    const second = schedule.nextFireTime(first, start);
    const afterAGap = schedule.nextFireTime(at('2026-11-27T10:12:00Z'), start);

    // Assess
    expect(iso(first)).toBe('2026-11-27T10:05:00.000Z');
    expect(iso(second)).toBe('2026-11-27T10:10:00.000Z');
    // The rate keeps its phase: 10:15, not 10:17.
    expect(iso(afterAGap)).toBe('2026-11-27T10:15:00.000Z');
    expect(schedule.nextDelayMs(new Date())).toBe(300_000);
  });

  it('refuses what EventBridge refuses', () => {
    // Assess
    expect(() => parseSchedule('rate(1 minutes)')).toThrow(/rate\(1 minute\)/);
    expect(() => parseSchedule('rate(2 hour)')).toThrow(/rate\(N hours\)/);
    expect(() => parseSchedule('rate(0 days)')).toThrow(/at least 1/);
    expect(() => parseSchedule('rate(1 week)')).toThrow(/not rate/);
  });
});

describe('cron expressions (UTC)', () => {
  it('finds the next minute the fields allow, strictly after the time given', () => {
    // Assess
    expect(next('cron(0 9 ? * MON-FRI *)', '2026-11-27T08:59:30Z')).toBe('2026-11-27T09:00:00.000Z');
    // Friday 09:00 itself is past: the next weekday 09:00 is Monday.
    expect(next('cron(0 9 ? * MON-FRI *)', '2026-11-27T09:00:00Z')).toBe('2026-11-30T09:00:00.000Z');
    expect(next('cron(0/15 * * * ? *)', '2026-11-27T10:07:00Z')).toBe('2026-11-27T10:15:00.000Z');
    expect(next('cron(5-10/2 * * * ? *)', '2026-11-27T10:07:00Z')).toBe('2026-11-27T10:09:00.000Z');
  });

  it("drives the stack's batch schedule: on the hour, 08-17, Monday to Friday", () => {
    // Prepare: the expression CDK synthesizes for Schedule.cron({ minute: '0', hour: '8-17', weekDay: 'MON-FRI' }).
    const batch = 'cron(0 8-17 ? * MON-FRI *)';

    // Assess
    expect(next(batch, '2026-11-27T16:30:00Z')).toBe('2026-11-27T17:00:00.000Z');
    expect(next(batch, '2026-11-27T17:00:00Z')).toBe('2026-11-30T08:00:00.000Z');
    expect(next(batch, '2026-11-29T12:00:00Z')).toBe('2026-11-30T08:00:00.000Z');
  });

  it('reads lists, month names, day numbers from Sunday = 1, and years', () => {
    // Assess
    expect(next('cron(0,30 12 1,15 * ? *)', '2026-01-01T12:30:00Z')).toBe('2026-01-15T12:00:00.000Z');
    expect(next('cron(0 0 1 JAN,JUL ? *)', '2026-02-01T00:00:00Z')).toBe('2026-07-01T00:00:00.000Z');
    expect(next('cron(0 12 31 * ? *)', '2026-02-01T00:00:00Z')).toBe('2026-03-31T12:00:00.000Z');
    expect(next('cron(0 0 29 FEB ? *)', '2026-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    // 2026-11-29 is a Sunday.
    expect(next('cron(0 0 ? * 1 *)', '2026-11-27T00:00:00Z')).toBe('2026-11-29T00:00:00.000Z');
    expect(next('cron(30 6 1 1 ? 2030-2031)', '2026-11-27T00:00:00Z')).toBe('2030-01-01T06:30:00.000Z');
  });

  it('says when a schedule never fires again', () => {
    // Prepare
    const past = parseSchedule('cron(0 0 1 1 ? 2020)');

    // Assess
    expect(past.nextFireTime(at('2026-01-01T00:00:00Z'))).toBe(Number.POSITIVE_INFINITY);
    expect(() => past.nextDelayMs(new Date('2026-01-01T00:00:00Z'))).toThrow(/never fires/);
  });

  it('refuses what EventBridge refuses, with the messages cascade serve shows', () => {
    // Assess
    expect(() => parseSchedule('cron(0 9 * *)')).toThrow(/6 fields/);
    expect(() => parseSchedule('cron(0 9 L * ? *)')).toThrow(/not supported/);
    expect(() => parseSchedule('cron(0 9 ? * 2#1 *)')).toThrow(/not supported/);
    expect(() => parseSchedule('cron(0 9 * * MON *)')).toThrow(/exactly one of day-of-month and day-of-week/);
    expect(() => parseSchedule('cron(0 9 ? * ? *)')).toThrow(/exactly one of day-of-month and day-of-week/);
    expect(() => parseSchedule('cron(? 9 * * ? *)')).toThrow(/only for day-of-month or day-of-week/);
    expect(() => parseSchedule('cron(60 9 * * ? *)')).toThrow(/out of range 0-59/);
    expect(() => parseSchedule('cron(0 9 * * ? 1969)')).toThrow(/out of range 1970-2199/);
    expect(() => parseSchedule('cron(0/0 9 * * ? *)')).toThrow(/bad step/);
  });
});
