import { readFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { type ApiClient, newIdempotencyKey } from './api-client';
import { type ApiCommandOptions, withApi } from './api-session';
import { type Cell, percent, table, writeJson, writeLines } from './output';

/**
 * The operator verbs (docs/product.md §7): each one is a call (or a few) to the operator API, against `--api` /
 * `CASCADE_API_URL`, or against the embedded stack started for the command when no API is given.
 */

type Json = Record<string, unknown>;

const CHANNELS = ['EMAIL', 'LINKEDIN', 'CONTACT_FORM', 'PHONE'];
/** At most this many rows per import request. */
export const IMPORT_CHUNK_ROWS = 10_000;

const segment = encodeURIComponent;

function asRecord(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The first array found under one of `keys` (or the value itself when it is an array). */
function listFrom(value: unknown, ...keys: string[]): Json[] {
  if (Array.isArray(value)) return value.map(asRecord);
  const record = asRecord(value);
  for (const key of keys) if (Array.isArray(record[key])) return (record[key] as unknown[]).map(asRecord);
  return [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} "${value}" is not a positive whole number`);
  return n;
}

function channelArgument(value: string): string {
  const channel = value.toUpperCase().replace(/-/g, '_');
  if (!CHANNELS.includes(channel)) throw new Error(`channel "${value}" is not one of ${CHANNELS.join(', ')}`);
  return channel;
}

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`);
  }
}

/** Adds the connection options every API verb takes. */
export function apiOptions(command: Command): Command {
  return command
    .option('--api <url>', 'operator API base URL (default: $CASCADE_API_URL, else an embedded stack for this command)')
    .option('--token <token>', 'operator bearer token (default: $CASCADE_API_TOKEN)')
    .option('--data <dir>', 'embedded stack only: keep and reuse its state in this directory')
    .option('--json', 'print JSON for scripts instead of tables');
}

function campaignLines(campaign: Json): string[] {
  const sender = asRecord(campaign.sender);
  const sequence = asRecord(campaign.sequence);
  const steps = asArray(sequence.steps)
    .map((step) => str(asRecord(step).channel))
    .filter(Boolean);
  return table(
    ['field', 'value'],
    [
      ['campaignId', str(campaign.campaignId)],
      ['name', str(campaign.name)],
      ['state', str(campaign.state)],
      ['minGrade', str(campaign.minGrade)],
      ['sender', [str(sender.name), str(sender.email) && `<${str(sender.email)}>`].filter(Boolean).join(' ')],
      ['sequence', steps.length ? `v${str(sequence.version) ?? '1'}: ${steps.join(' → ')}` : undefined],
      ['createdAt', str(campaign.createdAt)],
      ['updatedAt', str(campaign.updatedAt)],
    ],
  );
}

/** The campaign in a response (`{...campaign}` or `{campaign: {...}}`). */
function campaignFrom(response: unknown): Json {
  const record = asRecord(response);
  return 'campaign' in record ? asRecord(record.campaign) : record;
}

// ── campaigns ───────────────────────────────────────────────────────────────────────────────────

interface CampaignCreateOptions extends ApiCommandOptions {
  file?: string;
  id?: string;
  name?: string;
  senderName?: string;
  senderEmail?: string;
  senderCompany?: string;
  replyTo?: string;
  minGrade?: string;
  paused?: boolean;
}

function campaignBody(options: CampaignCreateOptions): Json {
  const body: Json = options.file ? { ...asRecord(readJsonFile(options.file)) } : {};
  if (options.id) body.campaignId = options.id;
  if (options.name) body.name = options.name;
  const sender = { ...asRecord(body.sender) };
  if (options.senderName) sender.name = options.senderName;
  if (options.senderEmail) sender.email = options.senderEmail;
  if (options.senderCompany) sender.company = options.senderCompany;
  if (options.replyTo) sender.replyTo = options.replyTo;
  if (Object.keys(sender).length > 0) body.sender = sender;
  if (options.minGrade) body.minGrade = options.minGrade.toUpperCase();
  if (options.paused) body.state = 'PAUSED';
  return body;
}

