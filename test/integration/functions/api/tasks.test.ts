import { describe, expect, it } from 'vitest';
import { type ManualTask, SequenceConfig } from '#shared/domain/schemas';
import { PersonAlreadyAnsweredError } from '#shared/errors';
import { awaitPerson } from '#shared/outreach/await-person';
import { launchBatch } from '#shared/outreach/launcher';
import { createLead, getLead, putCampaign } from '#shared/store/leads';
import { indexLinkedInProfile } from '#shared/store/linkedin-index';
import { getTask, putManualTask } from '#shared/store/tasks';
import { listWaits, putWait } from '#shared/store/waits';
import { expectError, useApiStack } from '#test/integration/functions/api/gateway';
import { testCampaign, testLead } from '#test/support/fixtures';

/**
 * The operators' task queue (PRODUCT.md §7 `GET /v1/tasks`, `POST /v1/tasks/{id}/complete`) on the embedded
 * stack: tasks made by a PHONE step, completion once, expiry, `replied` stopping the lead, and the waits a
 * completion or an accepted invitation answers.
 */

const local = useApiStack();
const { call } = local;

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A task as a PHONE step makes one, stored directly: the tests below vary what the queue has to say about it. */
async function storedTask(campaignId: string, taskId: string, fields: Partial<ManualTask> = {}): Promise<ManualTask> {
  const leadId = `${taskId}-lead`;
  await createLead(testLead({ leadId, campaignId, firstName: 'Tess', phone: '+1 555 0100', status: 'CONTACTED' }));
  const task: ManualTask = {
    taskId,
    leadId,
    campaignId,
    kind: 'call',
    status: 'OPEN',
    instructions: 'Call Tess on +1 555 0100.',
    dueAt: iso(Date.now() - HOUR),
    createdAt: iso(Date.now() - HOUR),
    executionName: `${campaignId}--${leadId}`,
    stepIndex: 0,
    channel: 'PHONE',
    ...fields,
  };
  await putManualTask(task);
  return task;
}

/** A run waiting for `event` whose token Step Functions never issued (it answers InvalidToken: the wait is over). */
async function staleWait(task: Pick<ManualTask, 'leadId' | 'campaignId'>, event: 'invite_accepted' | 'task_completed') {
  await putWait({
    leadId: task.leadId,
    campaignId: task.campaignId,
    executionName: `${task.campaignId}--${task.leadId}`,
    event,
    taskToken: `stale-token-${task.leadId}`,
    stepId: 'step-1',
    stepIndex: 0,
    expiresAt: iso(Date.now() + HOUR),
    createdAt: iso(Date.now()),
  });
}

const listed = async (query: string) => {
  const reply = await call({ method: 'GET', path: `/v1/tasks?${query}` });
  expect(reply.status).toBe(200);
  return reply.body.items as ManualTask[];
};

