import type { Lead, OutreachMessage, OutreachStatus } from '../domain/schemas';
import { allCampaignLeads } from '../store/lead-listing';
import { listLeadMessages } from '../store/outreach';

/**
 * A campaign's leads as CSV (`GET /v1/campaigns/{id}/leads.csv`, `cascade campaigns leads --csv`), with the columns
 * of docs/product.md §7. Written by hand rather than with csv-stringify (not a dependency; csv-parse is): RFC 4180
 * needs only the quoting below, and the formula guard is ours either way.
 */

export const LEAD_CSV_COLUMNS = [
  'leadId',
  'firstName',
  'lastName',
  'email',
  'company',
  'grade',
  'status',
  'stopReason',
  'channelUsed',
  'touches',
  'lastTouchAt',
  'repliedAt',
  'senderId',
  'variantIds',
] as const;

/** A cell a spreadsheet would run as a formula (CWE-1236): = + - @ and the tab and CR some apps also read so. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF (quotes doubled); a value a spreadsheet would
 * take for a formula gets a leading `'` first (OWASP's CSV injection advice), so it shows as text.
 */
export function csvCell(value: string | number | undefined | null): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: readonly (string | number | undefined | null)[]) =>
  `${cells.map(csvCell).join(',')}\r\n`;

/** Message statuses that mean the touch reached the provider (a sent, delivered, answered or bounced message). */
const TOUCHED: ReadonlySet<OutreachStatus> = new Set(['SENT', 'DELIVERED', 'REPLIED', 'BOUNCED']);

/** What a lead's messages say about its touches: how many, the last one's channel and time, the first reply. */
export function touchSummary(messages: readonly OutreachMessage[]) {
  const sent = messages
    .filter((message) => TOUCHED.has(message.status))
    .sort((a, b) => (a.sentAt ?? a.createdAt).localeCompare(b.sentAt ?? b.createdAt));
  const last = sent.at(-1);
  const replies = messages.flatMap((message) => (message.repliedAt ? [message.repliedAt] : [])).sort();
  return {
    touches: sent.length,
    channelUsed: last?.channel,
    lastTouchAt: last ? (last.sentAt ?? last.createdAt) : undefined,
    repliedAt: replies[0],
  };
}

/**
 * One lead's row, in LEAD_CSV_COLUMNS order: its pool sender (§10) and the A/B variants its messages were rendered
 * from (§9), `step:variant` joined by `;` in send order.
 */
export function leadCsvRow(lead: Lead, messages: readonly OutreachMessage[]): (string | number | undefined)[] {
  const touches = touchSummary(messages);
  return [
    lead.leadId,
    lead.firstName,
    lead.lastName,
    lead.email,
    lead.company,
    lead.grade,
    lead.status,
    lead.stopReason,
    touches.channelUsed,
    touches.touches,
    touches.lastTouchAt,
    touches.repliedAt,
    lead.senderId,
    variantIdsOf(messages),
  ];
}

function variantIdsOf(messages: readonly OutreachMessage[]): string | undefined {
  const chosen = [...messages]
    .filter((message) => message.variantId)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    .map((message) => `${message.stepId ?? '?'}:${message.variantId}`);
  return chosen.length > 0 ? [...new Set(chosen)].join(';') : undefined;
}

/** Messages read for this many leads at once (one query each). */
const CONCURRENCY = 16;

/** The whole export: a header row, then every lead of the campaign (status by status), CRLF line ends. */
export async function campaignLeadsCsv(campaignId: string): Promise<string> {
  const lines = [csvLine(LEAD_CSV_COLUMNS)];
  for await (const page of allCampaignLeads(campaignId)) {
    for (let index = 0; index < page.length; index += CONCURRENCY) {
      const leads = page.slice(index, index + CONCURRENCY);
      const messages = await Promise.all(leads.map((lead) => listLeadMessages(lead.leadId)));
      leads.forEach((lead, at) => {
        lines.push(csvLine(leadCsvRow(lead, messages[at] ?? [])));
      });
    }
  }
  return lines.join('');
}
