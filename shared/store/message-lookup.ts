import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { OutreachMessage } from '../domain/schemas';
import { documentClient, ifConditionHolds } from './client';
import { listLeadMessages } from './outreach';
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

/** Statuses of a message the person received (a bounced or failed one is no thread to answer). */
const RECEIVED: ReadonlySet<OutreachMessage['status']> = new Set(['SENT', 'DELIVERED', 'REPLIED']);

/** The mail headers the email adapter records on a message it sends, for a later follow-up in its thread. */
export interface SentMailHeaders {
  /** The From line it went out with. */
  fromHeader: string;
  /** The subject it went out with (a reply's `Re: …`, where the message's own subject is its step's). */
  subjectHeader: string;
  /** The References it carried, when it answered an earlier mail. */
  referencesHeader?: string;
}

/**
 * The lead's latest message in this campaign sent by the step `stepId` that reached them (SENT, DELIVERED,
 * REPLIED), with the headers recorded with it; undefined when that step never sent to this lead.
 */
export async function findSentStepMessage(
  leadId: string,
  campaignId: string,
  stepId: string,
): Promise<(OutreachMessage & Partial<SentMailHeaders>) | undefined> {
  const sent = (await listLeadMessages(leadId)).filter(
    (message) => message.campaignId === campaignId && message.stepId === stepId && RECEIVED.has(message.status),
  );
  const sentTime = (message: OutreachMessage) => message.sentAt ?? message.createdAt;
  return sent.reduce<OutreachMessage | undefined>(
    (latest, message) => (!latest || sentTime(message) > sentTime(latest) ? message : latest),
    undefined,
  );
}

/** Records the headers a message is about to go out with (only on a message that exists). */
export async function setSentMailHeaders(leadId: string, messageId: string, headers: SentMailHeaders): Promise<void> {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName('outreach'),
      Key: { pk: `LEAD#${leadId}`, sk: `MESSAGE#${messageId}` },
      UpdateExpression: `SET fromHeader = :from, subjectHeader = :subject${
        headers.referencesHeader ? ', referencesHeader = :references' : ''
      }`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: {
        ':from': headers.fromHeader,
        ':subject': headers.subjectHeader,
        ...(headers.referencesHeader && { ':references': headers.referencesHeader }),
      },
    }),
  );
}
