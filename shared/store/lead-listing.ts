import { type Lead, LeadStatus } from '../domain/schemas';
import { queryLeadsByStatus } from './leads';

/**
 * A campaign's leads for operators (`GET /v1/campaigns/{id}/leads`, `leads.csv`), read from the byCampaignStatus
 * index whose partitions are `<campaign>#<status>`: one status is one partition; all statuses are their
 * partitions one after the other, in LeadStatus order. A page ends at an index key, whose `campaignStatus` says
 * which partition to go on in, so the cursor is that key and nothing else.
 */

/** The byCampaignStatus key attributes a page key holds (table key and index key). */
export const LEAD_PAGE_KEY_ATTRIBUTES = ['pk', 'sk', 'campaignStatus', 'gradeCreated'] as const;

export interface CampaignLeadPage {
  entries: Lead[];
  nextKey?: Record<string, unknown>;
}

/** The status a page key's partition holds, when the key is one of this campaign's lead partitions. */
export function statusOfPageKey(campaignId: string, key: Record<string, unknown>): LeadStatus | undefined {
  const partition = String(key.campaignStatus ?? '');
  if (!partition.startsWith(`${campaignId}#`)) return undefined;
  const parsed = LeadStatus.safeParse(partition.slice(campaignId.length + 1));
  return parsed.success ? parsed.data : undefined;
}

/**
 * Up to `limit` leads, in `status` or in any, after `startKey`. A page may come back shorter than `limit` with a
 * next key (DynamoDB's 1 MB page), or end exactly at a partition's end with the key of its last lead: the next
 * page then starts the following partition.
 */
export async function campaignLeadsPage(
  campaignId: string,
  options: { status?: LeadStatus; limit: number; startKey?: Record<string, unknown> },
): Promise<CampaignLeadPage> {
  const statuses = options.status ? [options.status] : LeadStatus.options;
  const from = options.startKey ? statusOfPageKey(campaignId, options.startKey) : statuses[0];
  const entries: Lead[] = [];
  let startKey = options.startKey;
  for (const status of statuses.slice(Math.max(0, statuses.indexOf(from ?? statuses[0] ?? 'NEW')))) {
    do {
      const page = await queryLeadsByStatus(campaignId, status, { limit: options.limit - entries.length, startKey });
      entries.push(...page.leads);
      startKey = page.nextKey;
      if (entries.length >= options.limit) {
        const last = entries.at(-1);
        const more = startKey !== undefined || status !== statuses.at(-1);
        return { entries, ...(more && last && { nextKey: startKey ?? pageKeyOf(campaignId, last) }) };
      }
    } while (startKey);
  }
  return { entries };
}

/** The index key of a lead, as DynamoDB would give it as the LastEvaluatedKey of a page ending there. */
function pageKeyOf(campaignId: string, lead: Lead): Record<string, unknown> {
  return {
    pk: `LEAD#${lead.leadId}`,
    sk: 'LEAD',
    campaignStatus: `${campaignId}#${lead.status}`,
    gradeCreated: `${lead.grade}#${lead.createdAt}#${lead.leadId}`,
  };
}

/** Every lead of a campaign, page by page (the CSV export). */
export async function* allCampaignLeads(campaignId: string, pageSize = 100): AsyncIterable<Lead[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await campaignLeadsPage(campaignId, { limit: pageSize, startKey });
    if (page.entries.length > 0) yield page.entries;
    startKey = page.nextKey;
  } while (startKey);
}
