import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '#cli/serve';
import type { ManualTask } from '#shared/domain/schemas';
import { createLead, getLead, putCampaign } from '#shared/store/leads';
import { putManualTask } from '#shared/store/tasks';
import { cascadeAgainst, errorLines } from '#test/support/cli';
import { testCampaign, testLead } from '#test/support/fixtures';

/** `cascade tasks list|done|skip` as subprocesses against an API served by this process (PRODUCT.md §7). */

const TOKEN = 'tasks-cli-test-token';
let server: ApiServer;
const cascade = cascadeAgainst(() => ({ url: server.url, token: TOKEN }));

const HOUR = 3_600_000;

async function openTask(taskId: string, dueHoursAgo: number, kind: ManualTask['kind'] = 'call'): Promise<void> {
  const leadId = `${taskId}-lead`;
  await createLead(testLead({ leadId, campaignId: 'tasks-cli', firstName: 'Cleo', status: 'CONTACTED' }));
  const at = new Date(Date.now() - dueHoursAgo * HOUR).toISOString();
  await putManualTask({
    taskId,
    leadId,
    campaignId: 'tasks-cli',
    kind,
    status: 'OPEN',
    instructions:
      kind === 'call' ? 'Call Cleo on +1 555 0199.\n\nScript: …' : 'Send the contact form at https://x.example',
    dueAt: at,
    createdAt: at,
  });
}

beforeAll(async () => {
  server = await startApiServer({ port: 0, token: TOKEN });
  await putCampaign(testCampaign('tasks-cli'));
  await openTask('task-cli-call', 2);
  await openTask('task-cli-form', 1, 'form');
  await openTask('task-cli-replied', 3);
}, 60_000);

afterAll(async () => {
  await server?.close();
});

describe('cascade tasks', () => {
  it('list prints the OPEN tasks, soonest due first, one line each with what to do', async () => {
    // Act
    const run = await cascade(['tasks', 'list', '--campaign', 'tasks-cli']);

    // Assess
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^task\s+kind\s+status\s+lead\s+campaign\s+due\s+what$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/).slice(0, 3))).toEqual([
      ['task-cli-replied', 'call', 'OPEN'],
      ['task-cli-call', 'call', 'OPEN'],
      ['task-cli-form', 'form', 'OPEN'],
    ]);
    expect(lines[2]).toContain('Call Cleo on +1 555 0199.');
    expect(lines[2]).not.toContain('Script');
  });

  it('done closes a task once; a second time is a one-line error naming the conflict', async () => {
    // Act
    const done = await cascade(['tasks', 'done', 'task-cli-call', '--note', 'left a voicemail']);
    const again = await cascade(['tasks', 'done', 'task-cli-call']);

    // Assess
    expect(done.code).toBe(0);
    expect(done.stdout.trim()).toBe('task task-cli-call DONE (done)');
    expect(again.code).not.toBe(0);
    expect(errorLines(again)).toEqual([expect.stringContaining('task_already_completed')]);
  });

  it('skip closes a task SKIPPED (--json prints the API answer)', async () => {
    // Act
    const run = await cascade(['tasks', 'skip', 'task-cli-form', '--json']);

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      task: { taskId: 'task-cli-form', status: 'SKIPPED', outcome: 'skipped' },
      resumedExecutions: [],
    });
  });

  it('done --replied stops the lead as a reply does', async () => {
    // Act
    const run = await cascade(['tasks', 'done', 'task-cli-replied', '--replied']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe('task task-cli-replied DONE (replied): lead task-cli-replied-lead REPLIED');
    expect((await getLead('task-cli-replied-lead'))?.status).toBe('REPLIED');
  });

  it('list --status DONE --json lists the closed ones; a status it does not know is refused before any call', async () => {
    // Act
    const done = await cascade(['tasks', 'list', '--status', 'done', '--campaign', 'tasks-cli', '--json']);
    const bad = await cascade(['tasks', 'list', '--status', 'later']);
    const none = await cascade(['tasks', 'list', '--campaign', 'tasks-cli']);

    // Assess
    expect(done.code).toBe(0);
    expect(
      JSON.parse(done.stdout)
        .items.map((task: ManualTask) => task.taskId)
        .sort(),
    ).toEqual(['task-cli-call', 'task-cli-replied']);
    expect(errorLines(bad)).toEqual([
      expect.stringContaining('--status "later" is not one of OPEN, EXPIRED, DONE, SKIPPED'),
    ]);
    expect(none.stdout.trim()).toBe('no OPEN tasks');
  });
});