async function campaignAction(
  client: ApiClient,
  options: ApiCommandOptions,
  request: () => Promise<unknown>,
  verb?: string,
): Promise<void> {
  const campaign = campaignFrom(await request());
  if (options.json) return writeJson(campaign);
  if (verb) writeLines([`${verb} campaign ${str(campaign.campaignId) ?? ''}`.trimEnd()]);
  writeLines(campaignLines(campaign));
  const sequences = campaign.sequences as { resumed?: number; keptParked?: number } | undefined;
  if (sequences)
    writeLines([`sequences restarted: ${sequences.resumed ?? 0}, left paused: ${sequences.keptParked ?? 0}`]);
  void client;
}

function registerCampaigns(program: Command): void {
  const campaigns = program.command('campaigns').description('create, read, pause and resume campaigns');

  apiOptions(
    campaigns
      .command('create')
      .description('create a campaign (POST /v1/campaigns); flags override the fields of --file')
      .option('--file <json>', 'campaign JSON (name, sender, templates, sequence, minGrade); - reads stdin')
      .option('--id <campaignId>', 'the campaign id (default: one the API assigns)')
      .option('--name <name>', 'campaign name')
      .option('--sender-name <name>', "the sender's name")
      .option('--sender-email <email>', "the sender's email address (a verified SES identity in AWS)")
      .option('--sender-company <company>', "the sender's company")
      .option('--reply-to <email>', 'reply-to address')
      .option('--min-grade <grade>', 'lowest lead grade a batch enrols: A, B, C or D (default C)')
      .option('--paused', 'create it PAUSED'),
  ).action(async (options: CampaignCreateOptions) => {
    const body = campaignBody(options);
    await withApi(options, ({ client }) =>
      campaignAction(
        client,
        options,
        () => client.post('/campaigns', body, { idempotencyKey: newIdempotencyKey() }),
        'created',
      ),
    );
  });

  apiOptions(
    campaigns.command('get').description('show a campaign (GET /v1/campaigns/{id})').argument('<campaignId>'),
  ).action(async (campaignId: string, options: ApiCommandOptions) => {
    await withApi(options, ({ client }) =>
      campaignAction(client, options, () => client.get(`/campaigns/${segment(campaignId)}`)),
    );
  });

  for (const [verb, past] of [
    ['pause', 'paused'],
    ['resume', 'resumed'],
  ] as const) {
    apiOptions(
      campaigns
        .command(verb)
        .description(`${verb} a campaign (POST /v1/campaigns/{id}/${verb})`)
        .argument('<campaignId>'),
    ).action(async (campaignId: string, options: ApiCommandOptions) => {
      await withApi(options, ({ client }) =>
        campaignAction(client, options, () => client.post(`/campaigns/${segment(campaignId)}/${verb}`), past),
      );
    });
  }

  apiOptions(
    campaigns
      .command('sequence')
      .description("replace a campaign's sequence (PUT /v1/campaigns/{id}/sequence); new leads get the new version")
      .argument('<campaignId>')
      .requiredOption('--file <json>', 'SequenceConfig JSON {steps:[{channel, waitHoursBefore, maxRetries, …}], …}'),
  ).action(async (campaignId: string, options: ApiCommandOptions & { file: string }) => {
    const body = readJsonFile(options.file);
    await withApi(options, ({ client }) =>
      campaignAction(client, options, () => client.put(`/campaigns/${segment(campaignId)}/sequence`, body), 'updated'),
    );
  });
}

// ── leads ───────────────────────────────────────────────────────────────────────────────────────

export interface ImportChunk {
  /** Data rows before this chunk (added to the API's 1-based row numbers). */
  offset: number;
  rows: number;
  body: string | unknown[];
  contentType: string;
}

