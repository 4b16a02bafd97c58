import type { Command } from 'commander';
import type { ApiClient } from '../api-client';
import { type ApiCommandOptions, withApi } from '../api-session';
import { table, writeJson, writeLines } from '../output';
import { asRecord, type Json, listFrom, str } from './answers';
import { apiOptions, positiveInteger, segment } from './options';

/** `cascade tasks list|done|skip`: the operators' queue of manual tasks (PRODUCT.md §7). */

const STATUSES = ['OPEN', 'EXPIRED', 'DONE', 'SKIPPED'] as const;
/** The API answers up to this many tasks a page. */
const PAGE_SIZE = 200;

interface ListOptions extends ApiCommandOptions {
  status?: string;
  campaign?: string;
  limit?: string;
}

function statusOption(value: string | undefined): string {
  const status = (value ?? 'OPEN').toUpperCase();
  if (!(STATUSES as readonly string[]).includes(status))
    throw new Error(`--status "${value}" is not one of ${STATUSES.join(', ')}`);
  return status;
}

/** Every page, up to `limit` tasks. */
async function listTasks(client: ApiClient, query: { status: string; campaignId?: string }, limit: number) {
  const all: Json[] = [];
  let cursor: string | undefined;
  do {
    const page = asRecord(
      await client.get('/tasks', { ...query, limit: Math.min(PAGE_SIZE, limit - all.length), cursor }),
    );
    all.push(...listFrom(page.items));
    cursor = str(page.nextCursor);
  } while (cursor && all.length < limit);
  return all;
}

/** The first line of the instructions: what to do, in a table cell. */
const summary = (task: Json) => {
  const first = (str(task.instructions) ?? '').split('\n')[0] ?? '';
  return first.length > 80 ? `${first.slice(0, 79)}…` : first;
};

function registerList(tasks: Command): void {
  apiOptions(
    tasks
      .command('list')
      .description('list manual tasks, soonest due first (GET /v1/tasks)')
      .option('--status <status>', `${STATUSES.join(' | ')}`, 'OPEN')
      .option('--campaign <campaignId>', "only this campaign's tasks")
      .option('--limit <n>', 'at most n tasks'),
  ).action(async (options: ListOptions) => {
    const status = statusOption(options.status);
    const limit = positiveInteger(options.limit, '--limit') ?? Number.POSITIVE_INFINITY;
    const query = { status, ...(options.campaign && { campaignId: options.campaign }) };
    const items = await withApi(options, ({ client }) => listTasks(client, query, limit));
    if (options.json) return writeJson({ items });
    if (items.length === 0) return writeLines([`no ${status} tasks`]);
    writeLines(
      table(
        ['task', 'kind', 'status', 'lead', 'campaign', 'due', 'what'],
        items.map((task) => [
          str(task.taskId),
          str(task.kind),
          str(task.status),
          str(task.leadId),
          str(task.campaignId),
          str(task.dueAt),
          summary(task),
        ]),
      ),
    );
  });
}

interface DoneOptions extends ApiCommandOptions {
  replied?: boolean;
  note?: string;
}

/** `done`/`skip` answer the same route; one line says what it changed. */
async function complete(taskId: string, outcome: string, options: DoneOptions): Promise<void> {
  const body = { outcome, ...(options.note && { note: options.note }) };
  const response = asRecord(
    await withApi(options, ({ client }) => client.post(`/tasks/${segment(taskId)}/complete`, body)),
  );
  if (options.json) return writeJson(response);
  const task = asRecord(response.task);
  const resumed = Array.isArray(response.resumedExecutions) ? response.resumedExecutions.map(String) : [];
  const effects = [
    resumed.length > 0 && `sequence ${resumed.join(', ')} ${outcome === 'replied' ? 'ended' : 'goes on'}`,
    str(response.stoppedExecution) && `execution ${str(response.stoppedExecution)} stopped`,
    outcome === 'replied' && `lead ${str(task.leadId) ?? '-'} REPLIED`,
  ].filter(Boolean);
  writeLines([
    `task ${taskId} ${str(task.status) ?? '-'} (${outcome})${effects.length ? `: ${effects.join('; ')}` : ''}`,
  ]);
}

function registerDone(tasks: Command): void {
  apiOptions(
    tasks
      .command('done')
      .description('mark a task done; a sequence waiting for it goes on (POST /v1/tasks/{id}/complete)')
      .argument('<taskId>')
      .option('--replied', 'the person answered: the lead stops, as after a reply')
      .option('--note <text>', 'kept with the task'),
  ).action((taskId: string, options: DoneOptions) => complete(taskId, options.replied ? 'replied' : 'done', options));
}

function registerSkip(tasks: Command): void {
  apiOptions(
    tasks
      .command('skip')
      .description('skip a task (not done); a sequence waiting for it goes on (POST /v1/tasks/{id}/complete)')
      .argument('<taskId>')
      .option('--note <text>', 'kept with the task'),
  ).action((taskId: string, options: DoneOptions) => complete(taskId, 'skipped', options));
}

export function registerTasks(program: Command): void {
  const tasks = program
    .command('tasks')
    .description('manual tasks: calls and protected forms only a person can do, and closing them');
  registerList(tasks);
  registerDone(tasks);
  registerSkip(tasks);
}
