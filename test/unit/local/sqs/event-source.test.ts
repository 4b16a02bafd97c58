import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventSourceMappingConfig } from '#local/sqs/event-source';
import { LocalSqs } from '#local/sqs/service';
import { ManualClock, settle } from './manual-clock';

const ARN = 'arn:aws:sqs:us-east-1:000000000000:';
const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:Dispatcher';

interface SqsRecord {
  messageId: string;
  body: string;
  md5OfBody: string;
  eventSource: string;
  eventSourceARN: string;
  awsRegion: string;
  attributes: Record<string, string>;
}

/** A queue (visibility 60 s, redrive after 2 receives) polled by a mapping whose function answers with `handler`. */
function polled(handler: (records: SqsRecord[]) => Promise<unknown>, mapping: Partial<EventSourceMappingConfig> = {}) {
  const clock = new ManualClock();
  const sqs = new LocalSqs({ accountId: '000000000000', region: 'us-east-1', clock });
  const deadLetters = sqs.addQueue({ name: 'Dead', arn: `${ARN}Dead`, url: 'http://sqs/000000000000/Dead' });
  const queue = sqs.addQueue({
    name: 'Work',
    arn: `${ARN}Work`,
    url: 'http://sqs/000000000000/Work',
    visibilityTimeoutSeconds: 60,
    redrivePolicy: { deadLetterTargetArn: `${ARN}Dead`, maxReceiveCount: 2 },
  });
  const batches: SqsRecord[][] = [];
  sqs.addEventSourceMapping(
    {
      id: 'Mapping',
      eventSourceArn: `${ARN}Work`,
      functionArn: FUNCTION,
      batchSize: 10,
      maximumBatchingWindowSeconds: 0,
      reportBatchItemFailures: true,
      enabled: true,
      ...mapping,
    },
    async (functionArn, event) => {
      expect(functionArn).toBe(FUNCTION);
      const records = event.Records as SqsRecord[];
      batches.push(records);
      return handler(records);
    },
  );
  return { clock, sqs, queue, deadLetters, batches };
}

const bodies = (batches: SqsRecord[][]) => batches.map((batch) => batch.map((record) => record.body));

describe('the SQS event source mapping twin', () => {
  it('invokes the function with SQS records at once and deletes the batch it handled', async () => {
    // Prepare
    const { queue, batches } = polled(async () => ({ batchItemFailures: [] }));

    // Act
    const sent = queue.send({ body: '{"n":1}' });
    await settle();

    // Assess
    expect(batches).toHaveLength(1);
    const [record] = batches[0] ?? [];
    expect(record).toMatchObject({
      messageId: sent.messageId,
      body: '{"n":1}',
      md5OfBody: createHash('md5').update('{"n":1}').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: `${ARN}Work`,
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(queue.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('hands over batches of at most BatchSize messages', async () => {
    // Prepare
    const { queue, batches } = polled(async () => ({}), { batchSize: 4 });

    // Act
    for (let n = 0; n < 10; n++) queue.send({ body: `m${n}` });
    await settle();

    // Assess
    expect(batches.map((batch) => batch.length)).toEqual([4, 4, 2]);
    expect(bodies(batches).flat()).toHaveLength(10);
  });

  it('returns only the reported batch item failures to the queue, after the visibility timeout', async () => {
    // Prepare
    const { clock, queue, batches } = polled(async (records) => ({
      batchItemFailures: records
        .filter((record) => record.body === 'fails')
        .map((r) => ({ itemIdentifier: r.messageId })),
    }));
    queue.send({ body: 'ok' });
    queue.send({ body: 'fails' });
    await settle();

    // Act
    const beforeTimeout = queue.counts();
    await clock.advance(60_000);

    // Assess
    expect(beforeTimeout).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    expect(bodies(batches)).toEqual([['ok', 'fails'], ['fails']]);
    expect(batches[1]?.[0]?.attributes.ApproximateReceiveCount).toBe('2');
  });

  it('returns the whole batch when the invocation fails or names an item not in the batch', async () => {
    // Prepare
    let answer: () => unknown = () => {
      throw new Error('crash');
    };
    const { clock, queue, batches } = polled(async () => answer());
    queue.send({ body: 'a' });
    queue.send({ body: 'b' });
    await settle();

    // Act
    answer = () => ({ batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] });
    await clock.advance(60_000);
    const afterUnreadableAnswer = queue.counts();

    // Assess
    expect(bodies(batches)).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(afterUnreadableAnswer).toEqual({ visible: 0, inFlight: 2, delayed: 0 });
  });

  it('lets the redrive policy move a message the function keeps failing to the dead-letter queue', async () => {
    // Prepare
    const { clock, queue, deadLetters, batches } = polled(async (records) => ({
      batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })),
    }));
    const sent = queue.send({ body: 'poison' });
    await settle();

    // Act
    await clock.advance(60_000);
    await clock.advance(60_000);
    const [dead] = deadLetters.receive();

    // Assess
    expect(batches).toHaveLength(2);
    expect(dead?.messageId).toBe(sent.messageId);
    expect(queue.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('keeps at most MaximumConcurrency batches in flight, and drain waits for them', async () => {
    // Prepare
    const releases: (() => void)[] = [];
    let running = 0;
    let most = 0;
    const { sqs, queue, batches } = polled(
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
        return {};
      },
      { batchSize: 1, maximumConcurrency: 2 },
    );
    for (let n = 0; n < 5; n++) queue.send({ body: `m${n}` });
    await settle();

    // Act
    const inFlightAtFirst = batches.length;
    let drained = false;
    const draining = sqs.drain().then(() => {
      drained = true;
    });
    while (batches.length < 5 || releases.length > 0) {
      releases.shift()?.();
      await settle();
    }
    await draining;

    // Assess
    expect(inFlightAtFirst).toBe(2);
    expect(most).toBe(2);
    expect(drained).toBe(true);
    expect(bodies(batches).flat().sort()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(queue.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('gathers messages for MaximumBatchingWindowInSeconds when fewer than a batch are waiting', async () => {
    // Prepare
    const { clock, queue, batches } = polled(async () => ({}), { batchSize: 3, maximumBatchingWindowSeconds: 5 });
    queue.send({ body: 'a' });
    await settle();

    // Act
    const duringWindow = batches.length;
    await clock.advance(2_000);
    queue.send({ body: 'b' });
    await settle();
    await clock.advance(3_000);

    // Assess
    expect(duringWindow).toBe(0);
    expect(bodies(batches)).toEqual([['a', 'b']]);
  });

  it('waits for a delayed message and delivers it once due', async () => {
    // Prepare
    const { clock, queue, batches } = polled(async () => ({}));
    queue.send({ body: 'retry', delaySeconds: 900 });
    await settle();

    // Act
    const early = batches.length;
    await clock.advance(900_000);

    // Assess
    expect(early).toBe(0);
    expect(bodies(batches)).toEqual([['retry']]);
  });
});