describe('GET /v1/tasks', () => {
  it("lists the call task a PHONE step made, with the lead's script, due now", async () => {
    // Prepare
    const sequence = SequenceConfig.parse({ steps: [{ channel: 'PHONE' }] });
    await putCampaign(testCampaign('tasks-phone', { sequence }));
    const lead = testLead({
      leadId: 'tasks-phone-lead',
      campaignId: 'tasks-phone',
      firstName: 'Paula',
      lastName: 'Phone',
      company: 'Dial Co',
      phone: '+49 30 1234567',
    });
    await createLead(lead);

    // Act
    const report = await launchBatch({ campaignId: 'tasks-phone' });
    await local.stack.stepFunctions.drain();
    const tasks = await listed('campaignId=tasks-phone');

    // Assess
    expect(report.started).toBe(1);
    expect(tasks).toHaveLength(1);
    const [task] = tasks;
    expect(task).toMatchObject({
      leadId: lead.leadId,
      campaignId: 'tasks-phone',
      kind: 'call',
      status: 'OPEN',
      executionName: report.executions[0],
      stepIndex: 0,
    });
    expect(task?.instructions.split('\n')[0]).toBe('Call Paula Phone at Dial Co on +49 30 1234567.');
    expect(task?.instructions).toContain('Script:\nCall script for Paula Phone at Dial Co');
    expect(Math.abs(Date.parse(task?.dueAt ?? '') - Date.parse(task?.createdAt ?? ''))).toBeLessThan(1000);
  });

  it('lists by status and campaign, soonest due first; an OPEN task past its expiry is EXPIRED', async () => {
    // Prepare
    await storedTask('tasks-list', 'task-list-later', { dueAt: iso(Date.now() - HOUR) });
    await storedTask('tasks-list', 'task-list-sooner', { dueAt: iso(Date.now() - 2 * HOUR) });
    await storedTask('tasks-list', 'task-list-expired', { expiresAt: iso(Date.now() - 1000) });
    await storedTask('tasks-list', 'task-list-done', { status: 'DONE', outcome: 'done' });
    await storedTask('tasks-list-other', 'task-list-other');

    // Act
    const open = await listed('status=OPEN&campaignId=tasks-list');
    const expired = await listed('status=EXPIRED&campaignId=tasks-list');
    const done = await listed('status=DONE&campaignId=tasks-list');
    const everyOpen = await listed('');

    // Assess
    expect(open.map((task) => task.taskId)).toEqual(['task-list-sooner', 'task-list-later']);
    expect(expired.map((task) => [task.taskId, task.status])).toEqual([['task-list-expired', 'EXPIRED']]);
    expect(done.map((task) => task.taskId)).toEqual(['task-list-done']);
    expect(everyOpen.map((task) => task.taskId)).toEqual(
      expect.arrayContaining(['task-list-other', 'task-list-later']),
    );
    expect(everyOpen.map((task) => task.taskId)).not.toContain('task-list-expired');
  });

  it('pages with a cursor, and refuses a cursor of another listing', async () => {
    // Prepare
    for (const n of [1, 2, 3]) await storedTask('tasks-page', `task-page-${n}`, { dueAt: iso(Date.now() - n * HOUR) });

    // Act
    const first = await call({ method: 'GET', path: '/v1/tasks?campaignId=tasks-page&limit=2' });
    const cursor = encodeURIComponent(first.body.nextCursor);
    const second = await call({ method: 'GET', path: `/v1/tasks?campaignId=tasks-page&limit=2&cursor=${cursor}` });
    const elsewhere = await call({ method: 'GET', path: `/v1/tasks?status=DONE&cursor=${cursor}` });

    // Assess
    expect(first.body.items.map((task: ManualTask) => task.taskId)).toEqual(['task-page-3', 'task-page-2']);
    expect(second.body.items.map((task: ManualTask) => task.taskId)).toEqual(['task-page-1']);
    expectError(elsewhere, 400, 'validation_error');
  });
});

describe('POST /v1/tasks/{id}/complete', () => {
  it('closes an OPEN task once: done → DONE, a second completion is a 409, an unknown id a 404', async () => {
    // Prepare
    await storedTask('tasks-done', 'task-done-1');

    // Act
    const done = await call({
      method: 'POST',
      path: '/v1/tasks/task-done-1/complete',
      json: { outcome: 'done', note: 'spoke for 5 min' },
    });
    const again = await call({ method: 'POST', path: '/v1/tasks/task-done-1/complete', json: { outcome: 'skipped' } });
    const unknown = await call({ method: 'POST', path: '/v1/tasks/task-nobody/complete', json: { outcome: 'done' } });

    // Assess
    expect(done.status).toBe(200);
    expect(done.body.task).toMatchObject({
      taskId: 'task-done-1',
      status: 'DONE',
      outcome: 'done',
      note: 'spoke for 5 min',
    });
    expect(done.body.resumedExecutions).toEqual([]);
    expectError(again, 409, 'task_already_completed');
    expectError(unknown, 404, 'not_found');
    expect(await getTask('task-done-1')).toMatchObject({
      status: 'DONE',
      outcome: 'done',
      completedAt: expect.any(String),
    });
    expect((await listed('status=DONE&campaignId=tasks-done')).map((task) => task.taskId)).toEqual(['task-done-1']);
    expect(await listed('status=OPEN&campaignId=tasks-done')).toEqual([]);
  });

  it('skipped → SKIPPED; a wait that is over (its token no longer known) is removed, not an error', async () => {
    // Prepare
    const task = await storedTask('tasks-skip', 'task-skip-1');
    await staleWait(task, 'task_completed');

    // Act
    const skipped = await call({
      method: 'POST',
      path: '/v1/tasks/task-skip-1/complete',
      json: { outcome: 'skipped' },
    });

    // Assess
    expect(skipped.status).toBe(200);
    expect(skipped.body.task.status).toBe('SKIPPED');
    expect(skipped.body.resumedExecutions).toEqual([]);
    expect(await listWaits(task.leadId)).toEqual([]);
  });

  it('refuses a task whose step stopped waiting for it: 409 task_expired, nothing changes', async () => {
    // Prepare
    const task = await storedTask('tasks-expired', 'task-expired-1', { expiresAt: iso(Date.now() - 1000) });

    // Act
    const reply = await call({ method: 'POST', path: '/v1/tasks/task-expired-1/complete', json: { outcome: 'done' } });

    // Assess
    expectError(reply, 409, 'task_expired');
    expect((await getTask(task.taskId))?.status).toBe('OPEN');
    expect((await getLead(task.leadId))?.status).toBe('CONTACTED');
  });

  it('replied → the lead stops as after a reply (REPLIED), the task DONE', async () => {
    // Prepare
    const task = await storedTask('tasks-replied', 'task-replied-1');

    // Act
    const reply = await call({
      method: 'POST',
      path: '/v1/tasks/task-replied-1/complete',
      json: { outcome: 'replied' },
    });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body.task).toMatchObject({ status: 'DONE', outcome: 'replied' });
    expect(await getLead(task.leadId)).toMatchObject({ status: 'REPLIED', stopReason: 'replied' });
  });

  it('refuses an outcome it does not know', async () => {
    // Act
    const reply = await call({ method: 'POST', path: '/v1/tasks/task-any/complete', json: { outcome: 'maybe' } });

    // Assess
    expect(reply.status).toBe(400);
    expect(reply.body.error.details[0].field).toBe('outcome');
  });
});

