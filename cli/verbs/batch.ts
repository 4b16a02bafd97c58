import type { Command } from 'commander';
import { type ApiClient, newIdempotencyKey } from '../api-client';
import { type ApiCommandOptions, withApi } from '../api-session';
import { progressBar, table, writeJson, writeLines } from '../output';
import { asArray, asRecord, type Json, listFrom, num, str } from './answers';
import { apiOptions, positiveInteger, segment } from './options';

/** `cascade batch run`: launch a campaign's batch, then follow its executions until they end. */

const ENDED = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
/** Executions polled at once, so a large batch does not flood the API. */
const POLLERS = 8;

export interface ExecutionState {
  name: string;
  status: string;
  channelUsed?: string;
  outcome?: string;
  error?: string;
}

interface BatchRunOptions extends ApiCommandOptions {
  campaign: string;
  dryRun?: boolean;
  limit?: string;
  wait: boolean;
  progress: boolean;
}

function executionState(name: string, response: unknown): ExecutionState {
  const record = asRecord(response);
  const execution = asRecord(record.execution ?? record);
  const output = asRecord(
    typeof execution.output === 'string' ? JSON.parse(execution.output as string) : execution.output,
  );
  const state: ExecutionState = { name, status: str(execution.status) ?? 'UNKNOWN' };
  const channelUsed = str(output.channelUsed) ?? str(execution.channelUsed);
  const outcome = str(output.outcome) ?? str(execution.outcome);
  const error = str(execution.error);
  if (channelUsed) state.channelUsed = channelUsed;
  if (outcome) state.outcome = outcome;
  if (error) state.error = error;
  return state;
}

/** Polls each pending execution once (a few at a time); answers the names still running. */
async function pollOnce(client: ApiClient, pending: string[], states: Map<string, ExecutionState>) {
  const running: string[] = [];
  const queue = [...pending];
  const poll = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const state = executionState(name, await client.get(`/executions/${segment(name)}`));
      states.set(name, state);
      if (!ENDED.has(state.status)) running.push(name);
    }
  };
  await Promise.all(Array.from({ length: Math.min(POLLERS, queue.length) }, poll));
  return running;
}

/** Polls `GET /v1/executions/{name}` until every execution has ended. */
async function waitForExecutions(client: ApiClient, names: string[], progress: boolean): Promise<ExecutionState[]> {
  const states = new Map<string, ExecutionState>(names.map((name) => [name, { name, status: 'RUNNING' }]));
  const bar = progressBar('running sequences [{bar}] {value}/{total} ended', progress);
  bar?.start(names.length, 0);
  try {
    let pending = [...names];
    let delay = 200;
    while (pending.length > 0) {
      pending = await pollOnce(client, pending, states);
      bar?.update(names.length - pending.length);
      if (pending.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 1.5, 2_000);
      }
    }
  } finally {
    bar?.stop();
  }
  return names.map((name) => states.get(name) ?? { name, status: 'UNKNOWN' });
}

function executionNames(report: Json): string[] {
  return asArray(report.executions ?? report.executionNames)
    .map((entry) =>
      typeof entry === 'string' ? entry : (str(asRecord(entry).name) ?? str(asRecord(entry).executionName)),
    )
    .filter((name): name is string => Boolean(name));
}

function skippedCounts(report: Json): Record<string, number> {
  const skipped = report.skipped;
  if (typeof skipped === 'number') return { skipped };
  return Object.fromEntries(
    Object.entries(asRecord(skipped)).filter((entry): entry is [string, number] => typeof entry[1] === 'number'),
  );
}

/** `campaign c: 3 started, 0 already running, skipped 2 belowGrade`, and the dry run's messages. */
function printLaunch(options: BatchRunOptions, report: Json, names: string[]): void {
  const skipped = Object.entries(skippedCounts(report))
    .map(([why, count]) => `${count} ${why}`)
    .join(', ');
  writeLines([
    `campaign ${options.campaign}: ${num(report.started) ?? names.length} started, ${num(report.alreadyRunning) ?? 0} already running, skipped ${skipped || '0'}`,
  ]);
  const dryRun = listFrom(report.dryRun ?? report.preview, 'items');
  if (options.dryRun && dryRun.length > 0) printDryRun(dryRun);
}

/** The longest subject or first line a dry-run row shows: the table stays one screen wide. */
const PREVIEW_WIDTH = 60;

