import type { Campaign, Lead } from '../domain/schemas';
import { type StorableProblem, storableProblems } from '../domain/storable';
import { gradeLead } from '../grading/grade';
import { newId } from '../ids';
import { claimedLeads, createLead, DuplicateLeadError } from '../store/leads';
import { nowIso } from '../time/clock';
import type { LeadInput } from './import';

/** A validated import row as a NEW, graded lead of the campaign. */
export function leadFromInput(input: LeadInput, campaignId: string): Lead {
  const graded = gradeLead(input);
  const now = nowIso();
  return {
    leadId: newId('lead'),
    campaignId,
    firstName: input.firstName,
    lastName: input.lastName,
    email: input.email,
    company: input.company,
    title: input.title,
    website: input.website,
    linkedinUrl: input.linkedinUrl,
    linkedinProviderId: input.linkedinProviderId,
    contactFormUrl: input.contactFormUrl,
    phone: input.phone,
    timezone: input.timezone,
    country: input.country,
    industry: input.industry,
    employeeCount: input.employeeCount,
    leadScore: input.leadScore,
    budgetRange: input.budgetRange,
    timelineMonths: input.timelineMonths,
    painPoints: input.painPoints,
    tags: input.tags,
    status: 'NEW',
    grade: graded.grade,
    gradeReasons: graded.reasons,
    conversionProbability: graded.conversionProbability,
    linkedinConnectionStatus: input.linkedinStatus,
    createdAt: now,
    updatedAt: now,
  };
}

export interface StoredImport {
  created: Lead[];
  /** Index in `inputs` of each created lead, parallel to `created`. */
  createdIndexes: number[];
  /**
   * Valid rows whose email the campaign already has (claimed by an earlier import), with that lead's id when
   * the lead exists (a retried import gets back the ids of the rows an earlier one stored).
   */
  duplicates: { index: number; email: string; leadId?: string }[];
  /** Rows whose lead DynamoDB cannot hold (a derived number out of range, an item too large): never written. */
  unstorable: { index: number; errors: StorableProblem[] }[];
}

type Outcome = Lead | { duplicate: string } | { errors: StorableProblem[] };

/** DynamoDB's refusal of one item (its size, a number, a key): that row's problem, not the import's. */
const isItemRefused = (error: unknown) => (error as { name?: string } | undefined)?.name === 'ValidationException';

/** One lead written, or why its row is not. */
async function storeOne(lead: Lead, email: string | undefined): Promise<Outcome> {
  try {
    await createLead(lead);
    return lead;
  } catch (error) {
    if (error instanceof DuplicateLeadError) return { duplicate: email ?? '' };
    if (isItemRefused(error)) return { errors: [{ field: 'row', message: 'cannot be stored (DynamoDB refused it)' }] };
    throw error;
  }
}

/**
 * Stores validated rows as leads; an address already in the campaign is reported with its lead, never written twice.
 * Every lead is built and checked (numbers DynamoDB can hold, grading's included) before the first write, so
 * a row that cannot be stored is that row's error, never a failed import after partial writes.
 * `concurrency` writes that many leads at once (rows must be free of in-file duplicates, as
 * `validateLeadRows` leaves them); `created` keeps the order of `inputs` either way.
 */
export async function storeLeads(
  campaign: Pick<Campaign, 'campaignId'>,
  inputs: LeadInput[],
  options: { concurrency?: number } = {},
): Promise<StoredImport> {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const outcomes: (Outcome | undefined)[] = [];
  const writes: { index: number; lead: Lead; email?: string }[] = [];
  inputs.forEach((input, index) => {
    const lead = leadFromInput(input, campaign.campaignId);
    const errors = storableProblems(lead, 'row');
    if (errors.length > 0) outcomes[index] = { errors };
    else writes.push({ index, lead, email: input.email });
  });
  for (let start = 0; start < writes.length; start += concurrency) {
    const chunk = writes.slice(start, start + concurrency);
    const settled = await Promise.all(chunk.map(({ lead, email }) => storeOne(lead, email)));
    settled.forEach((outcome, i) => {
      outcomes[chunk[i]?.index ?? -1] = outcome;
    });
  }
  const result: StoredImport = { created: [], createdIndexes: [], duplicates: [], unstorable: [] };
  outcomes.forEach((outcome, index) => {
    if (!outcome) return;
    if ('duplicate' in outcome) result.duplicates.push({ index, email: outcome.duplicate });
    else if ('errors' in outcome) result.unstorable.push({ index, errors: outcome.errors });
    else {
      result.created.push(outcome);
      result.createdIndexes.push(index);
    }
  });
  if (result.duplicates.length > 0) {
    const existing = await claimedLeads(
      campaign.campaignId,
      result.duplicates.map((duplicate) => duplicate.email),
    );
    for (const duplicate of result.duplicates) {
      const leadId = existing.get(duplicate.email.trim().toLowerCase());
      if (leadId) duplicate.leadId = leadId;
    }
  }
  return result;
}
