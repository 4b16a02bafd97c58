import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { LeadStatus } from '#shared/domain/schemas';
import { csvLine } from '#shared/leads/export';
import type { ApiClient } from '../api-client';
import { type ApiCommandOptions, withApi } from '../api-session';
import { table, writeJson, writeLines } from '../output';
import { asRecord, type Json, listFrom, str } from './answers';
import { apiOptions, positiveInteger, segment } from './options';

/**
 * A campaign's leads for operators: `cascade leads list|export <campaignId>` (PRODUCT.md §7) and the older
 * `cascade campaigns leads <id> [--csv]`, one code for both. The list reads GET /v1/campaigns/{id}/leads a page at a
 * time; the export writes GET /v1/campaigns/{id}/leads.csv as the API sends it (with the touch columns).
 */

interface ListOptions extends ApiCommandOptions {
  status?: string;
  limit?: string;
  cursor?: string;
}

interface ExportOptions extends ApiCommandOptions {
  status?: string;
  out?: string;
}

const STATUS_HELP = `only leads in this status: ${LeadStatus.options.join(' | ')}`;

function statusArgument(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const status = value.toUpperCase().replace(/-/g, '_');
  if (!LeadStatus.options.includes(status as LeadStatus))
    throw new Error(`--status "${value}" is not one of ${LeadStatus.options.join(', ')}`);
  return status;
}

function leadRow(lead: Json) {
  const name = [str(lead.firstName), str(lead.lastName)].filter(Boolean).join(' ');
  return [
    str(lead.leadId),
    name,
    str(lead.email),
    str(lead.company),
    str(lead.grade),
    str(lead.status),
    str(lead.stopReason),
    str(lead.updatedAt),
  ];
}

/** One page of the campaign's leads: a table (and the cursor of the next page), or the API's answer (`--json`). */
async function listLeads(campaignId: string, options: ListOptions): Promise<void> {
  const status = statusArgument(options.status);
  const limit = positiveInteger(options.limit, '--limit');
  const page = asRecord(
    await withApi(options, ({ client }) =>
      client.get(`/campaigns/${segment(campaignId)}/leads`, { status, limit, cursor: options.cursor }),
    ),
  );
  if (options.json) return writeJson(page);
  const leads = listFrom(page, 'items');
  if (leads.length === 0) writeLines([`no leads${status ? ` in ${status}` : ''} in campaign ${campaignId}`]);
  else
    writeLines(
      table(['leadId', 'name', 'email', 'company', 'grade', 'status', 'stopReason', 'updatedAt'], leads.map(leadRow)),
    );
  const next = str(page.nextCursor);
  if (next) writeLines([`more: --cursor ${next}`]);
}

/**
 * The API's export; with a status, only the header and that status's rows (re-written by the same RFC 4180 writer
 * the API uses, so a row reads as the API wrote it). Also answers how many leads it holds.
 */
export async function campaignLeadsCsv(client: ApiClient, campaignId: string, status?: string) {
  const csv = await client.getText(`/campaigns/${segment(campaignId)}/leads.csv`);
  const [header = [], ...rows] = parse(csv, { relax_column_count: true }) as string[][];
  if (status === undefined) return { csv, leads: rows.length };
  const column = header.indexOf('status');
  if (column === -1) throw new Error('the export has no status column: filter it without --status');
  const kept = rows.filter((row) => row[column] === status);
  return { csv: [header, ...kept].map(csvLine).join(''), leads: kept.length };
}

/** Writes the export to stdout, or to `--out` with one line (or JSON) saying how many leads went there. */
async function exportLeads(campaignId: string, options: ExportOptions): Promise<void> {
  const status = statusArgument(options.status);
  const { csv, leads } = await withApi(options, ({ client }) => campaignLeadsCsv(client, campaignId, status));
  if (options.out === undefined || options.out === '-') {
    process.stdout.write(csv);
    return;
  }
  try {
    writeFileSync(options.out, csv);
  } catch (error) {
    throw new Error(
      `cannot write ${options.out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  if (options.json) return writeJson({ campaignId, file: options.out, leads });
  writeLines([`exported ${leads} lead(s) of campaign ${campaignId} to ${options.out}`]);
}

/** The paging flags `leads list` and `campaigns leads` share. */
const listFlags = (command: Command) =>
  command
    .argument('<campaignId>')
    .option('--status <status>', STATUS_HELP)
    .option('--limit <n>', 'leads per page (default 50, max 100)')
    .option('--cursor <cursor>', 'the page after the one that printed this cursor');

/** `cascade leads list` and `cascade leads export`. */
export function registerLeadListing(leads: Command): void {
  apiOptions(
    listFlags(
      leads.command('list').description("list a campaign's leads, one page, by status (GET /v1/campaigns/{id}/leads)"),
    ),
  ).action((campaignId: string, options: ListOptions) => listLeads(campaignId, options));
  apiOptions(
    leads
      .command('export')
      .description(
        "a campaign's leads as CSV (GET /v1/campaigns/{id}/leads.csv): leadId, names, email, company, grade, status, stopReason, channelUsed, touches, lastTouchAt, repliedAt, senderId, variantIds",
      )
      .argument('<campaignId>')
      .option('--out <file>', 'write the CSV to this file instead of stdout')
      .option('--status <status>', STATUS_HELP),
  ).action((campaignId: string, options: ExportOptions) => exportLeads(campaignId, options));
}

/** `cascade campaigns leads <id> [--status] [--limit] [--cursor] [--csv]`: `leads list`, or with --csv `leads export`. */
export function registerCampaignLeads(campaigns: Command): void {
  apiOptions(
    listFlags(
      campaigns
        .command('leads')
        .description(
          "list a campaign's leads, one page (GET /v1/campaigns/{id}/leads); --csv writes all of them as CSV, as cascade leads export does",
        ),
    ).option('--csv', "every lead as CSV on stdout (the API's export, GET /v1/campaigns/{id}/leads.csv)"),
  ).action((campaignId: string, options: ListOptions & { csv?: boolean }) =>
    options.csv ? exportLeads(campaignId, options) : listLeads(campaignId, options),
  );
}
