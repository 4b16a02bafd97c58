import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqsError } from '#local/sqs/messages';
import { LocalSqs } from '#local/sqs/service';
import { ManualClock, settle } from './manual-clock';

const ARN = 'arn:aws:sqs:us-east-1:000000000000:';

/** A work queue redriving to a dead-letter queue after `maxReceiveCount` receives, on a manual clock. */
function queues(maxReceiveCount = 3) {
  const clock = new ManualClock();
  const sqs = new LocalSqs({ accountId: '000000000000', region: 'us-east-1', clock });
  const deadLetters = sqs.addQueue({ name: 'Dead', arn: `${ARN}Dead`, url: 'http://sqs/000000000000/Dead' });
  const work = sqs.addQueue({
    name: 'Work',
    arn: `${ARN}Work`,
    url: 'http://sqs/000000000000/Work',
    visibilityTimeoutSeconds: 360,
    messageRetentionSeconds: 3600,
    redrivePolicy: { deadLetterTargetArn: `${ARN}Dead`, maxReceiveCount },
  });
  return { clock, sqs, work, deadLetters };
}

describe('the SQS queue twin', () => {
  it('keeps a message sent with DelaySeconds invisible until it is due on the clock', async () => {
    // Prepare
    const { clock, work } = queues();
    work.send({ body: 'later', delaySeconds: 30 });

    // Act
    const early = work.receive(10);
    await clock.advance(29_999);
    const stillEarly = work.receive(10);
    const delayed = work.counts().delayed;
    await clock.advance(1);
    const due = work.receive(10);

    // Assess
    expect(early).toEqual([]);
    expect(stillEarly).toEqual([]);
    expect(delayed).toBe(1);
    expect(due.map((message) => message.body)).toEqual(['later']);
  });

  it('refuses a DelaySeconds outside 0..900 with the InvalidParameterValue SQS answers', () => {
    // Prepare
    const { work } = queues();

    // Act
    const refused = (() => {
      try {
        work.send({ body: 'x', delaySeconds: 901 });
      } catch (error) {
        return error as SqsError;
      }
    })();

    // Assess
    expect(refused).toBeInstanceOf(SqsError);
    expect(refused?.shape).toBe('InvalidParameterValue');
    expect(refused?.message).toBe(
      'Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.',
    );
    expect(work.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('hides a received message for the visibility timeout, then gives it again with a new receipt handle', async () => {
    // Prepare
    const { clock, work } = queues();
    const sent = work.send({ body: 'job' });

    // Act
    const [first] = work.receive();
    const during = work.receive();
    await clock.advance(360_000);
    const [second] = work.receive();
    work.delete(first?.receiptHandle as string);
    const afterStaleDelete = work.counts();
    work.delete(second?.receiptHandle as string);

    // Assess
    expect(first?.messageId).toBe(sent.messageId);
    expect(first?.md5OfBody).toBe(createHash('md5').update('job').digest('hex'));
    expect(during).toEqual([]);
    expect(second?.messageId).toBe(sent.messageId);
    expect(second?.receiveCount).toBe(2);
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
    // The first receive's handle no longer deletes it; the latest does.
    expect(afterStaleDelete.inFlight).toBe(1);
    expect(work.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('moves a message to the dead-letter queue on the receive after maxReceiveCount receives', async () => {
    // Prepare
    const { clock, work, deadLetters } = queues(3);
    const sent = work.send({ body: 'poison' });

    // Act
    const counts: number[] = [];
    for (let receive = 0; receive < 3; receive++) {
      counts.push(...work.receive().map((message) => message.receiveCount));
      await clock.advance(360_000);
    }
    const fourth = work.receive();
    const [dead] = deadLetters.receive();

    // Assess
    expect(counts).toEqual([1, 2, 3]);
    expect(fourth).toEqual([]);
    expect(work.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    expect(dead?.messageId).toBe(sent.messageId);
    expect(dead?.body).toBe('poison');
    expect(dead?.receiveCount).toBe(1);
    expect(dead?.deadLetterSourceArn).toBe(`${ARN}Work`);
  });

  it('drops messages older than the retention period', async () => {
    // Prepare
    const { clock, work } = queues();
    work.send({ body: 'old' });
    await clock.advance(1_800_000);
    work.send({ body: 'young' });

    // Act
    await clock.advance(1_800_000);
    const left = work.receive(10);

    // Assess
    expect(left.map((message) => message.body)).toEqual(['young']);
  });

  it('finds queues by URL and name, and answers QueueDoesNotExist for any other', () => {
    // Prepare
    const { sqs } = queues();

    // Act
    const byUrl = sqs.byUrl('http://127.0.0.1:9/000000000000/Work').name;
    const missing = [
      () => sqs.byUrl('http://127.0.0.1:9/000000000000/Nope'),
      () => sqs.byUrl('http://127.0.0.1:9/111111111111/Work'),
      () => sqs.byName('Nope'),
    ].map((lookup) => {
      try {
        lookup();
      } catch (error) {
        return [(error as SqsError).shape, (error as SqsError).queryCode];
      }
      return 'found';
    });

    // Assess
    expect(byUrl).toBe('Work');
    for (const each of missing) expect(each).toEqual(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);
  });

  it('keeps its messages in the data directory for the next run (a queued retry survives a restart)', async () => {
    // Prepare
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cascade-sqs-'));
    const clock = new ManualClock();
    const config = { name: 'Work', arn: `${ARN}Work`, url: 'http://sqs/000000000000/Work' };
    const before = new LocalSqs({ accountId: '000000000000', region: 'us-east-1', clock, dataDir });
    const sent = before.addQueue(config).send({ body: 'retry later', delaySeconds: 600 });
    await settle();

    try {
      // Act
      const restarted = new LocalSqs({ accountId: '000000000000', region: 'us-east-1', clock, dataDir });
      const after = restarted.addQueue(config);
      const early = after.receive();
      await clock.advance(600_000);
      const [due] = after.receive();
      await restarted.drain();

      // Assess
      expect(early).toEqual([]);
      expect(due?.messageId).toBe(sent.messageId);
      expect(due?.body).toBe('retry later');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