/** Request body caps below the API's (1 MB JSON, 6 MB CSV), leaving room for the JSON brackets and the header. */
const MAX_JSON_CHUNK_BYTES = 1_000_000;
const MAX_CSV_CHUNK_BYTES = 6_000_000;

/** Groups items into runs of at most `rows` items and `bytes` bytes (an item larger than `bytes` goes alone). */
function group<T>(items: T[], rows: number, bytes: number, sizeOf: (item: T) => number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const itemSize = sizeOf(item);
    if (current.length > 0 && (current.length >= rows || size + itemSize > bytes)) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += itemSize;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * Splits a lead file into requests of at most `size` rows (and under the API's body limits): CSV keeps its
 * header in every chunk; a JSON array is split into arrays. `offset` maps the API's row numbers back to the file.
 */
export function importChunks(file: string, text: string, size = IMPORT_CHUNK_ROWS): ImportChunk[] {
  if (/\.json$/i.test(file) || /^\s*\[/.test(text)) {
    let rows: unknown;
    try {
      rows = JSON.parse(text);
    } catch (error) {
      throw new Error(`${file} is not JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(rows)) throw new Error(`${file}: a JSON lead file is an array of leads`);
    let offset = 0;
    return group(rows, size, MAX_JSON_CHUNK_BYTES - 2, (row) => Buffer.byteLength(JSON.stringify(row)) + 1).map(
      (body) => {
        const chunk = { offset, rows: body.length, body, contentType: 'application/json' };
        offset += body.length;
        return chunk;
      },
    );
  }
  let records: { raw: string }[];
  try {
    records = parse(text, { bom: true, raw: true, skip_empty_lines: true, relax_column_count: true }) as unknown as {
      raw: string;
    }[];
  } catch {
    // Unreadable CSV: send it whole, the API reports where it breaks.
    return [{ offset: 0, rows: 0, body: text, contentType: 'text/csv' }];
  }
  const [header, ...data] = records;
  if (!header) throw new Error(`${file} is empty`);
  const line = (raw: string) => (raw.endsWith('\n') ? raw : `${raw}\n`);
  const head = line(header.raw.replace(/^\uFEFF/, ''));
  const groups = group(data, size, MAX_CSV_CHUNK_BYTES - Buffer.byteLength(head), (record) =>
    Buffer.byteLength(line(record.raw)),
  );
  let offset = 0;
  return (groups.length > 0 ? groups : [[]]).map((slice) => {
    const chunk = {
      offset,
      rows: slice.length,
      body: head + slice.map((record) => line(record.raw)).join(''),
      contentType: 'text/csv; charset=utf-8',
    };
    offset += slice.length;
    return chunk;
  });
}

export interface RejectedRow {
  row: number;
  reasons: string[];
}

export interface ImportSummary {
  campaignId: string;
  accepted: number;
  rejected: RejectedRow[];
  /** Imported leads (id, email) as the API lists them. */
  leads: Json[];
}

/** `POST /v1/campaigns/{id}/leads` → `{rows, imported, rejected, leads:[{row, leadId, grade}], rejectedRows:[{row, reasons, errors}]}`. */
function readImportResponse(
  response: unknown,
  offset: number,
): { accepted: number; rejected: RejectedRow[]; leads: Json[] } {
  const record = asRecord(response);
  const leads = listFrom(record.leads).map((lead) => ({ ...lead, row: (num(lead.row) ?? 0) + offset }));
  const rejected = listFrom(record.rejectedRows).map((entry) => ({
    row: (num(entry.row) ?? 0) + offset,
    reasons: asArray(entry.reasons).map(String),
  }));
  return { accepted: num(record.imported) ?? leads.length, rejected, leads };
}

async function importLeads(
  client: ApiClient,
  campaignId: string,
  chunks: ImportChunk[],
  progress: boolean,
): Promise<ImportSummary> {
  const total = chunks.reduce((sum, chunk) => sum + chunk.rows, 0);
  const bar = progress
    ? new SingleBar({
        format: 'importing leads [{bar}] {value}/{total} rows',
        stream: process.stderr,
        hideCursor: true,
        noTTYOutput: true,
        notTTYSchedule: 1000,
      })
    : undefined;
  bar?.start(total, 0);
  const summary: ImportSummary = { campaignId, accepted: 0, rejected: [], leads: [] };
  try {
    for (const chunk of chunks) {
      const response = await client.request('POST', `/campaigns/${segment(campaignId)}/leads`, {
        body: chunk.body,
        contentType: chunk.contentType,
        idempotencyKey: newIdempotencyKey(),
      });
      const result = readImportResponse(response, chunk.offset);
      summary.accepted += result.accepted;
      summary.rejected.push(...result.rejected);
      summary.leads.push(...result.leads);
      bar?.increment(chunk.rows);
    }
  } finally {
    bar?.stop();
  }
  summary.rejected.sort((a, b) => a.row - b.row);
  return summary;
}

function registerLeads(program: Command): void {
  const leads = program.command('leads').description('import and read leads');

  apiOptions(
    leads
      .command('import')
      .description(
        `import a lead file (CSV with a header row, or a JSON array) into a campaign, ${IMPORT_CHUNK_ROWS.toLocaleString('en')} rows per request; valid rows are kept, rejected rows are listed by row number`,
      )
      .argument('<file>', 'lead CSV (same columns as examples/leads.csv) or JSON array')
      .requiredOption('--campaign <campaignId>', 'the campaign to import into')
      .option('--no-progress', 'do not draw a progress bar'),
  ).action(async (file: string, options: ApiCommandOptions & { campaign: string; progress: boolean }) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const chunks = importChunks(file, text);
    const summary = await withApi(options, ({ client }) =>
      importLeads(client, options.campaign, chunks, options.progress !== false),
    );
    if (options.json) return writeJson(summary);
    for (const rejected of summary.rejected)
      writeLines([`rejected row ${rejected.row}: ${rejected.reasons.join('; ')}`]);
    writeLines([`${summary.accepted} accepted, ${summary.rejected.length} rejected (campaign ${options.campaign})`]);
  });

  apiOptions(leads.command('get').description('show a lead (GET /v1/leads/{id})').argument('<leadId>')).action(
    async (leadId: string, options: ApiCommandOptions) => {
      const lead = await withApi(options, ({ client }) => client.get(`/leads/${segment(leadId)}`));
      if (options.json) return writeJson(lead);
      const record = asRecord(asRecord(lead).lead ?? lead);
      writeLines(
        table(
          ['field', 'value'],
          Object.entries(record)
            .filter(([, value]) => value !== undefined && typeof value !== 'object')
            .map(([key, value]) => [key, value as Cell]),
        ),
      );
    },
  );

  registerLeadWrites(leads);
}

function registerLeadWrites(leads: Command): void {
  apiOptions(
    leads
      .command('send')
      .description(
        "send an operator-written message to a lead (POST /v1/leads/{id}/outreach): the campaign's sequence, or one channel with --channel",
      )
      .argument('<leadId>')
      .requiredOption('--body <text>', 'the message (a Liquid template: {{ lead.firstName }}, {{ unsubscribeUrl }}, …)')
      .option('--subject <text>', 'the email subject')
      .option('--channel <channel>', `only this channel, no fallback: ${CHANNELS.join(' | ')}`),
  ).action(
    async (leadId: string, options: ApiCommandOptions & { body: string; subject?: string; channel?: string }) => {
      const body: Json = { body: options.body };
      if (options.subject) body.subject = options.subject;
      if (options.channel) body.forceChannel = channelArgument(options.channel);
      const started = asRecord(
        await withApi(options, ({ client }) =>
          client.post(`/leads/${segment(leadId)}/outreach`, body, { idempotencyKey: newIdempotencyKey() }),
        ),
      );
      if (options.json) return writeJson(started);
      writeLines([`started ${str(started.executionName) ?? ''}   (cascade audit ${str(started.executionName) ?? ''})`]);
    },
  );

  apiOptions(
    leads
      .command('erase')
      .description(
        "erase a lead's personal data and keep a hashed suppression entry so the address never comes back (DELETE /v1/leads/{id})",
      )
      .argument('<leadId>'),
  ).action(async (leadId: string, options: ApiCommandOptions) => {
    const erased = asRecord(await withApi(options, ({ client }) => client.delete(`/leads/${segment(leadId)}`)));
    if (options.json) return writeJson(erased);
    writeLines([
      `erased lead ${str(erased.leadId) ?? leadId}: ${num(erased.messagesErased) ?? 0} message(s) cleared, suppression ${str(erased.suppression) ?? '-'}`,
    ]);
  });
}

// ── batch ───────────────────────────────────────────────────────────────────────────────────────

const ENDED = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export interface ExecutionState {
  name: string;
  status: string;
  channelUsed?: string;
  outcome?: string;
  error?: string;
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

/** Polls `GET /v1/executions/{name}` until every execution has ended. */
async function waitForExecutions(client: ApiClient, names: string[], progress: boolean): Promise<ExecutionState[]> {
  const states = new Map<string, ExecutionState>(names.map((name) => [name, { name, status: 'RUNNING' }]));
  const bar = progress
    ? new SingleBar({
        format: 'running sequences [{bar}] {value}/{total} ended',
        stream: process.stderr,
        hideCursor: true,
        noTTYOutput: true,
        notTTYSchedule: 1000,
      })
    : undefined;
  bar?.start(names.length, 0);
  try {
    let pending = [...names];
    let delay = 200;
    while (pending.length > 0) {
      const next: string[] = [];
      const queue = [...pending];
      const poll = async () => {
        for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
          const state = executionState(name, await client.get(`/executions/${segment(name)}`));
          states.set(name, state);
          if (!ENDED.has(state.status)) next.push(name);
        }
      };
      await Promise.all(Array.from({ length: Math.min(8, queue.length) }, poll));
      pending = next;
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

function registerBatch(program: Command): void {
  const batch = program.command('batch').description('launch batches of sequences');
  apiOptions(
    batch
      .command('run')
      .description(
        "enrol a campaign's NEW leads (grade ≥ minGrade) and start one execution each (POST /v1/campaigns/{id}/batches), then wait for them to end",
      )
      .requiredOption('--campaign <campaignId>', 'the campaign')
      .option('--dry-run', 'render each lead’s first message and start nothing')
      .option('--limit <n>', 'enrol at most n leads')
      .option('--no-wait', 'return once the executions are started')
      .option('--no-progress', 'do not draw a progress bar'),
  ).action(
    async (
      options: ApiCommandOptions & {
        campaign: string;
        dryRun?: boolean;
        limit?: string;
        wait: boolean;
        progress: boolean;
      },
    ) => {
      const limit = positiveInteger(options.limit, '--limit');
      const body: Json = {};
      if (options.dryRun) body.dryRun = true;
      if (limit !== undefined) body.limit = limit;
      await withApi(options, async ({ client }) => {
        const report = asRecord(
          await client.post(`/campaigns/${segment(options.campaign)}/batches`, body, {
            idempotencyKey: newIdempotencyKey(),
          }),
        );
        const names = executionNames(report);
        const executions =
          options.wait && !options.dryRun && names.length > 0
            ? await waitForExecutions(client, names, options.progress !== false)
            : undefined;
        if (options.json) return writeJson(executions ? { ...report, results: executions } : report);

        const skipped = skippedCounts(report);
        writeLines([
          `campaign ${options.campaign}: ${num(report.started) ?? names.length} started, ${num(report.alreadyRunning) ?? 0} already running, skipped ${
            Object.entries(skipped)
              .map(([why, count]) => `${count} ${why}`)
              .join(', ') || '0'
          }`,
        ]);
        const dryRun = listFrom(report.dryRun ?? report.preview, 'items');
        if (options.dryRun && dryRun.length > 0) {
          writeLines(
            table(
              ['lead', 'first channel', 'subject / problem'],
              dryRun.map((entry) => [
                str(entry.leadId),
                str(entry.firstChannel),
                str(entry.problem) ?? str(entry.subject),
              ]),
            ),
          );
        }
        if (!executions) {
          if (names.length > 0 && !options.dryRun)
            writeLines([`follow one: cascade audit ${names[0]}   (or GET /v1/executions/{name})`]);
          return;
        }
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
        writeLines(table(['result', 'executions'], [...byResult.entries()].sort()));
      });
    },
  );
}

// ── history, metrics ────────────────────────────────────────────────────────────────────────────

function registerHistory(program: Command): void {
  apiOptions(
    program
      .command('history')
      .description("a lead's messages and attempts, newest first (GET /v1/leads/{id}/history)")
      .argument('<leadId>')
      .option('--limit <n>', 'at most n entries (default 50, max 200)'),
  ).action(async (leadId: string, options: ApiCommandOptions & { limit?: string }) => {
    const limit = positiveInteger(options.limit, '--limit');
    const response = await withApi(options, ({ client }) => client.get(`/leads/${segment(leadId)}/history`, { limit }));
    if (options.json) return writeJson(response);
    const entries = listFrom(response, 'items', 'history', 'entries');
    if (entries.length === 0) return writeLines([`no history for lead ${leadId}`]);
    writeLines(
      table(
        ['time', 'kind', 'channel', 'step', 'status', 'reason', 'id'],
        entries.map((entry) => [
          str(entry.createdAt),
          str(entry.kind) ?? (entry.messageId && !entry.attemptKey ? 'message' : 'attempt'),
          str(entry.channel),
          entry.stepIndex !== undefined ? `${num(entry.stepIndex) ?? ''}#${num(entry.tryNumber) ?? ''}` : undefined,
          str(entry.outcome) ?? str(entry.status) ?? str(entry.state),
          str(entry.reason),
          str(entry.messageId) ?? str(entry.attemptKey),
        ]),
      ),
    );
  });
}

