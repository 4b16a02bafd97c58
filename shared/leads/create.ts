import type { Campaign, Lead } from '../domain/schemas';
import { gradeLead } from '../grading/grade';
import { newId } from '../ids';
import { createLead, DuplicateLeadError } from '../store/leads';
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
  /** Valid rows whose email the campaign already has (claimed by an earlier import). */
  duplicates: { index: number; email: string }[];
}

/**
 * Stores validated rows as leads; an address already in the campaign is reported, never written twice.
 * `concurrency` writes that many leads at once (rows must be free of in-file duplicates, as
 * `validateLeadRows` leaves them); `created` keeps the order of `inputs` either way.
 */
export async function storeLeads(
  campaign: Pick<Campaign, 'campaignId'>,
  inputs: LeadInput[],
  options: { concurrency?: number } = {},
): Promise<StoredImport> {
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const outcomes: (Lead | { duplicate: string })[] = [];
  for (let start = 0; start < inputs.length; start += concurrency) {
    const chunk = inputs.slice(start, start + concurrency);
    const settled = await Promise.all(
      chunk.map(async (input) => {
        const lead = leadFromInput(input, campaign.campaignId);
        try {
          await createLead(lead);
          return lead;
        } catch (error) {
          if (!(error instanceof DuplicateLeadError)) throw error;
          return { duplicate: input.email ?? '' };
        }
      }),
    );
    outcomes.push(...settled);
  }
  const result: StoredImport = { created: [], createdIndexes: [], duplicates: [] };
  outcomes.forEach((outcome, index) => {
    if ('duplicate' in outcome) result.duplicates.push({ index, email: outcome.duplicate });
    else {
      result.created.push(outcome);
      result.createdIndexes.push(index);
    }
  });
  return result;
}
