import type { ChannelType, ManualTask, ManualTaskOutcome } from '../domain/schemas';
import { CodedError } from '../errors';
import { recordDomainEvent } from '../events/domain-events';
import { taskFact } from '../events/facts';
import { logger } from '../observability';
import { closeTask, effectiveStatus, getTask } from '../store/tasks';
import { nowIso } from '../time/clock';
import { recordReply } from '../tracking/replies';
import { type AnsweredWait, type AnswerOptions, answerWaits, type WaitAnswer } from './answer-wait';

export class TaskNotFoundError extends CodedError('TaskNotFoundError', 'not_found', 'not_found') {}
export class TaskAlreadyCompletedError extends CodedError(
  'TaskAlreadyCompletedError',
  'task_already_completed',
  'conflict',
) {}
export class TaskExpiredError extends CodedError('TaskExpiredError', 'task_expired', 'conflict') {}

export interface TaskCompletion {
  task: ManualTask;
  /** The runs the completion answered (their step waited for this task). */
  answered: AnsweredWait[];
  /** `replied`: the run the reply stopped, when it was running. */
  stoppedExecution?: string;
}

/** What the waiting run is told, by outcome: `done` and `skipped` go on to the step's `onSent`, `replied` ends it. */
function answerFor(outcome: ManualTaskOutcome, channel: ChannelType): WaitAnswer {
  if (outcome === 'replied') return { outcome: 'STOP', reason: 'replied', channel };
  return { outcome: 'SENT', reason: outcome === 'done' ? 'task_done' : 'task_skipped', channel };
}

const CHANNEL_OF_KIND: Record<ManualTask['kind'], ChannelType> = {
  call: 'PHONE',
  form: 'CONTACT_FORM',
  linkedin: 'LINKEDIN',
  other: 'PHONE',
};

/**
 * An operator closes an OPEN task (PRODUCT.md §7 `POST /v1/tasks/{id}/complete`): one conditional OPEN → DONE
 * or SKIPPED (a second completion, or one after the step stopped waiting, is a conflict that changes nothing).
 * `replied` then records a reply as any reply is recorded (the lead REPLIED, its running execution stopped);
 * last, the run whose step waits for this task is answered. The task is written before the waits are read: a
 * wait registered meanwhile finds the task closed itself (await-person.ts).
 */
export async function completeTask(
  taskId: string,
  request: { outcome: ManualTaskOutcome; note?: string },
  options: Pick<AnswerOptions, 'client'> = {},
): Promise<TaskCompletion> {
  const task = await getTask(taskId);
  if (!task) throw new TaskNotFoundError(`task ${taskId} does not exist`);
  const completedAt = nowIso();
  refuseClosed(task, Date.parse(completedAt));
  const status = request.outcome === 'skipped' ? 'SKIPPED' : 'DONE';
  const closing = { status, outcome: request.outcome, note: request.note, completedAt } as const;
  if (!(await closeTask(task, closing))) {
    // Another completion (or the expiry) came first: say which, as a first refusal would.
    const now = (await getTask(taskId)) ?? task;
    // A completion that crashed before its event is made good by the operator's retry (one event: the task's id).
    if (now.status === 'DONE' || now.status === 'SKIPPED') await recordCompleted(now);
    refuseClosed(now, Date.parse(completedAt));
    throw new TaskAlreadyCompletedError(`task ${taskId} is no longer OPEN`);
  }
  const closed: ManualTask = {
    ...task,
    status,
    outcome: request.outcome,
    completedAt,
    ...(request.note && { note: request.note }),
  };
  await recordCompleted(closed);
  const channel = task.channel ?? CHANNEL_OF_KIND[task.kind];
  let stoppedExecution: string | undefined;
  if (request.outcome === 'replied') {
    const reply = await recordReply(task.leadId, { channel, at: completedAt, inboundKey: `task:${taskId}` });
    stoppedExecution = reply.stoppedExecution;
  }
  const answered = await answerWaits(task.leadId, 'task_completed', answerFor(request.outcome, channel), {
    ...options,
    // The wait of the step that made this task, not one a later step of the run opened for another task.
    matches: (wait) =>
      task.executionName === undefined ||
      (wait.executionName === task.executionName && wait.stepIndex === task.stepIndex),
  });
  logger.info('task completed', { taskId, leadId: task.leadId, outcome: request.outcome, resumed: answered.length });
  return { task: closed, answered, ...(stoppedExecution && { stoppedExecution }) };
}

/** `task.completed`: the outcome and when, never the operator's note (free text may name the person). */
async function recordCompleted(task: ManualTask): Promise<void> {
  await recordDomainEvent(
    taskFact('task.completed', task, { status: task.status, outcome: task.outcome, completedAt: task.completedAt }),
  );
}

function refuseClosed(task: ManualTask, atMs: number): void {
  const status = effectiveStatus(task, atMs);
  if (status === 'EXPIRED')
    throw new TaskExpiredError(`task ${task.taskId} expired at ${task.expiresAt}: its step no longer waits for it`);
  if (status !== 'OPEN')
    throw new TaskAlreadyCompletedError(`task ${task.taskId} was completed already (${task.outcome ?? status})`);
}
