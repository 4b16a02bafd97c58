import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '#functions/dispatch-webhooks/index';
import { isolateEnv } from '#test/support/env';

// Without a Config table, any message that reaches the store fails: our own failure, which the queue redelivers.
isolateEnv(['CASCADE_CONFIG_TABLE']);

const context = {
  functionName: 'DispatchWebhooksFunction',
  awsRequestId: 'test',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

const record = (messageId: string, body: string) => ({ messageId, body, receiptHandle: 'r', attributes: {} });

describe('dispatch-webhooks handler', () => {
  it('drops bodies it can never process, without failing them', async () => {
    // Prepare
    const event = {
      Records: [
        record('m1', 'not json'),
        record('m2', JSON.stringify({ detail: { type: 'lead.teleported' } })),
        record('m3', JSON.stringify({ kind: 'webhook.retry', attempt: 'two' })),
      ],
    };

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
  });

  it('reports the records whose processing failed, and only those', async () => {
    // Prepare
    const retry = { kind: 'webhook.retry', webhookId: 'wh_1', deliveryId: 'dlv_1', attempt: 2 };
    const envelope = {
      source: 'cascade',
      detail: { id: 'evt_1', type: 'message.sent', createdAt: '2026-03-02T10:00:00Z', campaignId: 'c', data: {} },
    };
    const event = {
      Records: [
        record('ok', 'poison'),
        record('retry', JSON.stringify(retry)),
        record('event', JSON.stringify(envelope)),
      ],
    };

    // Act
    const result = await handler(event, context);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'retry' }, { itemIdentifier: 'event' }] });
  });

  it('refuses an input that is neither an SQS batch nor the outbox sweep', async () => {
    // Act / Assess
    await expect(handler({ republishOutbox: 'yes' }, context)).rejects.toThrow(/invalid input/);
  });
});
