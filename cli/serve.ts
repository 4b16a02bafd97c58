import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LocalRule } from '#local/eventbridge/rules';
import { parseSchedule } from '#local/eventbridge/schedule-expression';
import { generateApiToken, type HttpAdapter, startHttpAdapter } from '#local/http-adapter/server';
import { type LocalStack, startLocalStack } from '#local/stack';
import { type ConsoleHost, createConsoleHost, mountConsole } from './console-host';
import { type EventReceiver, startEventReceiver, subscribeToEvents } from './event-printer';
import { simulationRoutes } from './simulate-routes';

/**
 * `cascade serve`: the embedded stack plus the operator API on 127.0.0.1 through the API Gateway twin
 * (local/http-adapter/), and optionally the EventBridge schedule's twin. The CLI verbs use the same
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
  /** `-c key=value` context for the stack's synth (e.g. `batchSchedule`). */
  context?: Record<string, string>;
  /** Virtual seconds per real second of the stack's shared clock; absent: the instant clock. */
  timeScale?: number;
  /** Where the virtual clock starts (epoch ms); absent: real now. */
  clockStartMs?: number;
  /** `--allow-private-network`: outbound requests (webhook URLs too) may reach loopback and private addresses. */
  allowPrivateNetwork?: boolean;
  /** Exact origins the stack's outbound guard lets through (e.g. `serve --events`' own loopback receiver). */
  trustedOrigins?: string[];
  /** Host the operator console at `/console/` (default true; an in-process CLI verb has no browser to serve). */
  console?: boolean;
}

export interface ApiServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  apiUrl: string;
  openApiUrl: string;
  sesInboxUrl: string;
  token: string;
  /** `<url>/console/` */
  consoleUrl: string;
  /** The console's static host (its `ready` settles when the build is done). */
  console?: ConsoleHost;
  /** A fresh one-time login link `<url>/console/#/login?code=…` (valid once, 15 minutes). */
  newLoginLink(): string;
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

type GatewayRoute = { routeKey: string; authorizationType: string };

/**
 * The API Gateway twin on 127.0.0.1. It answers through `stack()` (which throws until the stack has started)
 * and authorises by the template's `routes()` (none before the stack is synthesized).
 */