function registerMetrics(program: Command): void {
  apiOptions(
    program
      .command('metrics')
      .description('per-channel sent, delivered, replied, bounced, failed and rates (GET /v1/metrics/channels)')
      .option('--campaign <campaignId>', 'one campaign (default: all)')
      .option('--days <n>', 'the last n days (default 7)'),
  ).action(async (options: ApiCommandOptions & { campaign?: string; days?: string }) => {
    const days = positiveInteger(options.days, '--days');
    const response = asRecord(
      await withApi(options, ({ client }) => client.get('/metrics/channels', { campaignId: options.campaign, days })),
    );
    if (options.json) return writeJson(response);
    const channels = response.channels;
    const rows: [string, Json][] = Array.isArray(channels)
      ? channels.map((entry) => [str(asRecord(entry).channel) ?? '?', asRecord(entry)])
      : Object.entries(asRecord(channels)).map(([channel, entry]) => [channel, asRecord(entry)]);
    writeLines(
      table(
        ['channel', 'sent', 'delivered', 'replied', 'bounced', 'failed', 'delivery', 'reply', 'bounce'],
        rows.map(([channel, entry]) => [
          channel,
          num(entry.sent) ?? 0,
          num(entry.delivered) ?? 0,
          num(entry.replied) ?? 0,
          num(entry.bounced) ?? 0,
          num(entry.failed) ?? 0,
          percent(entry.deliveryRate),
          percent(entry.replyRate),
          percent(entry.bounceRate),
        ]),
      ),
    );
    const average = num(response.averageAttemptsPerLead);
    writeLines([
      `fallback rate ${percent(response.fallbackRate)} · average attempts per lead ${average === undefined ? '-' : average.toFixed(2)}`,
    ]);
  });
}

