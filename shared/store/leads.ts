import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type Campaign,
  type CampaignState,
  type Grade,
  Grade as GradeEnum,
  type Lead,
  type LeadStatus,
} from '../domain/schemas';
import { CodedError } from '../errors';
import type { SendSchedule } from '../schedule/schema';
import { nowIso } from '../time/clock';
import { batchGetAll } from './batch-get';
import { documentClient, ifConditionHolds } from './client';
import { indexLeadCompany } from './company-index';
import { queryAll, queryPages } from './paginate';
import { putSequenceVersion } from './sequence-versions';
import { tableName } from './tables';
import { buildSetExpression } from './update-expression';

// The task store moved to tasks.ts; re-exported for the callers that still import it from here.
export { listManualTasks, putManualTask } from './tasks';

export class DuplicateLeadError extends CodedError('DuplicateLeadError', 'duplicate_lead', 'conflict') {}

export class LeadStatusConflictError extends CodedError(
  'LeadStatusConflictError',
  'lead_status_conflict',
  'conflict',
) {}

export class CampaignExistsError extends CodedError('CampaignExistsError', 'campaign_exists', 'conflict') {}

/** A campaign was not in the state (or sequence version) a conditional write expected. */
export class CampaignConflictError extends CodedError('CampaignConflictError', 'campaign_conflict', 'conflict') {}

const leadKey = (leadId: string) => ({ pk: `LEAD#${leadId}`, sk: 'LEAD' });
const campaignKey = (campaignId: string) => ({ pk: `CAMPAIGN#${campaignId}`, sk: 'CAMPAIGN' });
const emailClaimKey = (campaignId: string, email: string) => ({
  pk: `CAMPAIGN#${campaignId}#EMAIL#${email.trim().toLowerCase()}`,
  sk: 'CLAIM',
});
const campaignStatus = (campaignId: string, status: LeadStatus) => `${campaignId}#${status}`;
const gradeCreated = (lead: Pick<Lead, 'grade' | 'createdAt' | 'leadId'>) =>
  `${lead.grade}#${lead.createdAt}#${lead.leadId}`;

function stripKeys<T>(item: Record<string, unknown> | undefined): T | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, campaignStatus: _cs, gradeCreated: _gc, ...rest } = item;
  return rest as T;
}

const campaignItem = (campaign: Campaign) => ({
  ...campaignKey(campaign.campaignId),
  ...campaign,
  campaignStatus: `CAMPAIGNS#${campaign.state}`,
  gradeCreated: `${campaign.createdAt}#${campaign.campaignId}`,
});

/** Campaign items share the by-status index under `CAMPAIGNS#<state>` so the scheduler can list active ones. */
export async function putCampaign(campaign: Campaign): Promise<void> {
  await documentClient().send(new PutCommand({ TableName: tableName('leads'), Item: campaignItem(campaign) }));
}