function startGateway(
  options: ApiServerOptions,
  token: string,
  stack: () => LocalStack,
  routes: () => GatewayRoute[],
): Promise<HttpAdapter> {
  return startHttpAdapter({
    port: options.port ?? 0,
    log: options.log,
    // API Gateway's twin invokes the API function in its sandbox, with the template's environment.
    loadHandler: async () => (event) => stack().lambda.invoke('ApiFunction', event),
    gateway: {
      token,
      get routes() {
        return routes();
      },
    },
    // Every 5xx gets a line on stderr; the function's own line about it (written even when its log level is
    // SILENT) names the error.
    failureDetail: (requestId) => apiFailureLine(stack, requestId),
    // `cascade simulate`'s feeds (/_local/…): answered by the adapter, never by the API Lambda.
    localRoutes: simulationRoutes(stack),
    localToken: token,
  }).catch((error: unknown) => {
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${options.port} is already in use (try --port 0 for a free one)`);
    throw error;
  });
}

/**
 * The API function's log line about a failed request. The sandbox's stderr arrives a moment after its answer,
 * so the recent log is read a few times before giving up.
 */
export async function apiFailureLine(stack: () => LocalStack, requestId: string): Promise<string | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const line = stack()
      .lambda.recentLog('ApiFunction')
      .findLast((entry) => entry.includes(requestId) && /ERROR|"level":"ERROR"/.test(entry));
    if (line) return line.length > 2_000 ? `${line.slice(0, 2_000)}…` : line;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return undefined;
}

/** The embedded stack behind `adapter`, its data directory locked; when it cannot start, the adapter is closed. */
async function startStackBehind(
  adapter: HttpAdapter,
  options: ApiServerOptions,
): Promise<{ stack: LocalStack; unlock?: () => void }> {
  const dataDir = options.dataDir && path.resolve(options.dataDir);
  let unlock: (() => void) | undefined;
  try {
    unlock = dataDir ? lockDataDir(dataDir) : undefined;
    const stack = await startLocalStack({
      dataDir,
      publicApiUrl: adapter.url,
      executionStoreDir: dataDir && path.join(dataDir, 'executions'),
      logLevel: options.logLevel,
      linkedinProfilesFromLeads: true,
      context: options.context,
      ...(options.timeScale !== undefined && { timeScale: options.timeScale }),
      ...(options.clockStartMs !== undefined && { clockStartMs: options.clockStartMs }),
      ...(options.allowPrivateNetwork && { allowPrivateNetwork: true }),
      ...(options.trustedOrigins?.length && { trustedOrigins: options.trustedOrigins }),
    });
    return { stack, unlock };
  } catch (error) {
    unlock?.();
    await adapter.close();
    throw error;
  }
}

/** The console's host on the adapter's server: `/console…` is answered there, the rest by the API twin. */
function hostConsole(adapter: HttpAdapter, token: string, log?: (line: string) => void): ConsoleHost {
  const write = log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const host = createConsoleHost({ origin: adapter.url, token, log: write });
  mountConsole(adapter.server, host, write);
  return host;
}

/** Starts the embedded stack and the operator API in this process. */
export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const token = options.token || process.env.CASCADE_API_TOKEN || generateApiToken();
  let stack: LocalStack | undefined;
  const started = () => {
    if (!stack) throw new Error('the embedded stack is still starting');
    return stack;
  };
  // The adapter first: the stack resolves the template's API URL (unsubscribe links) to the port it got.
  const adapter = await startGateway(options, token, started, () => stack?.routes ?? []);
  // Static hosting beside the API, as CloudFront + S3 deployed (never via the Lambda); built when first needed.
  const consoleHost = options.console === false ? undefined : hostConsole(adapter, token, options.log);
  const { stack: running, unlock } = await startStackBehind(adapter, options);
  stack = running;
  return {
    url: adapter.url,
    apiUrl: `${adapter.url}/v1`,
    openApiUrl: `${adapter.url}/v1/openapi.json`,
    sesInboxUrl: `${running.endpoints.ses}/`,
    token,
    consoleUrl: `${adapter.url}/console/`,
    ...(consoleHost && { console: consoleHost }),
    newLoginLink() {
      if (!consoleHost) throw new Error('this server hosts no console (started with console: false)');
      return consoleHost.newLoginLink();
    },
    stack: running,
    adapter,
    async close() {
      await adapter.close();
      try {
        await running.close();
      } finally {
        unlock?.();
      }
    },
  };
}

/**
 * The template's schedule rules, driven by the EventBridge twin on the stack's clock (the batch schedule
 * invokes the launch-batch function with its constant input). Returns a function that stops them.
 */
export function startSchedules(stack: LocalStack, only?: (rule: LocalRule) => boolean): () => void {
  // Schedules fire on the stack's clock: a rate(15 minutes) rule fires every 15 virtual minutes under --time-scale.
  return stack.eventBridge.startSchedules(() => stack.clock.nowMs(), only);
}

/** The out-of-office sweep's rule (its target's constant input): it runs whether or not batches are scheduled. */
export const isOutOfOfficeSweep = (rule: LocalRule): boolean =>
  rule.targets.some((target) => target.input?.includes('"resumeOutOfOffice":true') === true);

/** The event outbox sweep's rule: publishes again the events whose PutEvents failed; runs like the one above. */
export const isOutboxSweep = (rule: LocalRule): boolean =>
  rule.targets.some((target) => target.input?.includes('"republishOutbox":true') === true);

/** The rules `cascade serve` drives without `--schedule`: the sweeps, never a batch launch. */
export const isSweep = (rule: LocalRule): boolean => isOutOfOfficeSweep(rule) || isOutboxSweep(rule);

function queueLine(endpoints: LocalStack['endpoints']): string[] {
  const { sqs } = endpoints as { sqs?: string };
  return sqs ? [`  SQS              ${sqs}   (webhook delivery queue)`] : [];
}

/** Every local peer's endpoint, as `cascade serve` prints them. */
export function peerLines(stack: LocalStack): string[] {
  const { endpoints } = stack;
  return [
    `  DynamoDB         ${endpoints.dynamodb}`,
    `  SES (v2)         ${endpoints.sesApi}   (inbox ${endpoints.ses}/)`,
    `  Step Functions   ${endpoints.stepFunctions}   (state machine ${stack.stateMachineArn})`,
    `  SSM              ${endpoints.ssm}`,
    `  EventBridge      ${endpoints.eventBridge}`,
    `  S3               ${endpoints.s3}`,
    // The event delivery queue's twin, once the stack has one.
    ...queueLine(endpoints),
    `  LinkedIn sandbox ${endpoints.linkedin}`,
    `  Sandbox site     ${endpoints.site}`,
    `  DNS (loopback)   ${endpoints.dns}   (what sender health checks resolve against)`,
    `  Function logs    ${stack.logDir ?? 'kept in memory (pass --data DIR to keep them in DIR/logs)'}`,
  ];
}

// ── `cascade serve` ──────────────────────────────────────────────────────────────────────────────

export interface ServeCommandOptions {
  port: string;
  data?: string;
  schedule?: string;
  logLevel?: string;
  timeScale?: string;
  clockStart?: string;
  /** Print every event as it happens (a loopback webhook receiver). */
  events?: boolean;
  allowPrivateNetwork?: boolean;
}

/** `--time-scale F`: a positive number of virtual seconds per real second, or `max` (the instant clock). */
export function parseTimeScale(given: string | undefined): number | undefined {
  if (given === undefined || given.trim() === 'max') return undefined;
  const scale = Number(given);
  if (given.trim() === '' || !Number.isFinite(scale) || scale <= 0)
    throw new Error(`--time-scale "${given}" is not a positive number of virtual seconds per second (or max)`);
  return scale;
}

/**
 * `--clock-start <ISO instant>`: where the virtual clock starts, so a run across a weekend or a holiday can be
 * tried on any day. An instant needs its zone (`Z` or `+01:00`): a bare local time would mean another hour on
 * every machine.
 */
export function parseClockStart(given: string | undefined): number | undefined {
  if (given === undefined) return undefined;
  const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(given.trim());
  const ms = Date.parse(given.trim());
  if (!zoned || Number.isNaN(ms))
    throw new Error(`--clock-start "${given}" is not an ISO instant with a zone, e.g. 2026-12-24T08:00:00Z`);
  return ms;
}

/** The sweep lines: each sweep rule of the template with its schedule and constant input. */
function sweepLines(stack: LocalStack): string[] {
  return stack.eventBridge.rules.filter(isSweep).map((rule) => {
    const what = isOutboxSweep(rule)
      ? 'dispatch-webhooks {"republishOutbox":true} (events the bus missed are published again)'
      : 'launch-batch {"resumeOutOfOffice":true} (out-of-office leads come back)';
    return `Sweep         ${rule.scheduleExpression ?? '-'} → ${what}`;
  });
}

/** `--events`: the receiver started before the stack (whose guard must trust it), subscribed once the API is up. */
async function startEventPrinting(
  server: ApiServer,
  receiver: EventReceiver,
  write: (line: string) => void,
): Promise<() => Promise<void>> {
  const subscription = await subscribeToEvents(server, receiver);
  write(`Events        every event → ${receiver.url} (webhook ${subscription.webhookId}; signatures checked)`);
  return async () => {
    await subscription.remove().catch(() => undefined);
    await receiver.close();
  };
}

/** The banner's console line: the one-time login link once the console is built, or why there is none. */
async function consoleLine(server: ApiServer): Promise<string> {
  if (!server.console) return 'Console       not hosted';
  try {
    await server.console.ready;
    return `Console       ${server.newLoginLink()}`;
  } catch (error) {
    return `Console       unavailable: the build failed (${(error as Error).message})`;
  }
}

/** Runs until SIGINT/SIGTERM. */
export async function runServe(
  options: ServeCommandOptions,
  write = (line: string) => process.stdout.write(`${line}\n`),
) {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port "${options.port}" is not a port`);
  // `--schedule` is the batch schedule the stack is synthesized with (`-c batchSchedule=` for cdk deploy).
  const schedule = options.schedule ? parseSchedule(options.schedule) : undefined;
  const timeScale = parseTimeScale(options.timeScale);
  const clockStartMs = parseClockStart(options.clockStart);
  const receiver = options.events ? await startEventReceiver(write) : undefined;
  const server = await startApiServer({
    port,
    dataDir: options.data,
    logLevel: options.logLevel,
    ...(timeScale !== undefined && { timeScale }),
    ...(clockStartMs !== undefined && { clockStartMs }),
    ...(schedule && { context: { batchSchedule: schedule.expression } }),
    ...(options.allowPrivateNetwork && { allowPrivateNetwork: true }),
    ...(receiver && { trustedOrigins: [receiver.origin] }),
  }).catch(async (error: unknown) => {
    await receiver?.close();
    throw error;
  });
  // The template's schedules: batches only when asked for (--schedule); the sweeps always, so a lead paused by an
  // auto-reply comes back on its own and an event the bus missed is published again, as in AWS.
  const stopSchedule = startSchedules(server.stack, schedule ? undefined : isSweep);

  write(`Cascade API   ${server.apiUrl}`);
  write(`OpenAPI       ${server.openApiUrl}`);
  write(`SES inbox     ${server.sesInboxUrl}`);
  write(`Token         ${server.token}`);
  write(await consoleLine(server));
  write(`Data          ${options.data ? path.resolve(options.data) : 'in memory (pass --data DIR to keep it)'}`);
  if (schedule) write(`Schedule      ${schedule.expression} → launch-batch {"allActiveCampaigns":true}`);
  for (const line of sweepLines(server.stack)) write(line);
  write(
    timeScale === undefined
      ? `Clock         instant from ${server.stack.clock.now().toISOString()} (each execution its own clock; waits pass at once)`
      : `Clock         shared, ×${timeScale} from ${server.stack.clock.now().toISOString()} (a virtual hour takes ${3600 / timeScale} s)`,
  );
  if (options.allowPrivateNetwork)
    write('Network       private and loopback targets allowed (--allow-private-network)');
  const stopEvents = receiver
    ? await startEventPrinting(server, receiver, write).catch(async (error: unknown) => {
        stopSchedule();
        await server.close();
        await receiver.close();
        throw error;
      })
    : undefined;
  write('');
  write('Local peers (a stock AWS CLI works with --endpoint-url and the keys below; region us-east-1):');
  for (const line of peerLines(server.stack)) write(line);
  write('');
  write(`export CASCADE_API_URL=${server.url} CASCADE_API_TOKEN=${server.token}`);
  write('export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1');
  write('Ctrl-C stops.');
  if (receiver) write('Events as they happen (time UTC on the stack clock):');

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      write(`${signal}: stopping…`);
      stopSchedule?.();
      (stopEvents ?? (async () => undefined))()
        .then(() => server.close())
        .then(resolve, (error: unknown) => {
          process.stderr.write(`cascade: ${(error as Error).message}\n`);
          resolve();
        });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
