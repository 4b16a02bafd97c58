import * as z from 'zod';
import { ManualTask, ManualTaskOutcome, ManualTaskStatus } from '#shared/domain/schemas';
import { id, pageOf, pageQuery } from './common';

/** Request and response schemas of the manual-task routes: the operators' queue and its completion. */

export const TaskParams = z.object({ id: id('Task id') });

export const TasksQuery = pageQuery(200, 50).extend({
  status: ManualTaskStatus.default('OPEN').meta({
    description: 'OPEN (default): to do; EXPIRED: OPEN tasks whose step stopped waiting; DONE; SKIPPED',
  }),
  campaignId: id('Only this campaign’s tasks').optional(),
});

export const TaskResponse = ManualTask.meta({
  id: 'ManualTask',
  description:
    'Work only a person can do: a call (`instructions` holds the script), a protected contact form (`url` and what to write). `status` EXPIRED: the step that waited for the task gave up at `expiresAt`.',
});

export const TaskPageResponse = pageOf(TaskResponse).meta({ id: 'ManualTaskPage' });

export const CompleteTaskRequest = z
  .strictObject({
    outcome: ManualTaskOutcome.meta({
      description:
        '`done`: the task was done (a waiting sequence goes on); `skipped`: it was not (the sequence goes on); `replied`: the person answered (the lead stops, as after a reply)',
    }),
    note: z.string().max(2_000).optional().meta({ description: 'Kept with the task' }),
  })
  .meta({ id: 'CompleteTaskRequest' });

export const TaskCompletionResponse = z
  .object({
    task: TaskResponse,
    resumedExecutions: z
      .array(z.string())
      .meta({ description: 'The runs that were waiting for this task and were answered' }),
    stoppedExecution: z.string().optional().meta({ description: '`replied`: the running execution that was stopped' }),
  })
  .meta({ id: 'TaskCompletion' });
