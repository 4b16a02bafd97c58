import { publicIdentifierFrom } from '#shared/channels/linkedin/provider-client';
import type { Lead } from '#shared/domain/schemas';
import { scanPages } from '#shared/store/paginate';
import { tableName } from '#shared/store/tables';

type LinkedInFields = Pick<Lead, 'linkedinUrl' | 'linkedinConnectionStatus' | 'firstName' | 'lastName'>;

/**
 * A LinkedIn member as the stored leads describe it: the relation imported with the lead whose profile URL it
 * is. The LinkedIn sandbox asks this (read as the operator) for members it was not seeded with.
 */
export async function linkedinMemberFromLeads(publicIdentifier: string) {
  const pages = scanPages({
    TableName: tableName('leads'),
    FilterExpression: 'attribute_exists(linkedinUrl)',
    ProjectionExpression: 'linkedinUrl, linkedinConnectionStatus, firstName, lastName',
  });
  for await (const page of pages) {
    for (const lead of (page.Items ?? []) as LinkedInFields[]) {
      if (lead.linkedinUrl && publicIdentifierFrom(lead.linkedinUrl) === publicIdentifier)
        return { status: lead.linkedinConnectionStatus, firstName: lead.firstName, lastName: lead.lastName };
    }
  }
  return undefined;
}
