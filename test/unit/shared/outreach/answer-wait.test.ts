import type { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { answerWaits, type TaskTokenClient, type WaitAnswer, type WaitRecords } from '#shared/outreach/answer-wait';
import type { PendingWait } from '#shared/store/waits';

/** Waits kept in memory, removed as the Outreach table removes them (only while they hold the token). */
class MemoryWaits implements WaitRecords {
  constructor(public waits: PendingWait[]) {}
  async listWaits(leadId: string) {
    return this.waits.filter((wait) => wait.leadId === leadId);
  }
  async deleteWait(gone: PendingWait) {
    const before = this.waits.length;
    this.waits = this.waits.filter(
      (wait) => !(wait.executionName === gone.executionName && wait.taskToken === gone.taskToken),
    );
    return this.waits.length < before;
  }
}

/** Step Functions' token API: records what it was sent; a token in `errors` answers that error's name. */
class FakeTokens implements TaskTokenClient {
  readonly sent: { taskToken?: string; output?: string }[] = [];
  constructor(private readonly errors: Record<string, string> = {}) {}
  async send(command: SendTaskSuccessCommand) {
    const { taskToken, output } = command.input;
    const name = this.errors[taskToken ?? ''];
    if (name) throw Object.assign(new Error(`${name} for ${taskToken}`), { name });
    this.sent.push({ taskToken, output });
    return {};
  }
}

const wait = (executionName: string, event: PendingWait['event'], fields: Partial<PendingWait> = {}): PendingWait => ({
  leadId: 'lead-1',
  campaignId: 'c',
  executionName,
  event,
  taskToken: `token-${executionName}`,
  stepId: 'step-2',
  stepIndex: 1,
  expiresAt: '2026-11-26T08:00:00.000Z',
  createdAt: '2026-11-24T08:00:00.000Z',
  ...fields,
});

const ACCEPTED: WaitAnswer = { outcome: 'SENT', reason: 'invite_accepted', channel: 'LINKEDIN' };

describe('answerWaits', () => {
  it("answers the lead's waits for the event with the answer as output, and removes them", async () => {
    // Prepare
    const store = new MemoryWaits([
      wait('run-a', 'invite_accepted'),
      wait('run-b', 'task_completed'),
      wait('run-c', 'invite_accepted', { leadId: 'lead-2' }),
    ]);
    const client = new FakeTokens();

    // Act
    const answered = await answerWaits('lead-1', 'invite_accepted', ACCEPTED, { client, store });

    // Assess
    expect(answered).toEqual([{ executionName: 'run-a', stepId: 'step-2', resumed: true }]);
    expect(client.sent).toEqual([{ taskToken: 'token-run-a', output: JSON.stringify(ACCEPTED) }]);
    expect(store.waits.map((each) => each.executionName)).toEqual(['run-b', 'run-c']);
  });

  it.each(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'])(
    'takes %s as "the wait is over": the record goes, nothing is thrown',
    async (error) => {
      // Prepare
      const store = new MemoryWaits([wait('run-a', 'task_completed')]);
      const client = new FakeTokens({ 'token-run-a': error });
      const answer: WaitAnswer = { outcome: 'STOP', reason: 'replied', channel: 'PHONE' };

      // Act
      const answered = await answerWaits('lead-1', 'task_completed', answer, { client, store });

      // Assess
      expect(answered).toEqual([{ executionName: 'run-a', stepId: 'step-2', resumed: false }]);
      expect(store.waits).toEqual([]);
    },
  );

  it('keeps the wait when Step Functions fails otherwise, so a retried event can answer it', async () => {
    // Prepare
    const store = new MemoryWaits([wait('run-a', 'invite_accepted')]);
    const client = new FakeTokens({ 'token-run-a': 'ThrottlingException' });

    // Act
    const answering = answerWaits('lead-1', 'invite_accepted', ACCEPTED, { client, store });

    // Assess
    await expect(answering).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(store.waits).toHaveLength(1);
  });

  it('answers only the waits `matches` accepts', async () => {
    // Prepare
    const store = new MemoryWaits([
      wait('run-a', 'task_completed', { stepIndex: 0 }),
      wait('run-b', 'task_completed', { stepIndex: 3 }),
    ]);
    const client = new FakeTokens();
    const answer: WaitAnswer = { outcome: 'SENT', reason: 'task_done', channel: 'PHONE' };

    // Act
    const answered = await answerWaits('lead-1', 'task_completed', answer, {
      client,
      store,
      matches: (each) => each.stepIndex === 3,
    });

    // Assess
    expect(answered.map((each) => each.executionName)).toEqual(['run-b']);
    expect(client.sent.map((each) => each.taskToken)).toEqual(['token-run-b']);
    expect(store.waits.map((each) => each.executionName)).toEqual(['run-a']);
  });

  it('answers nothing when the lead waits for nothing', async () => {
    // Prepare
    const client = new FakeTokens();

    // Act
    const answered = await answerWaits('lead-1', 'invite_accepted', ACCEPTED, { client, store: new MemoryWaits([]) });

    // Assess
    expect(answered).toEqual([]);
    expect(client.sent).toEqual([]);
  });
});
