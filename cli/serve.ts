import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { apiLambdaContext, generateApiToken, type HttpAdapter, startHttpAdapter } from '../infra/local/http-adapter';
import { type LocalStack, startLocalStack } from '../infra/local/stack';
import type { LaunchReport } from '../shared/outreach/launcher';
import { simulationRoutes } from './simulate-routes';

/**
 * `cascade serve`: the embedded stack plus the operator API on 127.0.0.1 through the API Gateway twin
 * (infra/local/http-adapter.ts), and optionally the EventBridge schedule's twin. The CLI verbs use the same
 * thing in-process when no `--api` is given.
 */

export interface ApiServerOptions {
  /** 0 picks a free port. */
  port?: number;
  /** Keep DynamoDB data, executions and the unsubscribe secret here between runs (in memory when absent). */
  dataDir?: string;
  /** Operator token (default: `CASCADE_API_TOKEN`, else a generated one). */
  token?: string;
  /** The API function's log level (Powertools). */
  logLevel?: string;
  /** Where the adapter reports handler crashes. */
  log?: (line: string) => void;
}

export interface ApiServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  apiUrl: string;
  openApiUrl: string;
  sesInboxUrl: string;
  token: string;
  stack: LocalStack;
  adapter: HttpAdapter;
  close(): Promise<void>;
}

/**
 * One process at a time per data directory (LevelDB locks it, and dynalite fails badly when it is taken):
 * `DIR/cascade.pid` names the holder; a file left by a process that is gone is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'cascade.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
        throw new Error(
          `${dataDir} is in use by process ${holder} (a running \`cascade serve --data\`? pass --api to talk to it)`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new Error(`cannot lock ${dataDir}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Starts the embedded stack and the operator API in this process. */
export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const token = options.token || process.env.CASCADE_API_TOKEN || generateApiToken();
  // The API function reads its token from the environment, as in AWS.
  process.env.CASCADE_API_TOKEN = token;
  const adapter = await startHttpAdapter({
    port: options.port ?? 0,
    log: options.log,
    // `cascade simulate`'s feeds (/_local/…): answered by the adapter, never by the API Lambda.
    localRoutes: simulationRoutes(),
    localToken: token,
  }).catch((error: unknown) => {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${options.port} is already in use (try --port 0 for a free one)`);
    throw error;
  });
  const dataDir = options.dataDir && path.resolve(options.dataDir);
  let unlock: (() => void) | undefined;
  let stack: LocalStack;
  try {
    unlock = dataDir ? lockDataDir(dataDir) : undefined;
    stack = await startLocalStack({
      dataDir,
      publicApiUrl: adapter.url,
      executionStoreDir: dataDir && path.join(dataDir, 'executions'),
      logLevel: options.logLevel,
      linkedinProfilesFromLeads: true,
    });
  } catch (error) {
    unlock?.();
    await adapter.close();
    throw error;
  }
  return {
    url: adapter.url,
    apiUrl: `${adapter.url}/v1`,
    openApiUrl: `${adapter.url}/v1/openapi.json`,
    sesInboxUrl: `${stack.endpoints.ses}/`,
    token,
    stack,
    adapter,
    async close() {
      await adapter.close();
      try {
        await stack.close();
      } finally {
        unlock?.();
      }
    },
  };
}

// ── the schedule's local twin ────────────────────────────────────────────────────────────────────

export interface Schedule {
  expression: string;
  /** Milliseconds from `now` to the next run. */
  nextDelayMs(now: Date): number;
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

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
    const interval = count * (UNIT_MS[unit] ?? 0);
    return { expression: text, nextDelayMs: () => interval };
  }
  const cron = /^cron\((.*)\)$/i.exec(text);
  if (cron) {
    const fields = (cron[1] ?? '').trim().split(/\s+/);
    if (fields.length !== 6)
      throw new Error(
        `--schedule "${expression}": cron takes 6 fields (minutes hours day-of-month month day-of-week year)`,
      );
    const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = fields;
    if (/[LW#]/i.test(`${dayOfMonth}${dayOfWeek}`.replace(/WED/gi, '')))
      throw new Error(`--schedule "${expression}": L, W and # are not supported locally`);
    let allowed: {
      minutes: Set<number>;
      hours: Set<number>;
      dayOfMonth: Set<number>;
      month: Set<number>;
      dayOfWeek: Set<number>;
      year: Set<number>;
    };
    try {
      allowed = {
        minutes: cronField(minutes, 0, 59),
        hours: cronField(hours, 0, 23),
        dayOfMonth: cronField(dayOfMonth, 1, 31),
        month: cronField(month, 1, 12, MONTHS, 1),
        // EventBridge numbers days 1-7 from Sunday.
        dayOfWeek: cronField(dayOfWeek, 1, 7, WEEKDAYS, 1),
        year: cronField(year, 1970, 2199),
      };
    } catch (error) {
      throw new Error(`--schedule "${expression}": ${(error as Error).message}`);
    }
    const domAny = dayOfMonth === '?' || dayOfMonth === '*';
    const dowAny = dayOfWeek === '?' || dayOfWeek === '*';
    const matches = (date: Date) =>
      allowed.minutes.has(date.getUTCMinutes()) &&
      allowed.hours.has(date.getUTCHours()) &&
      allowed.month.has(date.getUTCMonth() + 1) &&
      allowed.year.has(date.getUTCFullYear()) &&
      (domAny || allowed.dayOfMonth.has(date.getUTCDate())) &&
      (dowAny || allowed.dayOfWeek.has(date.getUTCDay() + 1));
    return {
      expression: text,
      nextDelayMs(now) {
        const candidate = new Date(now.getTime());
        candidate.setUTCSeconds(0, 0);
        // Minute by minute, up to a little over a year ahead.
        for (let i = 0; i < 530_000; i++) {
          candidate.setUTCMinutes(candidate.getUTCMinutes() + 1);
          if (matches(candidate)) return candidate.getTime() - now.getTime();
        }
        throw new Error(`--schedule "${expression}" never fires`);
      },
    };
  }
  throw new Error(`--schedule "${expression}" is not rate(N minutes|hours|days) or cron(…)`);
}

