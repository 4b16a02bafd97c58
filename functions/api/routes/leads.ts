import { HttpProblem } from '#shared/errors';
import { storeLeads } from '#shared/leads/create';
import { eraseLead } from '#shared/leads/erase';
import {
  importLeadCsvStream,
  type LeadInput,
  type LeadValidationResult,
  rejectedLead,
  validateLeadRows,
} from '#shared/leads/import';
import { startOperatorOutreach } from '#shared/outreach/operator-outreach';
import { unsubscribeUrl } from '#shared/outreach/unsubscribe';
import { getCampaign, getLead } from '#shared/store/leads';
import { leadHistoryPage } from '#shared/store/outreach';
import { findErasedEmails, normalizeEmail } from '#shared/store/suppressions';
import { buildTemplateContext } from '#shared/templates/render';
import { decodeCursor, pageBody } from '../cursor';
import { conflict, notFound, validationError } from '../errors';
import { defineRoute } from '../route';
import { CampaignParams } from '../schemas/campaigns';
import {
  HistoryPageResponse,
  HistoryQuery,
  LeadErasureResponse,
  LeadImportRequest,
  LeadImportRequestDoc,
  LeadImportResponse,
  LeadParams,
  LeadResponse,
  OperatorOutreachRequest,
  OutreachStartedResponse,
} from '../schemas/leads';
import { templateDetails } from '../template-check';
import { requireCampaign } from './campaigns';
import { leadSteeringRoutes } from './leads-steering';

const TAG = 'Leads';
/** The key of the byTime index a history page ends at: the table key and the index's sort key. */
const HISTORY_CURSOR_KEYS = ['pk', 'sk', 'timeSort'] as const;
/** Leads per import request; larger files are refused with 413 (split them). */
export const MAX_LEADS_PER_IMPORT = 10_000;
/** Leads written at once during an import (each is two conditional puts). */
const IMPORT_CONCURRENCY = 32;

const tooManyLeads = () =>
  new HttpProblem(
    413,
    'too_many_leads',
    `At most ${MAX_LEADS_PER_IMPORT.toLocaleString('en')} leads per request; split the file`,
    { details: [{ field: 'body', message: `must hold at most ${MAX_LEADS_PER_IMPORT} leads` }] },
  );

const reject = (row: number, field: string, message: string) => rejectedLead(row, [{ field, message }]);

/** The rows of an import validated one by one: the CSV text when one was sent, else the JSON array. */
async function validateImport(
  records: Record<string, unknown>[] | undefined,
  csv: string | undefined,
): Promise<LeadValidationResult> {
  if (csv !== undefined) {
    const streamed = await importLeadCsvStream(csv, { maxRows: MAX_LEADS_PER_IMPORT });
    if (streamed.tooManyRows) throw tooManyLeads();
    return streamed;
  }
  if ((records?.length ?? 0) > MAX_LEADS_PER_IMPORT) throw tooManyLeads();
  return validateLeadRows(records ?? []);
}

/** The accepted leads with their rows, less those whose address belongs to an erased lead (never imported again). */
async function withoutErasedAddresses(validation: LeadValidationResult) {
  const erased = await findErasedEmails(validation.accepted.flatMap((input) => (input.email ? [input.email] : [])));
  const rejected = [...validation.rejected];
  const inputs: LeadInput[] = [];
  const rows: number[] = [];
  validation.accepted.forEach((input, index) => {
    const row = validation.acceptedRows[index] ?? 0;
    if (input.email && erased.has(normalizeEmail(input.email))) {
      rejected.push(reject(row, 'email', 'belongs to an erased lead and cannot be imported again'));
      return;
    }
    inputs.push(input);
    rows.push(row);
  });
  return { inputs, rows, rejected };
}

async function requireLead(leadId: string) {
  const lead = await getLead(leadId);
  if (!lead) throw notFound(`lead ${leadId}`);
  return lead;
}

