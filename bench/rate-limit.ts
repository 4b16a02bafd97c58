/**
 * Bench section 4: 64 concurrent executions against a per-hour email limit, on the embedded stack's compressed
 * clocks (a rate-limit wait of an hour takes milliseconds; each execution's clock jumps to the next window).
 * Sends per calendar hour are read back from the stored messages, independently of the counters: a message is
 * written only after its send was admitted, stamped with the execution's (virtual) time of that try. (Its `sentAt`
 * is not used: locally the SES events that set it carry wall-clock times.)
 */
import type { LocalStack } from '#local/stack';
import type { LaunchReport } from '#shared/outreach/launcher';
import { counterShards, counterTotal, counterValue, dayWindow, hourWindow } from '#shared/rate-limit/limiter';
import { DEFAULT_ACCOUNT_LIMITS } from '#shared/store/config';
import { listLeadMessages } from '#shared/store/outreach';
import { stackWithHappyCampaign } from './happy-campaign';
import { argument, emitResult, lambdaContext, progress, quietPowertools, runWhenMain } from './harness';
import { analyseHistory } from './paths';

export interface RateLimitSection {
  executions: number;
  perHourLimit: number;
  perDayLimit: number;
  globalPerDay: number;
  /** Items the daily channel counter and the global daily counter are spread over in this run. */
  dailyShards: number;
  globalShards: number;
  windows: { hour: string; sends: number; counter: number }[];
  sends: number;
  utilisation: number;
  overshoot: number;
  rateLimitedWaits: number;
  transitions: number;
  dailyCounterTotal: number;
  globalCounterTotal: number;
  allSucceeded: boolean;
  seconds: number;
}

/** What the executions did: when each send was admitted, how often they waited, how many transitions. */
async function readExecutions(stack: LocalStack, executions: string[]) {
  const sentAt: number[] = [];
  let rateLimitedWaits = 0;
  let transitions = 0;
  let allSucceeded = true;
  for (const name of executions) {
    const execution = stack.stepFunctions.get(name);
    if (!execution) continue;
    const analysed = analyseHistory(execution);
    transitions += analysed.transitions;
    // A rate-limit wait is a Wait Before Retry whose routed result did not use up a retry.
    rateLimitedWaits += analysed.rateLimitedWaits;
    if (execution.status !== 'SUCCEEDED') allSucceeded = false;
    const leadId = (JSON.parse(execution.input) as { leadId: string }).leadId;
    for (const message of await listLeadMessages(leadId))
      if (message.providerMessageId) sentAt.push(Date.parse(message.createdAt));
  }
  return { sentAt, rateLimitedWaits, transitions, allSucceeded };
}

/** Sends per calendar hour beside that hour's counter, and how many hours the run spanned (gaps included). */
async function hourWindows(sentAt: number[]) {
  const byHour = new Map<string, number>();
  for (const at of sentAt) {
    const { label } = hourWindow(at);
    byHour.set(label, (byHour.get(label) ?? 0) + 1);
  }
  const hours = [...byHour.keys()].sort();
  const first = hours[0] ? Date.parse(`${hours[0]}:00:00Z`) : 0;
  const last = hours.at(-1) ? Date.parse(`${hours.at(-1)}:00:00Z`) : 0;
  const spanned = hours.length === 0 ? 0 : Math.round((last - first) / 3_600_000) + 1;
  const windows = [];
  for (const hour of hours)
    windows.push({ hour, sends: byHour.get(hour) ?? 0, counter: await counterValue(`EMAIL#H#${hour}`) });
  return { windows, spanned };
}

/** The daily email and global counters over every day with a send, all shards summed. */
async function dailyCounterTotals(sentAt: number[], perDay: number, globalPerDay: number) {
  const days = [...new Set(sentAt.map((at) => dayWindow(at).label))];
  let dailyCounterTotal = 0;
  let globalCounterTotal = 0;
  for (const day of days) {
    dailyCounterTotal += await counterTotal(`EMAIL#D#${day}`, counterShards(perDay));
    globalCounterTotal += await counterTotal(`ALL#D#${day}`, counterShards(globalPerDay));
  }
  return { dailyCounterTotal, globalCounterTotal };
}

async function main(): Promise<void> {
  quietPowertools();
  const out = argument('out');
  const executions = Number(argument('executions') ?? 64);
  const perHour = Number(argument('per-hour') ?? 16);
  const perDay = 10_000;
  const globalPerDay = 20_000;
  const stack = await stackWithHappyCampaign('rl', executions, {
    email: { perHour, perDay },
    account: { ...DEFAULT_ACCOUNT_LIMITS, globalPerDay },
  });
  const { handler: launch } = await import('#functions/launch-batch/index');

  progress(`rate limit: ${executions} executions, ${perHour} emails per hour`);
  const started = performance.now();
  const [report] = (await launch({ campaignId: 'rl' }, lambdaContext('LaunchBatchFunction'))) as LaunchReport[];
  await stack.stepFunctions.drain();
  const seconds = (performance.now() - started) / 1000;

  const { sentAt, rateLimitedWaits, transitions, allSucceeded } = await readExecutions(stack, report?.executions ?? []);
  const { windows, spanned } = await hourWindows(sentAt);
  const { dailyCounterTotal, globalCounterTotal } = await dailyCounterTotals(sentAt, perDay, globalPerDay);
  const result: RateLimitSection = {
    executions: report?.started ?? 0,
    perHourLimit: perHour,
    perDayLimit: perDay,
    globalPerDay,
    dailyShards: counterShards(perDay),
    globalShards: counterShards(globalPerDay),
    windows,
    sends: sentAt.length,
    utilisation: spanned === 0 ? 0 : sentAt.length / (perHour * spanned),
    overshoot: Math.max(0, ...windows.map((window) => window.sends - perHour)),
    rateLimitedWaits,
    transitions,
    dailyCounterTotal,
    globalCounterTotal,
    allSucceeded,
    seconds,
  };
  await stack.close();
  emitResult(out, result);
}

runWhenMain(import.meta.url, main);
