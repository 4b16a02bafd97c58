import { describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '#local/synth';
import {
  TemplateResolver,
  templateEventBuses,
  templateEventSourceMappings,
  templateQueues,
  templateRules,
} from '#local/template';

/** The synthesized event delivery resources as the embedded stack reads them. */
const resolver = new TemplateResolver(synthesizeTemplate(), {
  apiUrl: 'http://127.0.0.1:8787',
  sqsUrl: 'http://127.0.0.1:4567',
});

describe('the template read for the event delivery twins', () => {
  it('resolves the custom bus to its name, and the webhook rule onto it with an SQS target', () => {
    // Act
    const buses = templateEventBuses(resolver);
    const rule = templateRules(resolver).find((each) => each.name.startsWith('EventDeliveryWebhookEvents'));
    const [busId] = resolver.ofType('AWS::Events::EventBus')[0] ?? [];
    const busArn = resolver.resolve({ 'Fn::GetAtt': [busId, 'Arn'] });

    // Assess
    expect(buses).toEqual([expect.stringMatching(/EventDeliveryBus/)]);
    expect(busArn).toBe(`arn:aws:events:us-east-1:000000000000:event-bus/${buses[0]}`);
    expect(rule?.eventBusName).toBe(buses[0]);
    expect(rule?.targets[0]?.arn).toMatch(/^arn:aws:sqs:us-east-1:000000000000:EventDeliveryQueue/);
    expect(resolver.resolve({ 'Fn::GetAtt': [rule?.name, 'Arn'] })).toBe(
      `arn:aws:events:us-east-1:000000000000:rule/${buses[0]}/${rule?.name}`,
    );
  });

  it('reads the delivery queue with its redrive policy, and the dispatcher mapping', () => {
    // Act
    const queues = templateQueues(resolver);
    const delivery = queues.find((queue) => queue.name.startsWith('EventDeliveryQueue'));
    const deadLetters = queues.find((queue) => queue.name.startsWith('EventDeliveryDeadLetters'));
    const [mapping] = templateEventSourceMappings(resolver);

    // Assess
    expect(delivery).toMatchObject({
      url: `http://127.0.0.1:4567/000000000000/${delivery?.name}`,
      visibilityTimeoutSeconds: 360,
      messageRetentionSeconds: 345_600,
      redrivePolicy: { deadLetterTargetArn: deadLetters?.arn, maxReceiveCount: 5 },
    });
    expect(mapping).toMatchObject({
      eventSourceArn: delivery?.arn,
      functionArn: expect.stringMatching(/:function:DispatchWebhooksFunction/),
      batchSize: 10,
      reportBatchItemFailures: true,
      maximumConcurrency: 5,
      enabled: true,
    });
  });

  it('parses the outbox sweep as a schedule on the default bus', () => {
    // Act
    const sweep = templateRules(resolver).find((each) => each.name.startsWith('EventDeliveryOutboxSweep'));

    // Assess
    expect(sweep).toMatchObject({
      eventBusName: 'default',
      scheduleExpression: 'rate(10 minutes)',
      targets: [{ input: '{"republishOutbox":true}' }],
    });
  });
});