export const leadRoutes = [
  defineRoute({
    method: 'POST',
    path: '/v1/campaigns/{id}/leads',
    operationId: 'importLeads',
    tag: TAG,
    summary: 'Import leads into a campaign (JSON array or CSV)',
    description:
      'Send `application/json` (an array, ≤ 1 MB) or `text/csv` (a header row, ≤ 6 MB); at most 10,000 leads. Each row is validated on its own: valid rows are imported as graded NEW leads, the others are reported by row number (1 = first data row) — including addresses repeated in the file, addresses already in the campaign, and addresses of erased leads. A row whose address is already in the campaign carries the `leadId` of that lead and writes nothing, so a retried import (after a timeout or a partial failure) gets back the ids of the rows an earlier import stored; a row without an email address has no identity to match and is imported again.',
    idempotent: true,
    params: CampaignParams,
    body: LeadImportRequest,
    bodyDoc: LeadImportRequestDoc,
    rowsValidated: true,
    csv: true,
    errors: [409],
    responses: { 200: { description: 'What was imported and what was rejected', schema: LeadImportResponse } },
    async handle({ params, body, csv }) {
      const campaign = await requireCampaign(params.id);
      if (campaign.state === 'ARCHIVED')
        throw conflict('campaign_archived', `campaign ${campaign.campaignId} is ARCHIVED`);
      const validation = await validateImport(body as Record<string, unknown>[] | undefined, csv);
      const { inputs, rows, rejected } = await withoutErasedAddresses(validation);
      const stored = await storeLeads(campaign, inputs, { concurrency: IMPORT_CONCURRENCY });
      // A row already in the campaign stays a row error (as before), with the id of the lead it already is.
      for (const { index, leadId } of stored.duplicates)
        rejected.push({ ...reject(rows[index] ?? 0, 'email', 'already in this campaign'), ...(leadId && { leadId }) });
      for (const unstorable of stored.unstorable)
        rejected.push(rejectedLead(rows[unstorable.index] ?? 0, unstorable.errors));
      rejected.sort((a, b) => a.row - b.row);
      return {
        status: 200,
        body: {
          campaignId: campaign.campaignId,
          rows: validation.acceptedRows.length + validation.rejected.filter((r) => r.row > 0).length,
          imported: stored.created.length,
          rejected: rejected.length,
          leads: stored.created.map((lead, index) => ({
            row: rows[stored.createdIndexes[index] ?? -1] ?? 0,
            leadId: lead.leadId,
            grade: lead.grade,
          })),
          rejectedRows: rejected,
          unknownColumns: validation.unknownColumns,
        },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/leads/{id}',
    operationId: 'getLead',
    tag: TAG,
    summary: 'Read a lead',
    params: LeadParams,
    responses: { 200: { description: 'The lead', schema: LeadResponse } },
    async handle({ params }) {
      return { status: 200, body: await requireLead(params.id) };
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/v1/leads/{id}',
    operationId: 'eraseLead',
    tag: TAG,
    summary: "Erase a lead's personal data",
    description:
      'Removes the personal fields of the lead and the bodies and subjects of its messages, marks it UNSUBSCRIBED and keeps a suppression entry HASH#sha256(email), so the address is never imported or contacted again. Repeating it changes nothing.',
    params: LeadParams,
    responses: { 200: { description: 'The lead was erased', schema: LeadErasureResponse } },
    async handle({ params }) {
      const erasure = await eraseLead(params.id);
      if (!erasure) throw notFound(`lead ${params.id}`);
      return { status: 200, body: erasure };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/leads/{id}/outreach',
    operationId: 'startOperatorOutreach',
    tag: TAG,
    summary: 'Send an operator-written message to a lead',
    description:
      "Starts one execution that sends `body` (a Liquid template, checked against the lead first) through the campaign's sequence, or only on `forceChannel`. Only NEW, CONTACTED and EXHAUSTED leads of an active campaign: a lead in a sequence, replied, unsubscribed or bounced is a 409.",
    idempotent: true,
    params: LeadParams,
    body: OperatorOutreachRequest,
    responses: { 202: { description: 'The execution started', schema: OutreachStartedResponse } },
    async handle({ params, body, idempotencyKey, requestId }) {
      const lead = await requireLead(params.id);
      const campaign = await getCampaign(lead.campaignId);
      if (!campaign) throw notFound(`campaign ${lead.campaignId}`);
      const context = buildTemplateContext(lead, campaign, unsubscribeUrl(lead.leadId, campaign.campaignId));
      const problems = templateDetails({ body: body.body, subject: body.subject }, '', context);
      if (problems.length > 0) throw validationError(problems, 'The message does not compile');
      const started = await startOperatorOutreach({
        leadId: lead.leadId,
        body: body.body,
        subject: body.subject,
        forceChannel: body.forceChannel,
        requestKey: idempotencyKey ?? requestId,
      });
      return { status: 202, body: started, headers: { location: `/v1/executions/${started.executionName}` } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/leads/{id}/history',
    operationId: 'getLeadHistory',
    tag: TAG,
    summary: "A lead's messages and attempts, newest first",
    params: LeadParams,
    query: HistoryQuery,
    responses: { 200: { description: 'One page; pass nextCursor back for the next', schema: HistoryPageResponse } },
    async handle({ params, query }) {
      const lead = await requireLead(params.id);
      const startKey = decodeCursor(query.cursor, HISTORY_CURSOR_KEYS, (key) => key.pk === `LEAD#${lead.leadId}`);
      return { status: 200, body: pageBody(await leadHistoryPage(lead.leadId, { limit: query.limit, startKey })) };
    },
  }),
  // Pause, resume, listing and export (leads-steering.ts).
  ...leadSteeringRoutes,
];