/** Creates a campaign; throws CampaignExistsError when the id is taken (conditional put). */
export async function createCampaign(campaign: Campaign): Promise<void> {
  const created = await ifConditionHolds(() =>
    documentClient().send(
      new PutCommand({
        TableName: tableName('leads'),
        Item: campaignItem(campaign),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  if (!created) throw new CampaignExistsError(`campaign ${campaign.campaignId} already exists`);
  // After the campaign's own write: a refused create must not store a version under someone else's campaign.
  await putSequenceVersion(campaign.campaignId, campaign.sequence);
}

/**
 * Moves a campaign to `to` only if its state is one of `from` (conditional write), keeping the
 * by-status index in step. Returns the updated campaign; throws CampaignConflictError otherwise.
 */
export async function transitionCampaign(
  campaignId: string,
  from: readonly CampaignState[],
  to: CampaignState,
): Promise<Campaign> {
  const fromValues = Object.fromEntries(from.map((state, index) => [`:from${index}`, state]));
  const updated = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('leads'),
        Key: campaignKey(campaignId),
        UpdateExpression: 'SET #state = :to, campaignStatus = :cs, updatedAt = :now',
        ConditionExpression: `attribute_exists(pk) AND #state IN (${Object.keys(fromValues).join(', ')})`,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ...fromValues, ':to': to, ':cs': `CAMPAIGNS#${to}`, ':now': nowIso() },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  if (!updated) throw new CampaignConflictError(`campaign ${campaignId} is not ${from.join('/')}`);
  return stripKeys<Campaign>(updated.Attributes) as Campaign;
}

/**
 * Replaces a campaign's send window (PRODUCT.md §2). Running sequences read it at their next step: a touch already
 * waiting for the old window's opening checks the new one when its Wait ends.
 */
export async function replaceCampaignSchedule(campaignId: string, schedule: SendSchedule): Promise<Campaign> {
  const updated = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('leads'),
        Key: campaignKey(campaignId),
        UpdateExpression: 'SET #schedule = :schedule, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#schedule': 'schedule' },
        ExpressionAttributeValues: { ':schedule': schedule, ':now': nowIso() },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  if (!updated) throw new CampaignConflictError(`campaign ${campaignId} does not exist`);
  return stripKeys<Campaign>(updated.Attributes) as Campaign;
}

/**
 * Replaces a campaign's sequence if its version is still `previous.version` (conditional write). Running
 * executions carry the sequence they started with, and every version is kept (sequence-versions.ts), so a
 * parked lead resumes in its own. The previous version is stored first (a no-op when it is already): it backfills
 * campaigns created before versions were kept, and heals a crash between an earlier replace and its version put.
 */
export async function replaceCampaignSequence(
  campaignId: string,
  previous: Campaign['sequence'],
  sequence: Campaign['sequence'],
): Promise<Campaign> {
  const expectedVersion = previous.version;
  await putSequenceVersion(campaignId, previous);
  const updated = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('leads'),
        Key: campaignKey(campaignId),
        UpdateExpression: 'SET #sequence = :sequence, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND #sequence.#version = :expected',
        ExpressionAttributeNames: { '#sequence': 'sequence', '#version': 'version' },
        ExpressionAttributeValues: { ':sequence': sequence, ':expected': expectedVersion, ':now': nowIso() },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  if (!updated)
    throw new CampaignConflictError(`campaign ${campaignId} sequence is no longer version ${expectedVersion}`);
  await putSequenceVersion(campaignId, sequence);
  return stripKeys<Campaign>(updated.Attributes) as Campaign;
}

export async function listCampaigns(state: Campaign['state']): Promise<Campaign[]> {
  const items = await queryAll({
    TableName: tableName('leads'),
    IndexName: 'byCampaignStatus',
    KeyConditionExpression: 'campaignStatus = :cs',
    ExpressionAttributeValues: { ':cs': `CAMPAIGNS#${state}` },
  });
  return items.map((item) => stripKeys<Campaign>(item) as Campaign);
}

export async function getCampaign(campaignId: string): Promise<Campaign | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('leads'), Key: campaignKey(campaignId) }),
  );
  return stripKeys<Campaign>(Item);
}

/**
 * Creates a lead. An email address is claimed per campaign first (conditional put), so two imports of
 * the same address can never both land; a failed lead write gives the claim back.
 */
export async function createLead(lead: Lead): Promise<void> {
  const client = documentClient();
  const table = tableName('leads');
  const { email } = lead;
  if (email) {
    const claimed = await ifConditionHolds(() =>
      client.send(
        new PutCommand({
          TableName: table,
          Item: { ...emailClaimKey(lead.campaignId, email), leadId: lead.leadId },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (!claimed) throw new DuplicateLeadError(`email ${email} is already in campaign ${lead.campaignId}`);
  }
  try {
    await client.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...leadKey(lead.leadId),
          ...lead,
          campaignStatus: campaignStatus(lead.campaignId, lead.status),
          gradeCreated: gradeCreated(lead),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error) {
    if (email) await client.send(new DeleteCommand({ TableName: table, Key: emailClaimKey(lead.campaignId, email) }));
    throw error;
  }
  // After the lead exists: an index entry always names a stored lead (stopOnCompanyReply reads it).
  await indexLeadCompany(lead);
}

/** Gives a campaign's claim on an address back (erasure: the claim's key holds the address itself). */
export async function releaseEmailClaim(campaignId: string, email: string): Promise<void> {
  await documentClient().send(
    new DeleteCommand({ TableName: tableName('leads'), Key: emailClaimKey(campaignId, email) }),
  );
}

export async function getLead(leadId: string): Promise<Lead | undefined> {
  const { Item } = await documentClient().send(new GetCommand({ TableName: tableName('leads'), Key: leadKey(leadId) }));
  return stripKeys<Lead>(Item);
}

/**
 * Moves a lead to `to` only if its status is one of `from` (conditional write), keeping the
 * by-status index in step. Throws LeadStatusConflictError when the lead moved meanwhile.
 */
export async function transitionLead(
  lead: Pick<Lead, 'leadId' | 'campaignId'>,
  from: readonly LeadStatus[],
  to: LeadStatus,
  fields: Partial<Lead> = {},
): Promise<void> {
  const update = buildSetExpression({
    ...fields,
    status: to,
    campaignStatus: campaignStatus(lead.campaignId, to),
    updatedAt: nowIso(),
  });
  const fromValues = Object.fromEntries(from.map((status, index) => [`:from${index}`, status]));
  const moved = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('leads'),
        Key: leadKey(lead.leadId),
        UpdateExpression: update.expression,
        ConditionExpression: `attribute_exists(pk) AND #status IN (${Object.keys(fromValues).join(', ')})`,
        ExpressionAttributeNames: { ...update.names, '#status': 'status' },
        ExpressionAttributeValues: { ...update.values, ...fromValues },
      }),
    ),
  );
  if (!moved) throw new LeadStatusConflictError(`lead ${lead.leadId} is not in ${from.join('/')}`);
}

