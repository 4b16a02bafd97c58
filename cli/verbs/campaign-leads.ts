import type { Command } from 'commander';
import { LeadStatus } from '#shared/domain/schemas';
import { csvLine } from '#shared/leads/export';
import type { ApiClient } from '../api-client';
import { type ApiCommandOptions, withApi } from '../api-session';
import { table, writeJson, writeLines } from '../output';
import { asRecord, type Json, listFrom, num, str } from './answers';
import { apiOptions, positiveInteger, segment } from './options';

/** `cascade campaigns leads <id> [--status] [--limit] [--cursor] [--csv]` (GET /v1/campaigns/{id}/leads). */

/** The lead fields the CSV gives, in the order of the API's export (leads.csv). */
const CSV_FIELDS = ['leadId', 'firstName', 'lastName', 'email', 'company', 'grade', 'status', 'stopReason'] as const;
const PAGE = 100;

interface CampaignLeadsOptions extends ApiCommandOptions {
  status?: string;
  limit?: string;
  cursor?: string;
  csv?: boolean;
}

function statusArgument(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const status = value.toUpperCase().replace(/-/g, '_');
  if (!LeadStatus.options.includes(status as LeadStatus))
    throw new Error(`--status "${value}" is not one of ${LeadStatus.options.join(', ')}`);
  return status;
}

/** Every page of the listing, written as CSV rows as they come (a large campaign never sits in memory). */
async function writeCsv(client: ApiClient, campaignId: string, status: string | undefined): Promise<void> {
  process.stdout.write(csvLine(CSV_FIELDS));
  let cursor: string | undefined;
  do {
    const page = asRecord(await client.get(`/campaigns/${segment(campaignId)}/leads`, { status, limit: PAGE, cursor }));
    for (const lead of listFrom(page, 'items'))
      process.stdout.write(csvLine(CSV_FIELDS.map((field) => str(lead[field]) ?? num(lead[field]))));
    cursor = str(page.nextCursor);
  } while (cursor);
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

export function registerCampaignLeads(campaigns: Command): void {
  apiOptions(
    campaigns
      .command('leads')
      .description(
        "list a campaign's leads, one page (GET /v1/campaigns/{id}/leads); --csv writes all of them as CSV (cascade campaigns leads <id> --csv > leads.csv)",
      )
      .argument('<campaignId>')
      .option('--status <status>', `only leads in this status: ${LeadStatus.options.join(' | ')}`)
      .option('--limit <n>', 'leads per page (default 50, max 100)')
      .option('--cursor <cursor>', 'the page after the one that printed this cursor')
      .option(
        '--csv',
        'every lead (all pages) as CSV on stdout: leadId, names, email, company, grade, status, stopReason',
      ),
  ).action(async (campaignId: string, options: CampaignLeadsOptions) => {
    const status = statusArgument(options.status);
    const limit = positiveInteger(options.limit, '--limit');
    await withApi(options, async ({ client }) => {
      if (options.csv) return writeCsv(client, campaignId, status);
      const page = asRecord(
        await client.get(`/campaigns/${segment(campaignId)}/leads`, { status, limit, cursor: options.cursor }),
      );
      if (options.json) return writeJson(page);
      const leads = listFrom(page, 'items');
      if (leads.length === 0) writeLines([`no leads${status ? ` in ${status}` : ''} in campaign ${campaignId}`]);
      else
        writeLines(
          table(
            ['leadId', 'name', 'email', 'company', 'grade', 'status', 'stopReason', 'updatedAt'],
            leads.map(leadRow),
          ),
        );
      const next = str(page.nextCursor);
      if (next) writeLines([`more: --cursor ${next}`]);
    });
  });
}
