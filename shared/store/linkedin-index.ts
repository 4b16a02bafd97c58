import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './client';
import { tableName } from './tables';

/** Pointer items `LINKEDIN#<providerId>` → lead, so provider webhooks (which name members by id) find leads. */
export async function indexLinkedInProfile(providerId: string, leadId: string, campaignId: string): Promise<void> {
  await documentClient().send(
    new PutCommand({
      TableName: tableName('leads'),
      Item: { pk: `LINKEDIN#${providerId}`, sk: `LEAD#${leadId}`, leadId, campaignId },
    }),
  );
}

export async function leadsForLinkedInProfile(providerId: string): Promise<{ leadId: string; campaignId: string }[]> {
  const result = await documentClient().send(
    new QueryCommand({
      TableName: tableName('leads'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `LINKEDIN#${providerId}` },
    }),
  );
  return (result.Items ?? []).map((item) => ({ leadId: String(item.leadId), campaignId: String(item.campaignId) }));
}
