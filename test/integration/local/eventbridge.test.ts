import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalEventBridge, type LocalEventBridgeOptions } from '#local/eventbridge/bus';
import { startEventBridgePeer } from '#local/eventbridge/peer';
import type { EventEnvelope, LocalRule } from '#local/eventbridge/rules';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const fn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;

const ORDERS_RULE: LocalRule = {
  name: 'BigOrders',
  eventBusName: 'default',
  state: 'ENABLED',
  eventPattern: {
    source: ['cascade.test'],
    'detail-type': ['Order Placed'],
    detail: { total: [{ numeric: ['>', 100] }] },
  },
  targets: [
    { id: 'whole', arn: fn('big-orders') },
    { id: 'detail', arn: fn('order-details'), inputPath: '$.detail' },
    { id: 'constant', arn: fn('order-constant'), input: '{"kind":"order"}' },
  ],
};
const CANCELLED_RULE: LocalRule = {
  name: 'Cancelled',
  eventBusName: 'default',
  state: 'ENABLED',
  eventPattern: { source: ['cascade.test'], 'detail-type': ['Order Cancelled'] },
  targets: [{ id: 'cancelled', arn: fn('cancelled') }],
};
const DISABLED_RULE: LocalRule = {
  ...ORDERS_RULE,
  name: 'Disabled',
  state: 'DISABLED',
  targets: [{ id: 'off', arn: fn('off') }],
};
const SES_RULE: LocalRule = {
  name: 'SesEvents',
  eventBusName: 'default',
  state: 'ENABLED',
  eventPattern: { source: ['aws.ses'], detail: { mail: { tags: { 'ses:configuration-set': ['cascade-cs'] } } } },
  targets: [{ id: 'ses', arn: fn('ses-events') }],
};
const BATCH_RULE: LocalRule = {
  name: 'BatchSchedule',
  eventBusName: 'default',
  state: 'ENABLED',
  scheduleExpression: 'cron(0 8-17 ? * MON-FRI *)',
  targets: [
    { id: 'launch', arn: fn('launch-batch'), input: '{"allActiveCampaigns":true}', retryAttempts: 8 },
    { id: 'envelope', arn: fn('schedule-audit') },
  ],
};

/** A bus whose targets record what they are given; `fail` decides, per call, whether a delivery fails. */
function recordingBus(options: Partial<LocalEventBridgeOptions> & { fail?: (arn: string, call: number) => boolean }) {
  const calls: { arn: string; payload: unknown }[] = [];
  const bus = new LocalEventBridge({
    accountId: ACCOUNT,
    region: REGION,
    rules: [ORDERS_RULE, CANCELLED_RULE, DISABLED_RULE, SES_RULE, BATCH_RULE],
    retryDelayMs: 5,
    invoke: async (arn, payload) => {
      calls.push({ arn, payload });
      if (options.fail?.(arn, calls.filter((c) => c.arn === arn).length)) throw new Error(`${arn} is throttled`);
    },
    ...options,
  });
  return { bus, calls, payloadsFor: (arn: string) => calls.filter((c) => c.arn === arn).map((c) => c.payload) };
}

