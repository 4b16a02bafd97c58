/**
 * EventBridge schedule expressions (Amazon EventBridge User Guide, "Schedule expressions for rules"):
 * `rate(N minute|minutes|hour|hours|day|days)` and `cron(minutes hours day-of-month month day-of-week year)`,
 * always in UTC. Used by `cascade serve --schedule` and by the EventBridge twin's schedule rules, so the
 * messages name `--schedule`, which is where a person types one.
 */

export interface Schedule {
  expression: string;
  /**
   * The first time the schedule fires strictly after `afterMs` (epoch milliseconds). A rate counts from
   * `anchorMs`, the moment its rule started (AWS counts from the rule's creation), by default `afterMs`
   * itself, so chaining `nextFireTime(previous)` walks the rate. Cron ignores the anchor. Infinity when it
   * never fires again (a cron whose years are over), which AWS accepts.
   */
  nextFireTime(afterMs: number, anchorMs?: number): number;
  /** Milliseconds from `now` to the next run (a rate: its whole interval); throws when it never fires. */
  nextDelayMs(now: Date): number;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** The last year EventBridge's cron accepts; a search past it means the schedule never fires. */
const LAST_YEAR = 2199;

/** One cron field → the allowed values (`*`, `?`, `a`, `a-b`, `*\/n`, `a/n`, lists, month and day names). */
function cronField(text: string, min: number, max: number, names: string[] = [], nameBase = min): Set<number> {
  const values = new Set<number>();
  const value = (token: string): number => {
    const named = names.indexOf(token.toUpperCase());
    const n = named >= 0 ? named + nameBase : Number(token);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`"${token}" is out of range ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`"${part}" has a bad step`);
    let from: number;
    let to: number;
    if (range === '*' || range === '?') {
      from = min;
      to = max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      from = value(a);
      to = value(b);
    } else {
      from = value(range);
      to = stepText === undefined ? from : max;
    }
    for (let n = from; n <= to; n += step) values.add(n);
  }
  return values;
}

/**
 * EventBridge schedule expressions: `rate(N minute|minutes|hour|hours|day|days)` and
 * `cron(minutes hours day-of-month month day-of-week year)` in UTC (no `L`, `W`, `#`).
 */
export function parseSchedule(expression: string): Schedule {
  const text = expression.trim();
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/i.exec(text);
  if (rate) {
    const count = Number(rate[1]);
    const unit = (rate[2] ?? '').toLowerCase().replace(/s$/, '');
    if (count < 1) throw new Error(`--schedule "${expression}": the rate must be at least 1`);
    if ((count === 1) !== !(rate[2] ?? '').toLowerCase().endsWith('s'))
      throw new Error(`--schedule "${expression}": write rate(1 ${unit}) or rate(N ${unit}s)`);
    return rateSchedule(text, count * (UNIT_MS[unit] ?? 0));
  }
  const cron = /^cron\((.*)\)$/i.exec(text);
  if (cron) return cronSchedule(expression, text, (cron[1] ?? '').trim().split(/\s+/));
  throw new Error(`--schedule "${expression}" is not rate(N minutes|hours|days) or cron(…)`);
}

function rateSchedule(text: string, interval: number): Schedule {
  return {
    expression: text,
    nextFireTime(afterMs, anchorMs = afterMs) {
      const periods = Math.max(0, Math.floor((afterMs - anchorMs) / interval)) + 1;
      return anchorMs + periods * interval;
    },
    nextDelayMs: () => interval,
  };
}

interface CronFields {
  minutes: Set<number>;
  hours: Set<number>;
  dayOfMonth: Set<number> | undefined;
  month: Set<number>;
  /** 1-7 from Sunday, as EventBridge numbers them; undefined: `?`/`*`, any day. */
  dayOfWeek: Set<number> | undefined;
  year: Set<number>;
}

function cronSchedule(expression: string, text: string, fields: string[]): Schedule {
  if (fields.length !== 6)
    throw new Error(
      `--schedule "${expression}": cron takes 6 fields (minutes hours day-of-month month day-of-week year)`,
    );
  const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = fields;
  if (/[LW#]/i.test(`${dayOfMonth}${dayOfWeek}`.replace(/WED/gi, '')))
    throw new Error(`--schedule "${expression}": L, W and # are not supported locally`);
  // EventBridge refuses both days set ("you must use a ? in the other"), and `?` anywhere else.
  if ((dayOfMonth === '?') === (dayOfWeek === '?'))
    throw new Error(`--schedule "${expression}": exactly one of day-of-month and day-of-week must be ?`);
  if ([minutes, hours, month, year].some((field) => field.includes('?')))
    throw new Error(`--schedule "${expression}": ? is only for day-of-month or day-of-week`);
  let allowed: CronFields;
  try {
    const any = (field: string) => field === '?' || field === '*';
    allowed = {
      minutes: cronField(minutes, 0, 59),
      hours: cronField(hours, 0, 23),
      dayOfMonth: any(dayOfMonth) ? undefined : cronField(dayOfMonth, 1, 31),
      month: cronField(month, 1, 12, MONTHS, 1),
      dayOfWeek: any(dayOfWeek) ? undefined : cronField(dayOfWeek, 1, 7, WEEKDAYS, 1),
      year: cronField(year, 1970, LAST_YEAR),
    };
  } catch (error) {
    throw new Error(`--schedule "${expression}": ${(error as Error).message}`);
  }
  const nextFireTime = (afterMs: number) => nextCronTime(allowed, afterMs) ?? Number.POSITIVE_INFINITY;
  const nextDelayMs = (now: Date) => {
    const next = nextFireTime(now.getTime());
    if (next === Number.POSITIVE_INFINITY) throw new Error(`--schedule "${expression}" never fires`);
    return next - now.getTime();
  };
  return { expression: text, nextFireTime, nextDelayMs };
}

/**
 * The first whole minute after `afterMs` that the fields allow. Skips a whole year, month, day or hour as
 * soon as it fails, so even a schedule years away takes a few thousand steps.
 */
function nextCronTime(allowed: CronFields, afterMs: number): number | undefined {
  const t = new Date(Math.floor(afterMs / 60_000) * 60_000 + 60_000);
  while (t.getUTCFullYear() <= LAST_YEAR) {
    if (!allowed.year.has(t.getUTCFullYear())) {
      t.setUTCFullYear(t.getUTCFullYear() + 1, 0, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!allowed.month.has(t.getUTCMonth() + 1)) {
      t.setUTCMonth(t.getUTCMonth() + 1, 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!dayAllowed(allowed, t)) {
      t.setUTCDate(t.getUTCDate() + 1);
      t.setUTCHours(0, 0, 0, 0);
    } else if (!allowed.hours.has(t.getUTCHours())) {
      t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
    } else if (!allowed.minutes.has(t.getUTCMinutes())) {
      t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
    } else {
      return t.getTime();
    }
  }
  return undefined;
}

function dayAllowed(allowed: CronFields, t: Date): boolean {
  return (allowed.dayOfMonth?.has(t.getUTCDate()) ?? true) && (allowed.dayOfWeek?.has(t.getUTCDay() + 1) ?? true);
}
