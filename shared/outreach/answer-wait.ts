import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../aws/clients';
import type { ChannelType } from '../domain/schemas';
import { logger } from '../observability';
import { deleteWait, listWaits, type PendingWait, type WaitEvent } from '../store/waits';

/**
 * What a waiting run's Wait For Person state receives (its `$.answer`): `SENT` goes on to the step's `onSent`
 * target, `STOP` ends the run (Sequence Stopped) with this result.
 */
export interface WaitAnswer {
  outcome: 'SENT' | 'STOP';
  reason: 'invite_accepted' | 'task_done' | 'task_skipped' | 'replied';
  channel: ChannelType;
}

/** The part of the Step Functions client an answer uses (tests pass their own). */
export interface TaskTokenClient {
  send(command: SendTaskSuccessCommand): Promise<unknown>;
}

/** Errors that say the token can no longer be answered: the run timed out, ended, or was answered already. */
const WAIT_OVER = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);

export interface AnsweredWait {
  executionName: string;
  stepId: string;
  /** False when the wait was over already (timed out, ended, answered): only its record was removed. */
  resumed: boolean;
}

export interface AnswerOptions {
  /** Only the waits this accepts (e.g. the run and step that made a task); default every wait of the event. */
  matches?: (wait: PendingWait) => boolean;
  client?: TaskTokenClient;
  /** Where waits are read and removed (tests pass their own); default the Outreach table. */
  store?: WaitRecords;
}

/** The wait records an answer reads and removes. */
export interface WaitRecords {
  listWaits(leadId: string): Promise<PendingWait[]>;
  deleteWait(wait: PendingWait): Promise<boolean>;
}

const tableWaits: WaitRecords = { listWaits, deleteWait };

/**
 * Answers every open wait of the lead for `event` with `answer` (SendTaskSuccess), then removes the wait's
 * record. A token Step Functions no longer knows means the wait is over: its record goes too, and that is
 * not an error. Any other failure is thrown with the wait kept, so a retried event answers it.
 */
export async function answerWaits(
  leadId: string,
  event: WaitEvent,
  answer: WaitAnswer,
  options: AnswerOptions = {},
): Promise<AnsweredWait[]> {
  const client = options.client ?? sfnClient();
  const store = options.store ?? tableWaits;
  const waits = (await store.listWaits(leadId)).filter(
    (wait) => wait.event === event && (options.matches?.(wait) ?? true),
  );
  const answered: AnsweredWait[] = [];
  for (const wait of waits) {
    const resumed = await sendAnswer(client, wait, answer);
    await store.deleteWait(wait);
    answered.push({ executionName: wait.executionName, stepId: wait.stepId, resumed });
    logger.info('answered a wait', { leadId, event, executionName: wait.executionName, resumed });
  }
  return answered;
}

async function sendAnswer(client: TaskTokenClient, wait: PendingWait, answer: WaitAnswer): Promise<boolean> {
  try {
    await client.send(new SendTaskSuccessCommand({ taskToken: wait.taskToken, output: JSON.stringify(answer) }));
    return true;
  } catch (error) {
    if (WAIT_OVER.has((error as { name?: string }).name ?? '')) return false;
    throw error;
  }
}