/** The error a call fails with (an SDK error carries the HTTP status in `$metadata`). */
async function failureOf(call: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded');
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function peerClient(bus: LocalEventBridge): Promise<EventBridgeClient> {
  const peer = await startEventBridgePeer(bus);
  closers.push(peer.close);
  const client = new EventBridgeClient({
    endpoint: peer.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  });
  closers.push(async () => client.destroy());
  return client;
}

describe('LocalEventBridge through its JSON 1.1 peer', () => {
  it("routes an SDK PutEvents to the matching rule's targets only, in EventBridge's envelope", async () => {
    // Prepare
    const { bus, calls, payloadsFor } = recordingBus({});
    const client = await peerClient(bus);
    const time = new Date('2026-11-27T10:15:30.456Z');

    // Act
    const output = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'cascade.test',
            DetailType: 'Order Placed',
            Detail: '{"total":250}',
            Time: time,
            Resources: ['r1'],
          },
          { Source: 'cascade.test', DetailType: 'Order Placed', Detail: '{"total":50}' },
          { Source: 'aws.ses', DetailType: 'Email Delivered', Detail: '{}' },
          { Source: 'cascade.test', DetailType: 'Order Placed', Detail: '[1]' },
        ],
      }),
    );
    await bus.drain();

    // Assess
    expect(output.FailedEntryCount).toBe(2);
    expect(output.Entries?.[2]).toEqual({
      ErrorCode: 'NotAuthorizedForSourceException',
      ErrorMessage: expect.any(String),
    });
    expect(output.Entries?.[3]?.ErrorCode).toBe('MalformedDetail');
    expect(payloadsFor(fn('big-orders'))).toEqual([
      {
        version: '0',
        id: output.Entries?.[0]?.EventId,
        'detail-type': 'Order Placed',
        source: 'cascade.test',
        account: ACCOUNT,
        time: '2026-11-27T10:15:30Z',
        region: REGION,
        resources: ['r1'],
        detail: { total: 250 },
      },
    ]);
    expect(payloadsFor(fn('order-details'))).toEqual([{ total: 250 }]);
    expect(payloadsFor(fn('order-constant'))).toEqual([{ kind: 'order' }]);
    expect(calls.map((c) => c.arn)).not.toContain(fn('cancelled'));
    expect(calls.map((c) => c.arn)).not.toContain(fn('off'));
  });

  it('delivers an AWS service envelope put on the default bus (as SES does) by its pattern', async () => {
    // Prepare
    const { bus, payloadsFor } = recordingBus({});
    const envelope = (configurationSet: string): EventEnvelope => ({
      version: '0',
      id: 'a1b2c3d4-0000-4000-8000-000000000000',
      'detail-type': 'Email Delivered',
      source: 'aws.ses',
      account: ACCOUNT,
      time: '2026-11-27T10:15:30Z',
      region: REGION,
      resources: [],
      detail: { mail: { tags: { 'ses:configuration-set': [configurationSet] } } },
    });

    // Act
    const ours = bus.deliver(envelope('cascade-cs'));
    const theirs = bus.deliver(envelope('another-cs'));
    await bus.drain();

    // Assess
    expect(ours.map((rule) => rule.name)).toEqual(['SesEvents']);
    expect(theirs).toEqual([]);
    expect(payloadsFor(fn('ses-events'))).toEqual([envelope('cascade-cs')]);
  });

  it('retries a failing delivery, then hands the event to the dead-letter handler', async () => {
    // Prepare
    const deadLetters: unknown[][] = [];
    const cancelled = { id: 'cancelled', arn: fn('cancelled'), retryAttempts: 2, deadLetterArn: 'arn:aws:sqs:::dlq' };
    const { bus, payloadsFor } = recordingBus({
      rules: [ORDERS_RULE, { ...CANCELLED_RULE, targets: [cancelled] }],
      fail: (arn, call) => arn === fn('cancelled') || (arn === fn('big-orders') && call === 1),
      onDeadLetter: (rule, target, payload, error) => deadLetters.push([rule.name, target, payload, error]),
    });

    // Act
    bus.putEvents([
      { Source: 'cascade.test', DetailType: 'Order Cancelled', Detail: '{"order":"o-1"}' },
      { Source: 'cascade.test', DetailType: 'Order Placed', Detail: '{"total":500}' },
    ]);
    await bus.drain();

    // Assess: 1 + 2 attempts, then the dead letter; a target that recovers on its retry has none.
    expect(payloadsFor(fn('cancelled'))).toHaveLength(3);
    expect(deadLetters).toEqual([
      ['Cancelled', cancelled, expect.objectContaining({ detail: { order: 'o-1' } }), expect.any(Error)],
    ]);
    expect(payloadsFor(fn('big-orders'))).toHaveLength(2);
  });

  it('answers PutEvents before a slow target has finished', async () => {
    // Prepare
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let finished = false;
    const bus = new LocalEventBridge({
      accountId: ACCOUNT,
      region: REGION,
      rules: [CANCELLED_RULE],
      invoke: async () => {
        await released;
        finished = true;
      },
    });

    // Act
    const output = bus.putEvents([{ Source: 'cascade.test', DetailType: 'Order Cancelled', Detail: '{}' }]);
    const finishedWhenAnswered = finished;
    release();
    await bus.drain();

    // Assess
    expect(output.FailedEntryCount).toBe(0);
    expect(finishedWhenAnswered).toBe(false);
    expect(finished).toBe(true);
  });

  it('fires a schedule rule with the Scheduled Event envelope; constant Input replaces it', async () => {
    // Prepare: Friday 16:30 to 18:00 UTC holds one fire of the 08-17 weekday schedule, at 17:00.
    const { bus, payloadsFor } = recordingBus({});

    // Act
    const fired = bus.fireSchedules(Date.parse('2026-11-27T16:30:00Z'), Date.parse('2026-11-27T18:00:00Z'));
    await bus.drain();

    // Assess
    expect(fired).toBe(1);
    expect(payloadsFor(fn('launch-batch'))).toEqual([{ allActiveCampaigns: true }]);
    expect(payloadsFor(fn('schedule-audit'))).toEqual([
      {
        version: '0',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: ACCOUNT,
        time: '2026-11-27T17:00:00Z',
        region: REGION,
        resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/BatchSchedule`],
        detail: {},
      },
    ]);
  });

  it('drives the schedule rules from a clock it is given', async () => {
    // Prepare
    const { bus, payloadsFor } = recordingBus({});
    let clock = Date.parse('2026-11-30T07:59:00Z');
    const stop = bus.startSchedules(() => clock);
    closers.push(async () => stop());

    // Act
    clock = Date.parse('2026-11-30T09:30:00Z');

    // Assess: 08:00 and 09:00 have passed.
    await vi.waitFor(() => expect(payloadsFor(fn('launch-batch'))).toHaveLength(2), { timeout: 3000 });
  });

  it('describes its rules and targets, and tests patterns, in AWS shapes', async () => {
    // Prepare
    const { bus } = recordingBus({});
    const client = await peerClient(bus);

    // Act
    const rules = await client.send(new ListRulesCommand({ NamePrefix: 'B' }));
    const rule = await client.send(new DescribeRuleCommand({ Name: 'BatchSchedule' }));
    const targets = await client.send(new ListTargetsByRuleCommand({ Rule: 'BatchSchedule' }));
    const test = await client.send(
      new TestEventPatternCommand({
        EventPattern: JSON.stringify({ source: [{ prefix: 'cascade.' }] }),
        Event: JSON.stringify({
          id: '1',
          account: ACCOUNT,
          source: 'cascade.test',
          time: 't',
          region: REGION,
          resources: [],
          'detail-type': 'x',
        }),
      }),
    );
    const missing = await failureOf(client.send(new DescribeRuleCommand({ Name: 'Nope' })));
    const invalid = await failureOf(
      client.send(new TestEventPatternCommand({ EventPattern: '{"source":"x"}', Event: '{}' })),
    );

    // Assess
    expect(rules.Rules?.map((r) => r.Name)).toEqual(['BigOrders', 'BatchSchedule']);
    expect(rule).toMatchObject({
      Name: 'BatchSchedule',
      Arn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/BatchSchedule`,
      ScheduleExpression: 'cron(0 8-17 ? * MON-FRI *)',
      State: 'ENABLED',
      EventBusName: 'default',
    });
    expect(targets.Targets?.[0]).toEqual({
      Id: 'launch',
      Arn: fn('launch-batch'),
      Input: '{"allActiveCampaigns":true}',
      RetryPolicy: { MaximumRetryAttempts: 8 },
    });
    expect(test.Result).toBe(true);
    expect(missing.name).toBe('ResourceNotFoundException');
    expect(invalid.name).toBe('InvalidEventPatternException');
  });

  it('asks authorize first and refuses with AccessDeniedException', async () => {
    // Prepare
    const seen: { authorization?: string; body: string }[] = [];
    const { bus, calls } = recordingBus({
      authorize: async (headers, body) => {
        seen.push({ authorization: headers.authorization, body: body.toString() });
        return 'User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: events:PutEvents';
      },
    });
    const client = await peerClient(bus);

    // Act
    const error = await failureOf(
      client.send(
        new PutEventsCommand({ Entries: [{ Source: 'cascade.test', DetailType: 'Order Cancelled', Detail: '{}' }] }),
      ),
    );
    await bus.drain();

    // Assess
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toMatch(/not authorized to perform: events:PutEvents/);
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(seen[0]?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\//);
    expect(JSON.parse(seen[0]?.body ?? '{}').Entries).toHaveLength(1);
    expect(calls).toEqual([]);
  });
});

/** The AWS CLI, when this machine has one (it is not a project dependency). */
const awsCli = (() => {
  try {
    execFileSync('aws', ['--version'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!awsCli)('LocalEventBridge with the stock AWS CLI', () => {
  it('accepts aws events put-events', async () => {
    // Prepare
    const { bus, payloadsFor } = recordingBus({});
    const peer = await startEventBridgePeer(bus);
    closers.push(peer.close);
    const entries = [{ Source: 'cascade.test', DetailType: 'Order Placed', Detail: '{"total":101}' }];
    // Only made-up credentials and no config files: the CLI must not pick up anyone's real ones.
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    };

    // Act
    const { stdout } = await promisify(execFile)(
      'aws',
      [
        '--endpoint-url',
        peer.endpoint,
        'events',
        'put-events',
        '--entries',
        JSON.stringify(entries),
        '--output',
        'json',
      ],
      { env, timeout: 60_000 },
    );
    await bus.drain();

    // Assess
    expect(JSON.parse(stdout)).toEqual({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    expect(payloadsFor(fn('order-details'))).toEqual([{ total: 101 }]);
  });
});
