import { PersonAlreadyAnsweredError } from '../errors';
import { logger } from '../observability';
import { getLead } from '../store/leads';
import { listManualTasks, setTaskExpiry } from '../store/tasks';
import { putWait, type WaitEvent } from '../store/waits';
import { nowIso, nowMs } from '../time/clock';

/** What Wait For Person hands its function with the task token (infra/outreach-states.ts). */
export interface AwaitPersonInput {
  campaignId: string;
  leadId: string;
  executionName: string;
  taskToken: string;
  stepIndex: number;
  stepId: string;
  waitFor: { event: WaitEvent; timeoutSeconds: number };
}

/**
 * Registers the run's wait so the event can answer it: the provider's `new_relation` webhook for an accepted
 * invite, the operator's completion for a task (shared/outreach/answer-wait.ts). Written first, then the lead is
 * read: an invite accepted before the wait existed is seen here (the webhook writes the connection status before
 * it looks for waits), and the state machine goes on at once. A re-run of the state replaces the wait (new token).
 */
export async function awaitPerson(input: AwaitPersonInput): Promise<{ waiting: WaitEvent }> {
  const { leadId, waitFor } = input;
  const expiresAt = new Date(nowMs() + waitFor.timeoutSeconds * 1000).toISOString();
  await putWait({
    leadId,
    campaignId: input.campaignId,
    executionName: input.executionName,
    event: waitFor.event,
    taskToken: input.taskToken,
    stepId: input.stepId,
    stepIndex: input.stepIndex,
    expiresAt,
    createdAt: nowIso(),
  });
  if (waitFor.event === 'task_completed') await markTaskExpiry(input, expiresAt);
  if (waitFor.event === 'invite_accepted') {
    const lead = await getLead(leadId);
    if (lead?.linkedinConnectionStatus === 'CONNECTED') {
      logger.info('invite accepted before the wait began', { leadId });
      throw new PersonAlreadyAnsweredError(`lead ${leadId} accepted the invite already`);
    }
  }
  return { waiting: waitFor.event };
}

/**
 * The step's task learns when the step stops waiting for it (listed EXPIRED after that). A task the operator
 * completed before the wait was registered (its answer found no wait) ends the wait at once, like an invite
 * accepted early; a `replied` completion has stopped the lead, which the next step's checks see.
 */
async function markTaskExpiry(input: AwaitPersonInput, expiresAt: string): Promise<void> {
  // The newest task of this run's step (oldest first: a step tried again made one per try).
  const tasks = await listManualTasks(input.leadId);
  const task = tasks.findLast(
    (each) => each.executionName === input.executionName && each.stepIndex === input.stepIndex,
  );
  if (!task) {
    logger.warn('no task of this step to wait for', { leadId: input.leadId, stepIndex: input.stepIndex });
    return;
  }
  // The expiry is written only on an OPEN task: refused, the operator completed it first.
  if (task.status === 'OPEN' && (await setTaskExpiry(task, expiresAt))) return;
  logger.info('task completed before the wait began', { leadId: input.leadId, taskId: task.taskId });
  throw new PersonAlreadyAnsweredError(`task ${task.taskId} was completed already`);
}
