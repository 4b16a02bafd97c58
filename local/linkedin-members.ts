import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { publicIdentifierFrom } from '#shared/channels/linkedin/provider-client';
import type { Lead } from '#shared/domain/schemas';
import { documentClient } from '#shared/store/client';
import { tableName } from '#shared/store/tables';

/**
 * A LinkedIn member as the stored leads describe it: the relation imported with the lead whose profile URL it
 * is. The LinkedIn sandbox asks this (read as the operator) for members it was not seeded with.
 */
export async function linkedinMemberFromLeads(publicIdentifier: string) {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: tableName('leads'),
        FilterExpression: 'attribute_exists(linkedinUrl)',
        ProjectionExpression: 'linkedinUrl, linkedinConnectionStatus, firstName, lastName',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const lead = item as Pick<Lead, 'linkedinUrl' | 'linkedinConnectionStatus' | 'firstName' | 'lastName'>;
      if (lead.linkedinUrl && publicIdentifierFrom(lead.linkedinUrl) === publicIdentifier)
        return { status: lead.linkedinConnectionStatus, firstName: lead.firstName, lastName: lead.lastName };
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return undefined;
}
