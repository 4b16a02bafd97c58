import type { Command } from 'commander';
import { newIdempotencyKey } from '../api-client';
import { type ApiCommandOptions, withApi } from '../api-session';
import { type Cell, cellText, table, writeJson, writeLines } from '../output';
import { asRecord, type Json, listFrom, num, str } from './answers';
import { registerLeadListing } from './campaign-leads';
import { IMPORT_CHUNK_ROWS, importChunks, importLeads } from './lead-import';
import { apiOptions, CHANNELS, channelArgument, positiveInteger, readInputFile, segment } from './options';

/** `cascade leads import|get|send|erase|release|pause|resume|list|export` and `cascade history` (docs/product.md §7). */

function registerImport(leads: Command): void {
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
    const chunks = importChunks(file, readInputFile(file, { stdin: false }).toString('utf8'));
    const summary = await withApi(options, ({ client }) =>
      importLeads(client, options.campaign, chunks, options.progress !== false),
    );
    if (options.json) return writeJson(summary);
    for (const rejected of summary.rejected)
      writeLines([
        `rejected row ${rejected.row}: ${rejected.reasons.join('; ')}${rejected.leadId ? ` (lead ${cellText(rejected.leadId)})` : ''}`,
      ]);
    // A retried import: the rows an earlier one stored are rejected here, each with the id of its lead.
    const existing = summary.rejected.filter((rejected) => rejected.leadId).length;
    const ofThem = existing > 0 ? `, ${existing} of them already in the campaign` : '';
    writeLines([
      `${summary.accepted} accepted, ${summary.rejected.length} rejected${ofThem} (campaign ${options.campaign})`,
    ]);
  });
}

function registerGet(leads: Command): void {
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
}

function registerSend(leads: Command): void {
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
}

function registerErase(leads: Command): void {
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

const RELEASE_DECISIONS = ['sent', 'not_sent'];

function registerRelease(leads: Command): void {
  apiOptions(
    leads
      .command('release')
      .description(
        'settle a lead parked on an ambiguous send (POST /v1/leads/{id}/release): sent → recorded SENT; not_sent → the step is tried again',
      )
      .argument('<leadId>')
      .requiredOption('--decision <decision>', 'sent | not_sent')
      .option('--campaign <campaignId>', "the lead's campaign (checked)"),
  ).action(async (leadId: string, options: ApiCommandOptions & { decision: string; campaign?: string }) => {
    const decision = options.decision.toLowerCase().replace(/-/g, '_');
    if (!RELEASE_DECISIONS.includes(decision))
      throw new Error(`--decision "${options.decision}" is not one of ${RELEASE_DECISIONS.join(', ')}`);
    const body: Json = { decision, ...(options.campaign && { campaignId: options.campaign }) };
    const released = asRecord(
      await withApi(options, ({ client }) => client.post(`/leads/${segment(leadId)}/release`, body)),
    );
    if (options.json) return writeJson(released);
    const execution = str(released.executionName);
    writeLines([
      `released lead ${str(released.leadId) ?? leadId} as ${decision}: ${str(released.status) ?? ''}${execution ? `, retried in ${execution}` : ''}`,
    ]);
  });
}

/** `pause` and `resume` print the lead's new status and the execution stopped or started. */
function registerSteering(leads: Command): void {
  apiOptions(
    leads
      .command('pause')
      .description(
        'pause a lead (POST /v1/leads/{id}/pause): a lead in a sequence stops at once and remembers the step it had not sent; a NEW lead is skipped by batches',
      )
      .argument('<leadId>'),
  ).action(async (leadId: string, options: ApiCommandOptions) => {
    const paused = asRecord(await withApi(options, ({ client }) => client.post(`/leads/${segment(leadId)}/pause`)));
    if (options.json) return writeJson(paused);
    writeLines(steeringLines(paused));
  });
  apiOptions(
    leads
      .command('resume')
      .description(
        'resume a paused lead (POST /v1/leads/{id}/resume): a new execution at the step it had not sent, in its own sequence version',
      )
      .argument('<leadId>')
      .option('--from-step <stepId>', "restart at this step of the campaign's current sequence instead"),
  ).action(async (leadId: string, options: ApiCommandOptions & { fromStep?: string }) => {
    const body: Json = options.fromStep ? { fromStep: options.fromStep } : {};
    const resumed = asRecord(
      await withApi(options, ({ client }) => client.post(`/leads/${segment(leadId)}/resume`, body)),
    );
    if (options.json) return writeJson(resumed);
    writeLines(steeringLines(resumed));
  });
}

function steeringLines(answer: Json): string[] {
  const resumeFrom = asRecord(answer.resumeFrom);
  const step =
    answer.resumeFrom !== undefined ? `step ${num(resumeFrom.stepIndex) ?? ''}#${num(resumeFrom.tryCount) ?? ''}` : '';
  return table(
    ['leadId', 'status', 'stopReason', 'resumeFrom', 'execution'],
    [[str(answer.leadId), str(answer.status), str(answer.stopReason), step, str(answer.executionName)]],
  );
}

export function registerLeads(program: Command): void {
  const leads = program.command('leads').description('import, read, list, export and steer leads');
  registerImport(leads);
  registerGet(leads);
  registerSend(leads);
  registerErase(leads);
  registerRelease(leads);
  registerSteering(leads);
  registerLeadListing(leads);
}

/** One history entry as a table row: a message or an attempt (`step#try`). */
function historyRow(entry: Json): Cell[] {
  return [
    str(entry.createdAt),
    str(entry.kind) ?? (entry.messageId && !entry.attemptKey ? 'message' : 'attempt'),
    str(entry.channel),
    entry.stepIndex !== undefined ? `${num(entry.stepIndex) ?? ''}#${num(entry.tryNumber) ?? ''}` : undefined,
    str(entry.outcome) ?? str(entry.status) ?? str(entry.state),
    str(entry.reason),
    str(entry.messageId) ?? str(entry.attemptKey),
  ];
}

export function registerHistory(program: Command): void {
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
    writeLines(table(['time', 'kind', 'channel', 'step', 'status', 'reason', 'id'], entries.map(historyRow)));
  });
}