describe('Wait For Person and the task it waits for', () => {
  const input = (task: ManualTask) => ({
    campaignId: task.campaignId,
    leadId: task.leadId,
    executionName: task.executionName ?? '',
    taskToken: `token-${task.taskId}`,
    stepIndex: 0,
    stepId: 'step-1',
    waitFor: { event: 'task_completed' as const, timeoutSeconds: 7200 },
  });

  it("notes the wait's expiry on the step's OPEN task", async () => {
    // Prepare
    const task = await storedTask('tasks-await', 'task-await-1');

    // Act
    const waiting = await awaitPerson(input(task));

    // Assess
    expect(waiting).toEqual({ waiting: 'task_completed' });
    const [wait] = await listWaits(task.leadId);
    expect((await getTask(task.taskId))?.expiresAt).toBe(wait?.expiresAt);
    expect(Date.parse(wait?.expiresAt ?? '') - Date.now()).toBeGreaterThan(7100_000);
  });

  it('goes on at once when the operator completed the task before the wait began', async () => {
    // Prepare
    const task = await storedTask('tasks-await-done', 'task-await-done-1');
    expect(
      (await call({ method: 'POST', path: `/v1/tasks/${task.taskId}/complete`, json: { outcome: 'done' } })).status,
    ).toBe(200);

    // Act
    const waiting = awaitPerson(input(task));

    // Assess
    await expect(waiting).rejects.toBeInstanceOf(PersonAlreadyAnsweredError);
  });
});

describe('POST /v1/webhooks/linkedin new_relation', () => {
  it("marks the lead CONNECTED and ends the lead's wait for the acceptance", async () => {
    // Prepare
    await local.stack.setSecret('CASCADE_LINKEDIN_WEBHOOK_SECRET', 'tasks-hook-secret');
    await putCampaign(testCampaign('tasks-invite'));
    const lead = testLead({
      leadId: 'tasks-invite-lead',
      campaignId: 'tasks-invite',
      linkedinProviderId: 'ACoAAinvite1',
      linkedinConnectionStatus: 'CONNECTION_REQUESTED',
    });
    await createLead(lead);
    await indexLinkedInProfile('ACoAAinvite1', lead.leadId, lead.campaignId);
    await staleWait(lead, 'invite_accepted');

    // Act
    const reply = await call({
      method: 'POST',
      path: '/v1/webhooks/linkedin',
      token: null,
      headers: { 'x-cascade-webhook-secret': 'tasks-hook-secret' },
      json: { event: 'new_relation', account_id: 'acct', user_provider_id: 'ACoAAinvite1' },
    });

    // Assess
    expect(reply.status).toBe(200);
    expect(reply.body.leads).toEqual([lead.leadId]);
    expect((await getLead(lead.leadId))?.linkedinConnectionStatus).toBe('CONNECTED');
    expect(await listWaits(lead.leadId)).toEqual([]);
  });
});
