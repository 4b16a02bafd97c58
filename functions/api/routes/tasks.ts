import { completeTask } from '#shared/outreach/complete-task';
import { listTasks, TASK_CURSOR_KEYS, taskStatusPartition } from '#shared/store/tasks';
import { nowMs } from '#shared/time/clock';
import { decodeCursor, pageBody } from '../cursor';
import { defineRoute } from '../route';
import {
  CompleteTaskRequest,
  TaskCompletionResponse,
  TaskPageResponse,
  TaskParams,
  TasksQuery,
} from '../schemas/tasks';

const TAG = 'Tasks';

/** `GET /v1/tasks`, `POST /v1/tasks/{id}/complete`: the operators' queue of manual tasks (PRODUCT.md §7). */
export const taskRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/tasks',
    operationId: 'listTasks',
    tag: TAG,
    summary: 'List manual tasks by status, soonest due first',
    description:
      'Tasks of every lead (or of one campaign) in one status. An OPEN task whose step stopped waiting for it (`expiresAt` passed) is listed under EXPIRED, not OPEN.',
    query: TasksQuery,
    responses: { 200: { description: 'One page; pass nextCursor back for the next', schema: TaskPageResponse } },
    async handle({ query }) {
      const stored = taskStatusPartition(query.status === 'EXPIRED' ? 'OPEN' : query.status);
      const startKey = decodeCursor(
        query.cursor,
        TASK_CURSOR_KEYS,
        (key) =>
          key.campaignStatus === stored && key.pk?.startsWith('LEAD#') === true && key.sk?.startsWith('TASK#') === true,
      );
      const page = await listTasks({
        status: query.status,
        campaignId: query.campaignId,
        limit: query.limit,
        startKey,
        atMs: nowMs(),
      });
      return { status: 200, body: pageBody({ entries: page.tasks, nextKey: page.nextKey }) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/tasks/{id}/complete',
    operationId: 'completeTask',
    tag: TAG,
    summary: 'Complete a manual task: done, skipped or replied',
    description:
      'Closes an OPEN task once: `done` → DONE, `skipped` → SKIPPED, `replied` → DONE and the lead stops as after a reply (REPLIED, its running execution stopped). A sequence step waiting for the task (`waitFor task_completed`) goes on (`done`, `skipped`) or ends (`replied`). A task completed already is a 409 `task_already_completed`; one whose step stopped waiting is a 409 `task_expired`.',
    params: TaskParams,
    body: CompleteTaskRequest,
    errors: [409],
    responses: { 200: { description: 'The task as completed', schema: TaskCompletionResponse } },
    async handle({ params, body }) {
      const completion = await completeTask(params.id, body);
      return {
        status: 200,
        body: {
          task: completion.task,
          resumedExecutions: completion.answered.filter((wait) => wait.resumed).map((wait) => wait.executionName),
          ...(completion.stoppedExecution && { stoppedExecution: completion.stoppedExecution }),
        },
      };
    },
  }),
];