function firstLine(value: string | undefined): string | undefined {
  const line = value
    ?.split('\n')
    .find((each) => each.trim() !== '')
    ?.trim();
  return line && line.length > PREVIEW_WIDTH ? `${line.slice(0, PREVIEW_WIDTH - 1)}…` : line;
}

/** `b of a|b`: the lead's own variant, then every variant the dry run rendered. */
function variantCell(step: Json): string | undefined {
  const own = str(step.variantId);
  if (!own) return undefined;
  const all = listFrom(step.variants).map((variant) => str(variant.variantId) ?? '?');
  return all.length > 0 ? `${own} of ${all.join('|')}` : own;
}

/**
 * A dry run: one row per lead and step (its A/B variant, and the subject or first line a lead would read), then
 * every step or variant that cannot be rendered. An older API's entries (first step only) print as one row.
 */
function printDryRun(entries: Json[]): void {
  const rows = entries.flatMap((entry) => {
    const steps = listFrom(entry.steps);
    if (steps.length === 0)
      return [[str(entry.leadId), '-', str(entry.firstChannel), undefined, str(entry.problem) ?? str(entry.subject)]];
    return steps.map((step) => {
      const words = firstLine(str(step.subject) ?? str(step.text));
      const skipped = str(step.skipped);
      return [
        str(entry.leadId),
        str(step.stepId),
        str(step.channel),
        variantCell(step),
        skipped ? `(${skipped})${words ? ` ${words}` : ''}` : (words ?? '(cannot render: see the errors below)'),
      ];
    });
  });
  writeLines(table(['lead', 'step', 'channel', 'variant', 'subject / first line'], rows));
  const errors = entries.flatMap((entry) =>
    listFrom(entry.errors).map((error) => [
      str(entry.leadId),
      str(error.stepId),
      str(error.variantId),
      str(error.message),
    ]),
  );
  if (errors.length === 0) return;
  writeLines(['', `${errors.length} template error(s): a send would stop these leads (template_error)`]);
  writeLines(table(['lead', 'step', 'variant', 'error'], errors));
}

/** How many executions ended each way: sent via a channel, stopped, failed with an error. */
function resultCounts(executions: ExecutionState[]): [string, number][] {
  const byResult = new Map<string, number>();
  for (const execution of executions) {
    const key =
      execution.status === 'SUCCEEDED' && execution.outcome === 'SENT'
        ? `sent via ${execution.channelUsed ?? '?'}`
        : execution.status === 'SUCCEEDED'
          ? 'stopped'
          : `failed (${execution.error ?? execution.status})`;
    byResult.set(key, (byResult.get(key) ?? 0) + 1);
  }
  return [...byResult.entries()].sort();
}

async function runBatch(client: ApiClient, options: BatchRunOptions, body: Json): Promise<void> {
  const report = asRecord(
    await client.post(`/campaigns/${segment(options.campaign)}/batches`, body, { idempotencyKey: newIdempotencyKey() }),
  );
  const names = executionNames(report);
  const executions =
    options.wait && !options.dryRun && names.length > 0
      ? await waitForExecutions(client, names, options.progress !== false)
      : undefined;
  if (options.json) return writeJson(executions ? { ...report, results: executions } : report);
  printLaunch(options, report, names);
  if (executions) return writeLines(table(['result', 'executions'], resultCounts(executions)));
  if (names.length > 0 && !options.dryRun)
    writeLines([`follow one: cascade audit ${names[0]}   (or GET /v1/executions/{name})`]);
}

export function registerBatch(program: Command): void {
  const batch = program.command('batch').description('launch batches of sequences');
  apiOptions(
    batch
      .command('run')
      .description(
        "enrol a campaign's NEW leads (grade ≥ minGrade) and start one execution each (POST /v1/campaigns/{id}/batches), then wait for them to end",
      )
      .requiredOption('--campaign <campaignId>', 'the campaign')
      .option('--dry-run', 'render every step and A/B variant for each lead, list template errors, start nothing')
      .option('--limit <n>', 'enrol at most n leads')
      .option('--no-wait', 'return once the executions are started')
      .option('--no-progress', 'do not draw a progress bar'),
  ).action(async (options: BatchRunOptions) => {
    const limit = positiveInteger(options.limit, '--limit');
    const body: Json = {};
    if (options.dryRun) body.dryRun = true;
    if (limit !== undefined) body.limit = limit;
    await withApi(options, ({ client }) => runBatch(client, options, body));
  });
}
