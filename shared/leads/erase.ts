import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../aws/clients';
import { setting } from '../config/settings';
import { type Lead, LeadStatus } from '../domain/schemas';
import { logger } from '../observability';
import { unindexLeadCompany } from '../store/company-index';
import { deleteLinkedInPointer, eraseLeadOutreach, eraseManualTasks, markErasureComplete } from '../store/erasure';
import { getLead, LeadStatusConflictError, releaseEmailClaim, transitionLead } from '../store/leads';
import { channelSuppressionKeys } from '../store/suppression-checks';
import { addSuppressionIfAbsent, erasureKeyFor, getSuppression, removeSuppression } from '../store/suppressions';
import { nowIso } from '../time/clock';

export interface LeadErasure {
  leadId: string;
  erased: true;
  erasedAt: string;
  /** The `HASH#<sha256>` suppression that keeps the address from being imported or contacted again. */
  suppression: string | null;
  messagesErased: number;
  /** The running execution that was stopped, when the lead was in a sequence. */
  stoppedExecution?: string;
}

type StoredLead = Lead & { erasedAt?: string; erasureKey?: string };

/**
 * Lead attributes that stay after erasure: ids, status and the bookkeeping of the sequence, the grade and
 * the firmographics it was computed from (company, industry, size, score, timeline). Every other attribute
 * — names, addresses, profile and site URLs, phone, title, time zone, budget, free-text pain points and tags,
 * and anything an import may have added — is removed.
 */
const LEAD_KEEP = new Set<string>([
  'leadId',
  'campaignId',
  'firstName',
  'company',
  'industry',
  'employeeCount',
  'leadScore',
  'timelineMonths',
  'painPoints',
  'tags',
  'status',
  'grade',
  'gradeReasons',
  'conversionProbability',
  'linkedinConnectionStatus',
  'contactFormLastSubmittedAt',
  'stopReason',
  'sequenceVersion',
  'executionName',
  'createdAt',
  'updatedAt',
  'erasedAt',
  'erasureKey',
]);

const ERASED_NAME = 'erased';

/** Stops the lead's running execution (best effort: the suppression and status stop it at its next step anyway). */
async function stopExecution(lead: StoredLead): Promise<string | undefined> {
  const stateMachineArn = setting('CASCADE_STATE_MACHINE_ARN');
  if (!lead.executionName || !stateMachineArn || lead.status !== 'IN_SEQUENCE') return undefined;
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${lead.executionName}`;
  try {
    await sfnClient().send(
      new StopExecutionCommand({ executionArn, error: 'LeadErased', cause: 'personal data erased' }),
    );
    return lead.executionName;
  } catch (error) {
    logger.warn('could not stop the execution of an erased lead', {
      leadId: lead.leadId,
      error: (error as Error).message,
    });
    return undefined;
  }
}

/**
 * Suppression entries that name the person (`EMAIL#<address>` from a bounce, complaint or operator,
 * `LINKEDIN#<profile>`, `PHONE#<number>`): removed once the hash and `LEAD#` entries exist, which keep
 * every channel away from the lead and the address out of imports.
 */
async function removePersonalSuppressions(lead: StoredLead): Promise<void> {
  const keys = [
    ...channelSuppressionKeys(lead, 'EMAIL').filter((key) => key.startsWith('EMAIL#')),
    ...channelSuppressionKeys(lead, 'LINKEDIN'),
    ...channelSuppressionKeys(lead, 'PHONE'),
  ];
  if (lead.linkedinProviderId) keys.push(`LINKEDIN#${lead.linkedinProviderId.toLowerCase()}`);
  for (const key of new Set(keys)) if (await getSuppression(key)) await removeSuppression(key);
}

/**
 * Erases a lead's personal data and keeps only what stops the person from ever being contacted again:
 *
 * 1. `HASH#sha256(normalized email)` and `LEAD#<id>` suppressions are written first, so a step re-checking
 *    the lead stops and the address is refused by every later import.
 * 2. A running execution (lead IN_SEQUENCE) is stopped.
 * 3. The campaign's claim on the address (its key holds the address) is released; suppression entries that
 *    name the person (address, LinkedIn profile, phone) are removed.
 * 4. The lead item keeps ids, status (UNSUBSCRIBED), grade and firmographics only; its messages lose their
 *    content, its attempts the free-text detail of their results, its manual tasks their detail; the
 *    `LINKEDIN#<providerId>` pointer is deleted.
 * 5. The `LEAD#` suppression records that the erasure completed (the embedded stack then scrubs its peers'
 *    files: execution history, the SES journal, DynamoDB's store; AWS keeps what the README lists).
 *
 * Rate counters (keys hold the lead id and the recipient domain), metric aggregates and idempotency
 * records hold no personal data. Erasing an erased lead again changes nothing. Undefined when the lead
 * does not exist.
 */
export async function eraseLead(leadId: string): Promise<LeadErasure | undefined> {
  const lead = (await getLead(leadId)) as StoredLead | undefined;
  if (!lead) return undefined;
  const erasedAt = lead.erasedAt ?? nowIso();
  const suppression = lead.email ? erasureKeyFor(lead.email) : (lead.erasureKey ?? null);

  if (suppression) await addSuppressionIfAbsent(suppression, 'erased', 'erasure');
  await addSuppressionIfAbsent(`LEAD#${leadId}`, 'erased', 'erasure');
  const stoppedExecution = await stopExecution(lead);

  if (lead.email) await releaseEmailClaim(lead.campaignId, lead.email);
  // The company index names the person's domains (stopOnCompanyReply): it goes with the lead.
  await unindexLeadCompany(lead);
  await removePersonalSuppressions(lead);
  if (lead.linkedinProviderId) await deleteLinkedInPointer(lead.linkedinProviderId, leadId);

  const fields: Record<string, unknown> = {};
  for (const name of Object.keys(lead)) if (!LEAD_KEEP.has(name)) fields[name] = undefined;
  Object.assign(fields, {
    firstName: ERASED_NAME,
    painPoints: [],
    tags: [],
    erasedAt,
    ...(suppression && { erasureKey: suppression }),
  });
  try {
    await transitionLead(lead, LeadStatus.options, 'UNSUBSCRIBED', fields as Partial<Lead>);
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
  }

  const outreach = await eraseLeadOutreach(leadId, erasedAt);
  await eraseManualTasks(leadId, erasedAt);
  await markErasureComplete(leadId, nowIso());
  return {
    leadId,
    erased: true,
    erasedAt,
    suppression,
    messagesErased: outreach.messages,
    ...(stoppedExecution && { stoppedExecution }),
  };
}
