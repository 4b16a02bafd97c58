import { describe, expect, it } from 'vitest';
import type { ChannelResult } from '#shared/domain/outcome';
import { SequenceConfig } from '#shared/domain/schemas';
import { eventIdFor, eventOf } from '#shared/events/domain-events';
import { messageFact, replyFact, stepOfAttemptKey, taskFact } from '#shared/events/facts';
import { entryFor, eventKeyOf } from '#shared/events/publish';
import { runEndAfter, stepFacts } from '#shared/events/step-facts';
import { buildExecutionInput, type StepTaskInput } from '#shared/outreach/task-input';

/** The task input of step `index` of a sequence (first try), as the state machine hands it to a channel Task. */
function stepInput(steps: object[], index = 0): StepTaskInput {
  const { sequence } = buildExecutionInput('camp', 'lead-1', SequenceConfig.parse({ steps }));
  const step = sequence.steps[index];
  if (!step) throw new Error(`no step ${index}`);
  return {
    campaignId: 'camp',
    leadId: 'lead-1',
    executionName: 'camp--lead-1',
    maxTotalAttemptsPerLead: 10,
    steps: sequence.steps,
    cursor: {
      stepIndex: index,
      retriesUsed: 0,
      tryCount: 1,
      stepWaitDone: true,
      step,
      closedChannels: [],
      touched: false,
    },
  };
}

const sent = (channel: ChannelResult['channel']): ChannelResult => ({ outcome: 'SENT', channel, channelUsed: channel });

describe('event ids', () => {
  it('are the same for the same fact and differ by type and by fact', () => {
    // Act
    const id = eventIdFor('message.sent', 'msg_1');

    // Assess
    expect(id).toMatch(/^evt_[0-9a-f]{32}$/);
    expect(eventIdFor('message.sent', 'msg_1')).toBe(id);
    expect(eventIdFor('message.delivered', 'msg_1')).not.toBe(id);
    expect(eventIdFor('message.sent', 'msg_2')).not.toBe(id);
  });

  it('name a reply by its inbound message, so a second reply is a second event and a redelivery is not', () => {
    // Prepare
    const lead = { leadId: 'lead-1', campaignId: 'camp' };

    // Act
    const first = replyFact(lead, 'EMAIL', 'email:<a@x>', undefined, '2026-01-01T00:00:00.000Z');
    const again = replyFact(lead, 'EMAIL', 'email:<a@x>', undefined, '2026-01-02T00:00:00.000Z');
    const other = replyFact(lead, 'EMAIL', 'email:<b@x>', undefined, '2026-01-01T00:00:00.000Z');

    // Assess
    expect(eventOf(again).id).toBe(eventOf(first).id);
    expect(eventOf(other).id).not.toBe(eventOf(first).id);
    expect(JSON.stringify(eventOf(first))).not.toContain('a@x');
  });
});

describe('event bodies', () => {
  it('carry the message ids, step, variant and sender, and drop what is not known', () => {
    // Act
    const event = eventOf(
      messageFact('message.bounced', {
        messageId: 'msg_1',
        leadId: 'lead-1',
        campaignId: 'camp',
        channel: 'EMAIL',
        attemptKey: 'camp--lead-1#2#1',
        variantId: 'b',
        senderId: 'sender-1',
      }),
      '2026-01-01T00:00:00.000Z',
    );

    // Assess
    expect(event).toEqual({
      id: eventIdFor('message.bounced', 'msg_1'),
      type: 'message.bounced',
      createdAt: '2026-01-01T00:00:00.000Z',
      campaignId: 'camp',
      leadId: 'lead-1',
      data: { messageId: 'msg_1', channel: 'EMAIL', step: 2, variantId: 'b', senderId: 'sender-1' },
    });
    expect(eventKeyOf(event)).toEqual({ pk: 'LEAD#lead-1', sk: `EVENT#${event.id}` });
    expect(entryFor(event, 'bus')).toEqual({
      Source: 'cascade',
      DetailType: 'message.bounced',
      Detail: JSON.stringify(event),
      EventBusName: 'bus',
    });
  });

  it('keep a task event to its ids and codes', () => {
    // Act
    const fact = taskFact('task.created', {
      taskId: 'task_1',
      leadId: 'lead-1',
      campaignId: 'camp',
      kind: 'call',
      channel: 'PHONE',
      reason: 'phone_call',
      stepIndex: 1,
      dueAt: '2026-01-01T09:00:00.000Z',
      ...({ instructions: 'Call Pat on +49 30 1234', detail: 'Pat' } as object),
    });

    // Assess
    expect(fact.factKey).toBe('task_1');
    expect(Object.keys(fact.data).sort()).toEqual(['channel', 'dueAt', 'kind', 'reason', 'step', 'stepId', 'taskId']);
    expect(JSON.stringify(fact)).not.toMatch(/Pat|\+49/);
  });

  it('read the step from the attempt key', () => {
    expect(stepOfAttemptKey('camp--lead-1#0#3')).toBe(0);
    expect(stepOfAttemptKey('camp--lead-1--r1#4#1')).toBe(4);
    expect(stepOfAttemptKey('nonsense')).toBeUndefined();
    expect(stepOfAttemptKey(undefined)).toBeUndefined();
  });
});