// ── config ──────────────────────────────────────────────────────────────────────────────────────

interface ConfigSetOptions extends ApiCommandOptions {
  campaign?: string;
  file?: string;
  enabled?: boolean;
  perHour?: string;
  perDay?: string;
  setting?: string[];
}

function settingValue(text: string): string | number | boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description('channel configuration: enabled, rate limits, retry policy, template, settings');

  apiOptions(
    config
      .command('get')
      .description('show the configuration of a channel (GET /v1/channels/{channel}/config)')
      .argument('<channel>', CHANNELS.join(' | '))
      .option('--campaign <campaignId>', "the campaign's configuration (default: account-wide)"),
  ).action(async (channel: string, options: ApiCommandOptions & { campaign?: string }) => {
    const name = channelArgument(channel);
    const response = await withApi(options, ({ client }) =>
      client.get(`/channels/${name}/config`, { campaignId: options.campaign }),
    );
    writeJson(options.json ? response : asRecord(asRecord(response).config ?? response));
  });

  apiOptions(
    config
      .command('set')
      .description(
        'change the configuration of a channel (PUT /v1/channels/{channel}/config): --file replaces it, the flags change fields of the current one',
      )
      .argument('<channel>', CHANNELS.join(' | '))
      .option('--campaign <campaignId>', "the campaign's configuration (default: account-wide)")
      .option('--file <json>', 'ChannelConfig JSON; - reads stdin')
      .option('--enabled', 'enable the channel')
      .option('--no-enabled', 'disable the channel')
      .option('--per-hour <n>', 'rate limit per hour')
      .option('--per-day <n>', 'rate limit per day')
      .option(
        '--setting <key=value>',
        'a channel setting (repeatable), e.g. consentPolicy=tick_required',
        (value: string, all: string[] = []) => [...all, value],
      ),
  ).action(async (channel: string, options: ConfigSetOptions) => {
    const name = channelArgument(channel);
    const perHour = options.perHour === undefined ? undefined : Number(options.perHour);
    const perDay = options.perDay === undefined ? undefined : Number(options.perDay);
    for (const [flag, value] of [
      ['--per-hour', perHour],
      ['--per-day', perDay],
    ] as const)
      if (value !== undefined && (!Number.isInteger(value) || value < 0))
        throw new Error(`${flag} must be a whole number ≥ 0`);
    const settings = Object.fromEntries(
      (options.setting ?? []).map((entry) => {
        const at = entry.indexOf('=');
        if (at < 1) throw new Error(`--setting "${entry}" is not key=value`);
        return [entry.slice(0, at), settingValue(entry.slice(at + 1))];
      }),
    );
    const changes = options.enabled !== undefined || perHour !== undefined || perDay !== undefined;
    if (!options.file && !changes && Object.keys(settings).length === 0)
      throw new Error('nothing to set: pass --file, --enabled/--no-enabled, --per-hour, --per-day or --setting');
    const query = { campaignId: options.campaign };
    const response = await withApi(options, async ({ client }) => {
      let body: Json;
      if (options.file) body = { ...asRecord(readJsonFile(options.file)) };
      else {
        const current = asRecord(await client.get(`/channels/${name}/config`, query));
        body = { ...asRecord(current.config ?? current) };
      }
      // Where a config applies is the request's (path and campaignId), not the body's.
      delete body.channel;
      delete body.scope;
      delete body.source;
      if (options.enabled !== undefined) body.enabled = options.enabled;
      if (perHour !== undefined || perDay !== undefined)
        body.rateLimits = {
          ...asRecord(body.rateLimits),
          ...(perHour !== undefined && { perHour }),
          ...(perDay !== undefined && { perDay }),
        };
      if (Object.keys(settings).length > 0) body.settings = { ...asRecord(body.settings), ...settings };
      return client.put(`/channels/${name}/config`, body, query);
    });
    writeJson(options.json ? response : asRecord(asRecord(response).config ?? response));
  });
}

