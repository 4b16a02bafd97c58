import { describe, expect, it } from 'vitest';
import { describeRequest } from '#local/aws-requests/describe';

const names = { accountId: '000000000000', region: 'us-east-1' };
const queue = 'arn:aws:sqs:us-east-1:000000000000:EventDeliveryQueue';

/** An SQS JSON-protocol call: `X-Amz-Target: AmazonSQS.<Operation>`, the body as JSON. */
const describeSqs = (operation: string, body: unknown) =>
  describeRequest(
    'sqs',
    {
      method: 'POST',
      path: '/',
      headers: { 'x-amz-target': `AmazonSQS.${operation}` },
      body: Buffer.from(JSON.stringify(body)),
    },
    names,
  );

describe('describeRequest for SQS', () => {
  it('authorizes a call on the queue its QueueUrl names, whatever the endpoint host', () => {
    // Act
    const send = describeSqs('SendMessage', {
      QueueUrl: 'http://127.0.0.1:4567/000000000000/EventDeliveryQueue',
      MessageBody: '{}',
    });
    const attributes = describeSqs('GetQueueAttributes', {
      QueueUrl: 'https://sqs.us-east-1.amazonaws.com/000000000000/EventDeliveryQueue',
    });

    // Assess
    expect(send).toEqual([{ action: 'sqs:SendMessage', resources: [queue] }]);
    expect(attributes).toEqual([{ action: 'sqs:GetQueueAttributes', resources: [queue] }]);
  });

  it('authorizes a batch as the action of its entries, GetQueueUrl on the named queue, ListQueues on *', () => {
    // Act
    const batch = describeSqs('SendMessageBatch', { QueueUrl: 'http://h/000000000000/EventDeliveryQueue' });
    const deletes = describeSqs('DeleteMessageBatch', { QueueUrl: 'http://h/000000000000/EventDeliveryQueue' });
    const url = describeSqs('GetQueueUrl', { QueueName: 'EventDeliveryQueue' });
    const list = describeSqs('ListQueues', {});
    const unnamed = describeSqs('SendMessage', { MessageBody: '{}' });

    // Assess
    expect(batch).toEqual([{ action: 'sqs:SendMessage', resources: [queue] }]);
    expect(deletes).toEqual([{ action: 'sqs:DeleteMessage', resources: [queue] }]);
    expect(url).toEqual([{ action: 'sqs:GetQueueUrl', resources: [queue] }]);
    expect(list).toEqual([{ action: 'sqs:ListQueues', resources: ['*'] }]);
    expect(unnamed).toEqual([{ action: 'sqs:SendMessage', resources: ['*'] }]);
  });
});
