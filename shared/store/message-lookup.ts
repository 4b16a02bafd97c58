import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OutreachMessage } from '../domain/schemas';
import { documentClient, ifConditionHolds } from './client';
import { tableName } from './tables';

/** The message SES knows by its own message id (GSI byProviderMessageId). */
export async function findMessageByProviderId(providerMessageId: string): Promise<OutreachMessage | undefined> {
  const result = await documentClient().send(
    new QueryCommand({
      TableName: tableName('outreach'),
      IndexName: 'byProviderMessageId',
      KeyConditionExpression: 'providerMessageId = :id',
      ExpressionAttributeValues: { ':id': providerMessageId },
      Limit: 1,
    }),
  );
  return result.Items?.[0] as OutreachMessage | undefined;
}

/** Sets a timestamp-like field only the first time (a duplicate or late event never moves it). */
export async function setMessageFieldOnce(
  leadId: string,
  messageId: string,
  field: string,
  value: string,
): Promise<boolean> {
  const set = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('outreach'),
        Key: { pk: `LEAD#${leadId}`, sk: `MESSAGE#${messageId}` },
        UpdateExpression: 'SET #field = :value',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#field)',
        ExpressionAttributeNames: { '#field': field },
        ExpressionAttributeValues: { ':value': value },
      }),
    ),
  );
  return set !== undefined;
}

/**
 * Records what the provider told us about a message whatever its status (id, send time). The sender's own
 * record (`authoritative`) sets the send time; a provider event only fills it in when it is missing.
 */
export async function setMessageProviderFields(
  leadId: string,
  messageId: string,
  providerMessageId: string,
  sentAt: string,
  authoritative = false,
): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('outreach'),
      Key: { pk: `LEAD#${leadId}`, sk: `MESSAGE#${messageId}` },
      UpdateExpression: authoritative
        ? 'SET providerMessageId = if_not_exists(providerMessageId, :id), sentAt = :sentAt'
        : 'SET providerMessageId = if_not_exists(providerMessageId, :id), sentAt = if_not_exists(sentAt, :sentAt)',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':id': providerMessageId, ':sentAt': sentAt },
    }),
  );
}