/**
 * The EventBridge schedule's twin: invokes the same launch-batch handler with `{allActiveCampaigns: true}`
 * whenever the schedule fires. Returns a function that stops it.
 */
export function startSchedule(schedule: Schedule, write: (line: string) => void): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      const { handler } = await import('../functions/launch-batch/index');
      const context = apiLambdaContext(`schedule-${Date.now()}`);
      const reports = (await handler(
        { allActiveCampaigns: true },
        { ...context, functionName: 'LaunchBatchFunction' },
      )) as LaunchReport[] | undefined;
      const started = (reports ?? []).reduce((sum, report) => sum + report.started, 0);
      write(
        `${new Date().toISOString()} schedule ${schedule.expression}: ${reports?.length ?? 0} active campaign(s), ${started} execution(s) started`,
      );
    } catch (error) {
      write(`${new Date().toISOString()} schedule ${schedule.expression}: failed: ${(error as Error).message}`);
    }
  };
  const arm = () => {
    if (stopped) return;
    // Node timers hold at most ~24.8 days; a longer wait is taken in steps.
    const delay = schedule.nextDelayMs(new Date());
    const step = Math.min(delay, 2 ** 31 - 1);
    timer = setTimeout(() => {
      if (step < delay) return arm();
      void tick().finally(arm);
    }, step);
  };
  arm();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

// ── `cascade serve` ──────────────────────────────────────────────────────────────────────────────

export interface ServeCommandOptions {
  port: string;
  data?: string;
  schedule?: string;
  logLevel?: string;
}

/** Runs until SIGINT/SIGTERM. */
export async function runServe(
  options: ServeCommandOptions,
  write = (line: string) => process.stdout.write(`${line}\n`),
) {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port "${options.port}" is not a port`);
  const schedule = options.schedule ? parseSchedule(options.schedule) : undefined;
  const server = await startApiServer({ port, dataDir: options.data, logLevel: options.logLevel });
  const stopSchedule = schedule ? startSchedule(schedule, write) : undefined;

  write(`Cascade API   ${server.apiUrl}`);
  write(`OpenAPI       ${server.openApiUrl}`);
  write(`SES inbox     ${server.sesInboxUrl}`);
  write(`Token         ${server.token}`);
  write(`Data          ${options.data ? path.resolve(options.data) : 'in memory (pass --data DIR to keep it)'}`);
  if (schedule) write(`Schedule      ${schedule.expression} → launch-batch {"allActiveCampaigns":true}`);
  write('');
  write(`export CASCADE_API_URL=${server.url} CASCADE_API_TOKEN=${server.token}`);
  write('Ctrl-C stops.');

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      write(`${signal}: stopping…`);
      stopSchedule?.();
      server.close().then(resolve, (error: unknown) => {
        process.stderr.write(`cascade: ${(error as Error).message}\n`);
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
