import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../aws/clients';
import { setting } from '../config/settings';
import type { Lead, LeadStatus } from '../domain/schemas';
import { recordDomainEvent } from '../events/domain-events';
import { leadRunFact, sequenceCompletedFact } from '../events/facts';
import { logger } from '../observability';
import { batchGetAll } from '../store/batch-get';
import { companyDomainsOf, leadIdsAtCompany } from '../store/company-index';
import { getCampaign, getLead, LeadStatusConflictError, transitionLead, updateLeadFields } from '../store/leads';
import { tableName } from '../store/tables';
import { nowIso } from '../time/clock';

/**
 * `stopOnCompanyReply` (docs/product.md §2): when a lead replies, the campaign's other leads at the same company
 * (same email domain or website domain; free-mail domains never count) are stopped with `company_replied`.
 *
 * Stopped means EXHAUSTED with stopReason `company_replied`: a final status that the step re-check before every
 * send turns into STOP (step-checks.ts STOPPING_STATUSES gives EXHAUSTED's stop reason as the lead's own), that no
 * batch enrols (batches take NEW leads) and no resume restarts (resumes take PAUSED ones). PAUSED would read as
 * "will continue", which it must not.
 */

/** Statuses whose sequence has not ended: the company's reply ends it. */
const STOPPABLE: ReadonlySet<LeadStatus> = new Set(['NEW', 'IN_SEQUENCE', 'PAUSED']);
const CONCURRENCY = 8;

export interface CompanyStop {
  /** Colleagues moved to EXHAUSTED `company_replied`. */
  stopped: string[];
  /** Colleagues left parked on an ambiguous send (a release settles them; they are marked, never retried). */
  marked: string[];
}

/**
 * Stops the other leads of `lead`'s campaign at its company, when the campaign says so. Safe to repeat: a
 * colleague already stopped (or replied, contacted…) is left as it is.
 */
export async function stopCompanyColleagues(lead: Lead): Promise<CompanyStop> {
  const result: CompanyStop = { stopped: [], marked: [] };
  const domains = companyDomainsOf(lead);
  if (domains.length === 0) return result;
  const campaign = await getCampaign(lead.campaignId);
  if (!campaign || campaign.stopOnCompanyReply === false) return result;
  const ids = (await leadIdsAtCompany(lead.campaignId, domains)).filter((leadId) => leadId !== lead.leadId);
  if (ids.length === 0) return result;
  const colleagues = (
    await batchGetAll(
      tableName('leads'),
      ids.map((leadId) => ({ pk: `LEAD#${leadId}`, sk: 'LEAD' })),
      { consistent: true },
    )
  ).map((item) => item as unknown as Lead);
  const at = nowIso();
  for (let index = 0; index < colleagues.length; index += CONCURRENCY) {
    await Promise.all(colleagues.slice(index, index + CONCURRENCY).map((colleague) => stopOne(colleague, at, result)));
  }
  if (result.stopped.length + result.marked.length > 0)
    logger.info('company replied: colleagues stopped', { leadId: lead.leadId, ...result });
  return result;
}

/** One colleague: a conditional move from the status it was read in, read again if it moved meanwhile. */
async function stopOne(first: Lead, at: string, result: CompanyStop): Promise<void> {
  let colleague: Lead | undefined = first;
  for (let round = 0; colleague && round < 3; round++) {
    // Stopped by this reply's earlier delivery, which may have died before its event: the same event again.
    if (colleague.status === 'EXHAUSTED' && colleague.stopReason === 'company_replied')
      return recordCompanyStop(colleague, false);
    if (!STOPPABLE.has(colleague.status)) return;
    if (colleague.status === 'PAUSED' && colleague.stopReason === 'ambiguous_send') {
      // Its try may have reached the person: evidence or an operator settles it; a `not_sent` release ends it.
      await updateLeadFields(colleague.leadId, { companyRepliedAt: at });
      result.marked.push(colleague.leadId);
      return;
    }
    try {
      await transitionLead(colleague, [colleague.status], 'EXHAUSTED', {
        stopReason: 'company_replied',
        companyRepliedAt: at,
        resumeFrom: undefined,
      });
      result.stopped.push(colleague.leadId);
      if (colleague.status === 'IN_SEQUENCE' && colleague.executionName)
        await stopExecution(colleague.executionName, colleague.leadId);
      return recordCompanyStop(colleague, colleague.status === 'IN_SEQUENCE' || colleague.status === 'PAUSED');
    } catch (error) {
      if (!(error instanceof LeadStatusConflictError)) throw error;
      colleague = await getLead(colleague.leadId);
    }
  }
}

/** `lead.stopped` (company_replied) for the colleague's run, and that run's end when it had not ended. */
async function recordCompanyStop(colleague: Lead, runCutShort: boolean): Promise<void> {
  const { executionName } = colleague;
  await recordDomainEvent(leadRunFact('lead.stopped', colleague, executionName, { reason: 'company_replied' }));
  if (runCutShort && executionName) {
    const run = { leadId: colleague.leadId, campaignId: colleague.campaignId, executionName };
    await recordDomainEvent(sequenceCompletedFact(run, 'STOPPED', { reason: 'company_replied' }));
  }
}

/** Stops a colleague's run now; if that fails, its next step's re-check stops it before any send. */
async function stopExecution(executionName: string, leadId: string): Promise<void> {
  const stateMachineArn = setting('CASCADE_STATE_MACHINE_ARN');
  if (!stateMachineArn) return;
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
  try {
    await sfnClient().send(
      new StopExecutionCommand({ executionArn, error: 'CompanyReplied', cause: 'a colleague replied' }),
    );
  } catch (error) {
    logger.warn('could not stop the execution of a colleague', { leadId, error: (error as Error).message });
  }
}