describe('the run end after a channel Task', () => {
  it('is reached by a sent last step that needs no delivery check, wait or Mark Lead Contacted', () => {
    expect(runEndAfter(stepInput([{ channel: 'LINKEDIN' }]), sent('LINKEDIN'))).toBe('SUCCEEDED');
    // An email at the end is confirmed first: Check Delivery records the end.
    expect(runEndAfter(stepInput([{ channel: 'EMAIL' }]), sent('EMAIL'))).toBeUndefined();
    expect(runEndAfter(stepInput([{ channel: 'EMAIL', confirmDeliveryMinutes: 0 }]), sent('EMAIL'))).toBe('SUCCEEDED');
    // A touch the run goes on from: the next step, not the end.
    expect(
      runEndAfter(stepInput([{ channel: 'LINKEDIN', onSent: 'next' }, { channel: 'PHONE' }]), sent('LINKEDIN')),
    ).toBe(undefined);
  });

  it('is reached by every STOP, and not by a fallback at the end (Mark Lead Exhausted records that)', () => {
    const input = stepInput([{ channel: 'LINKEDIN' }]);
    expect(runEndAfter(input, { outcome: 'STOP', channel: 'LINKEDIN', reason: 'replied' })).toBe('STOPPED');
    expect(runEndAfter(input, { outcome: 'STOP', channel: 'LINKEDIN', reason: 'max_attempts_reached' })).toBe(
      'EXHAUSTED',
    );
    expect(runEndAfter(input, { outcome: 'FALLBACK', channel: 'LINKEDIN', reason: 'no_profile' })).toBeUndefined();
    expect(runEndAfter(input, { outcome: 'RETRY', channel: 'LINKEDIN', reason: 'invite_pending' })).toBeUndefined();
  });
});

describe('the facts of a finished try', () => {
  it('are the message sent and the run succeeded for a sent last step', () => {
    // Act
    const facts = stepFacts({
      input: stepInput([{ channel: 'LINKEDIN' }]),
      channel: 'LINKEDIN',
      attemptKey: 'camp--lead-1#0#1',
      result: sent('LINKEDIN'),
      messageStatus: 'SENT',
      messageId: 'msg_1',
      linkedinAccountId: 'acct-1',
    });

    // Assess
    expect(facts.map((fact) => [fact.type, fact.factKey])).toEqual([
      ['message.sent', 'msg_1'],
      ['sequence.completed', 'camp--lead-1'],
    ]);
    expect(facts[0]?.data).toMatchObject({
      messageId: 'msg_1',
      channel: 'LINKEDIN',
      step: 0,
      linkedinAccountId: 'acct-1',
    });
    expect(facts[1]?.data).toMatchObject({
      outcome: 'SUCCEEDED',
      executionName: 'camp--lead-1',
      channelUsed: 'LINKEDIN',
    });
  });

  it('are the lead stopped with its reason for a STOP, but nothing about the lead for a pause', () => {
    // Prepare
    const input = stepInput([{ channel: 'EMAIL' }]);
    const finished = (reason: ChannelResult['reason']) =>
      stepFacts({
        input,
        channel: 'EMAIL',
        attemptKey: 'k#0#1',
        result: { outcome: 'STOP', channel: 'EMAIL', reason },
      });

    // Act
    const unsubscribed = finished('unsubscribed');
    const paused = finished('lead_paused');
    const timedOut = finished('sequence_timeout');

    // Assess
    expect(unsubscribed.map((fact) => fact.type)).toEqual(['lead.stopped', 'sequence.completed']);
    expect(unsubscribed[0]?.data).toMatchObject({ reason: 'unsubscribed', executionName: 'camp--lead-1' });
    expect(paused.map((fact) => fact.type)).toEqual(['sequence.completed']);
    expect(timedOut.map((fact) => fact.type)).toEqual(['lead.exhausted', 'sequence.completed']);
  });

  it('include a failed message only when the try wrote it FAILED', () => {
    // Act
    const facts = stepFacts({
      input: stepInput([{ channel: 'EMAIL' }, { channel: 'LINKEDIN' }]),
      channel: 'EMAIL',
      attemptKey: 'k#0#1',
      result: { outcome: 'FALLBACK', channel: 'EMAIL', reason: 'invalid_address', messageId: 'msg_1' },
      messageStatus: 'FAILED',
      messageId: 'msg_1',
    });
    const skipped = stepFacts({
      input: stepInput([{ channel: 'EMAIL' }, { channel: 'LINKEDIN' }]),
      channel: 'EMAIL',
      attemptKey: 'k#0#1',
      result: { outcome: 'FALLBACK', channel: 'EMAIL', reason: 'form_spam_protected', messageId: 'msg_1' },
      messageStatus: 'SKIPPED',
      messageId: 'msg_1',
    });

    // Assess
    expect(facts.map((fact) => [fact.type, fact.data.reason])).toEqual([['message.failed', 'invalid_address']]);
    expect(skipped).toEqual([]);
  });
});
