import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { recordDomainEvent } from '../events/domain-events';
import { leadRunFact, sequenceCompletedFact } from '../events/facts';
import { documentClient } from '../store/client';
import { LeadStatusConflictError, transitionLead } from '../store/leads';
import { completeAttempt, getMessage, type StoredAttempt } from '../store/outreach';
import { tableName } from '../store/tables';
import { evidenceOf } from './ambiguous';
import { settleParkedBySend } from './release';

/**
 * A sequence that failed on an error (retries spent) may leave a try whose provider call may have happened
 * (CALLING): it is recorded `ambiguous_send` and the lead parked, exactly as a retry would have done, so the
 * failure never reads as "not sent" and reconciliation (SES `Send` events) can settle it. SES publishes its `Send`
 * event before it answers, so the event usually came before this parking and found nothing to settle: the
 * message is read again once the lead is parked (the same conditional settle as the event's: one wins).
 */
export async function settleOpenAttempts(leadId: string, campaignId: string, executionName: string): Promise<number> {
  const result = await documentClient().send(
    new QueryCommand({
      TableName: tableName('outreach'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `LEAD#${leadId}`, ':prefix': `ATTEMPT#${executionName}#` },
      ConsistentRead: true,
    }),
  );
  const open = ((result.Items ?? []) as StoredAttempt[]).filter(
    (attempt) => attempt.state === 'PENDING' && attempt.phase === 'CALLING',
  );
  for (const attempt of open) {
    const settled = {
      outcome: 'STOP' as const,
      channel: attempt.channel,
      reason: 'ambiguous_send' as const,
      messageId: attempt.messageId,
      detail: 'the sequence failed after this try may have reached the provider; reconciliation settles it',
    };
    await completeAttempt(leadId, attempt.attemptKey, {
      outcome: 'STOP',
      reason: 'ambiguous_send',
      messageId: attempt.messageId,
      result: settled,
    });
  }
  await parkLead(leadId, campaignId, open[0]);
  // The run ends failed; one parked on a try that may have gone out is stopped for the operator. Every invocation
  // records them (the same ids), so a retried one makes good a crash before them.
  const run = { leadId, campaignId, executionName };
  const first = open[0];
  if (first) {
    const data = {
      reason: 'ambiguous_send',
      step: first.stepIndex,
      channel: first.channel,
      messageId: first.messageId,
    };
    await recordDomainEvent(leadRunFact('lead.stopped', run, executionName, data));
  }
  await recordDomainEvent(sequenceCompletedFact(run, 'FAILED', { settledTries: open.length }));
  for (const attempt of open) {
    const { messageId } = attempt;
    if (messageId && evidenceOf(await getMessage(leadId, messageId, true)) === 'sent')
      await settleParkedBySend(leadId, messageId, 'recheck after a failed sequence');
  }
  return open.length;
}

async function parkLead(leadId: string, campaignId: string, first: StoredAttempt | undefined): Promise<void> {
  if (first) {
    try {
      await transitionLead({ leadId, campaignId }, ['IN_SEQUENCE', 'NEW'], 'PAUSED', {
        stopReason: 'ambiguous_send',
        resumeFrom: { stepIndex: first.stepIndex, tryCount: first.tryNumber + 1 },
      });
    } catch (error) {
      if (!(error instanceof LeadStatusConflictError)) throw error;
    }
  }
}