/** Updates non-status fields of an existing lead. */
export async function updateLeadFields(
  leadId: string,
  fields: Partial<Omit<Lead, 'status' | 'leadId'>>,
): Promise<void> {
  const update = buildSetExpression({ ...fields, updatedAt: nowIso() });
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('leads'),
      Key: leadKey(leadId),
      UpdateExpression: update.expression,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: update.names,
      ExpressionAttributeValues: update.values,
    }),
  );
}

/** The grade letter just after `minGrade`: index keys sort A < B < C < D, so `< next` selects grades >= minGrade. */
function gradeUpperBound(minGrade: Grade): string {
  const grades = GradeEnum.options;
  return grades[grades.indexOf(minGrade) + 1] ?? 'E';
}

/** How many of a campaign's leads in `status` are below `minGrade` (a COUNT query on the index). */
export async function countLeadsBelowGrade(campaignId: string, status: LeadStatus, minGrade: Grade): Promise<number> {
  let count = 0;
  for await (const page of queryPages({
    TableName: tableName('leads'),
    IndexName: 'byCampaignStatus',
    KeyConditionExpression: 'campaignStatus = :cs AND gradeCreated >= :lower',
    ExpressionAttributeValues: { ':cs': campaignStatus(campaignId, status), ':lower': gradeUpperBound(minGrade) },
    Select: 'COUNT',
  })) {
    count += page.Count ?? 0;
  }
  return count;
}

export interface LeadPage {
  leads: Lead[];
  nextKey?: Record<string, unknown>;
}

/** A campaign's leads in one status, optionally only grades >= minGrade (one index query, no filter). */
export async function queryLeadsByStatus(
  campaignId: string,
  status: LeadStatus,
  options: { minGrade?: Grade; limit?: number; startKey?: Record<string, unknown> } = {},
): Promise<LeadPage> {
  const values: Record<string, unknown> = { ':cs': campaignStatus(campaignId, status) };
  let keyCondition = 'campaignStatus = :cs';
  if (options.minGrade) {
    keyCondition += ' AND gradeCreated < :upper';
    values[':upper'] = gradeUpperBound(options.minGrade);
  }
  const result = await documentClient().send(
    new QueryCommand({
      TableName: tableName('leads'),
      IndexName: 'byCampaignStatus',
      KeyConditionExpression: keyCondition,
      ExpressionAttributeValues: values,
      Limit: options.limit,
      ExclusiveStartKey: options.startKey,
    }),
  );
  return {
    leads: (result.Items ?? []).map((item) => stripKeys<Lead>(item) as Lead),
    nextKey: result.LastEvaluatedKey,
  };
}

/**
 * Address (trimmed, lower case) → the id of the lead of `campaignId` that claimed it, through the per-campaign
 * email claims `createLead` writes first: a retried import answers with the ids an earlier, interrupted or partly
 * failed import stored. A claim whose lead was never written (an import stopped between the two puts) is left
 * out: there is no lead to name. Consistent reads: the claims were just found by a failed conditional put.
 */
export async function claimedLeads(campaignId: string, emails: readonly string[]): Promise<Map<string, string>> {
  const table = tableName('leads');
  const addresses = [...new Set(emails.map((email) => email.trim().toLowerCase()))];
  if (addresses.length === 0) return new Map();
  const claimKeys = addresses.map((email) => emailClaimKey(campaignId, email));
  const claims = await batchGetAll(table, claimKeys, { consistent: true });
  const emailOf = new Map<string, string>();
  for (const claim of claims) {
    const email = String(claim.pk).slice(`CAMPAIGN#${campaignId}#EMAIL#`.length);
    if (typeof claim.leadId === 'string') emailOf.set(claim.leadId, email);
  }
  const leads = await batchGetAll(table, [...emailOf.keys()].map(leadKey), { consistent: true });
  const found = new Map<string, string>();
  for (const lead of leads) {
    const email = emailOf.get(String(lead.leadId));
    if (email !== undefined && lead.campaignId === campaignId) found.set(email, String(lead.leadId));
  }
  return found;
}