// ── suppressions ────────────────────────────────────────────────────────────────────────────────

/** An address has a local part: `ada@x.example`; `x.example` and `@x.example` are domains. */
const isAddress = (value: string) => /^[^@\s]+@/.test(value.trim());

/** `ada@x.example` → `EMAIL#ada@x.example`, `x.example` → `DOMAIN#x.example`; a key (`EMAIL#…`) as is. */
export function suppressionKey(value: string): string {
  if (/^(EMAIL|DOMAIN|HASH)#/.test(value)) return value;
  return isAddress(value)
    ? `EMAIL#${value.trim().toLowerCase()}`
    : `DOMAIN#${value.trim().replace(/^@/, '').toLowerCase()}`;
}

function suppressionBody(value: string, reason?: string): Json {
  const body: Json = isAddress(value) ? { email: value.trim() } : { domain: value.trim().replace(/^@/, '') };
  if (reason) body.reason = reason;
  return body;
}

function registerSuppress(program: Command): void {
  const suppress = program
    .command('suppress')
    .description('the do-not-contact list: addresses and whole domains no channel ever writes to');

  apiOptions(
    suppress
      .command('add')
      .description('suppress an email address or a domain (POST /v1/suppressions)')
      .argument('<emailOrDomain>', 'ada@example.com, or example.com for the whole domain')
      .option('--reason <reason>', 'why (kept with the entry)', 'operator'),
  ).action(async (value: string, options: ApiCommandOptions & { reason?: string }) => {
    const response = await withApi(options, ({ client }) =>
      client.post('/suppressions', suppressionBody(value, options.reason)),
    );
    if (options.json) return writeJson(response);
    const entry = asRecord(asRecord(response).suppression ?? response);
    writeLines([`suppressed ${str(entry.key) ?? value}${entry.reason ? ` (${str(entry.reason)})` : ''}`]);
  });

  apiOptions(
    suppress
      .command('remove')
      .description('lift a suppression (DELETE /v1/suppressions/{key})')
      .argument('<emailOrDomain>', 'the address or domain, or the entry key (EMAIL#…, DOMAIN#…)'),
  ).action(async (value: string, options: ApiCommandOptions) => {
    const key = suppressionKey(value);
    const response = await withApi(options, ({ client }) => client.delete(`/suppressions/${segment(key)}`));
    if (options.json) return writeJson(response ?? { removed: key });
    writeLines([`removed ${key}`]);
  });

  apiOptions(
    suppress
      .command('list')
      .description('list suppressions (GET /v1/suppressions)')
      .option('--limit <n>', 'at most n entries'),
  ).action(async (options: ApiCommandOptions & { limit?: string }) => {
    const limit = positiveInteger(options.limit, '--limit') ?? Number.POSITIVE_INFINITY;
    // Every page (the API answers up to 500 a page), up to --limit entries.
    const items = await withApi(options, async ({ client }) => {
      const all: Json[] = [];
      let cursor: string | undefined;
      do {
        const page = asRecord(await client.get('/suppressions', { limit: Math.min(500, limit - all.length), cursor }));
        all.push(...listFrom(page.items));
        cursor = str(page.nextCursor);
      } while (cursor && all.length < limit);
      return all;
    });
    const response = { items };
    if (options.json) return writeJson(response);
    const entries = listFrom(response, 'items', 'suppressions');
    if (entries.length === 0) return writeLines(['no suppressions']);
    writeLines(
      table(
        ['key', 'reason', 'source', 'since'],
        entries.map((entry) => [str(entry.key), str(entry.reason), str(entry.source), str(entry.createdAt)]),
      ),
    );
  });
}

/** Registers every API verb on the program. */
export function registerApiVerbs(program: Command): void {
  registerCampaigns(program);
  registerLeads(program);
  registerBatch(program);
  registerHistory(program);
  registerMetrics(program);
  registerConfig(program);
  registerSuppress(program);
}
