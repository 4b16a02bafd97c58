import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Lead } from '../domain/schemas';
import { sha256 } from '../ids';
import { documentClient } from './client';
import { queryAll } from './paginate';
import { tableName } from './tables';

/**
 * A campaign's leads by company, for `stopOnCompanyReply` (docs/product.md §2): one item per lead and company
 * domain (`pk CAMPAIGN#<campaign>#COMPANY#<domain>`, `sk LEAD#<lead>`), written when the lead is created. An item
 * collection rather than a GSI: a lead may be known by two domains (its address's and its website's), which one
 * index attribute cannot hold, and the query is strongly consistent. The items hold a hashed company domain and an
 * opaque lead id only (free-mail domains, which would point at a person, are never indexed).
 */

/**
 * Mailbox providers whose domain says nothing about the employer. A short list kept here rather than a dependency
 * (e.g. the `free-email-domains` package, ~4,800 domains): the project pins its dependencies centrally, and a
 * missing provider only means two people with addresses there count as colleagues. Extend it when one shows up.
 */
const FREE_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'hotmail.co.uk',
  'hotmail.fr',
  'live.com',
  'msn.com',
  'yahoo.com',
  'yahoo.co.uk',
  'yahoo.fr',
  'ymail.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'proton.me',
  'protonmail.com',
  'pm.me',
  'gmx.de',
  'gmx.net',
  'gmx.com',
  'web.de',
  't-online.de',
  'freenet.de',
  'orange.fr',
  'free.fr',
  'laposte.net',
  'sfr.fr',
  'libero.it',
  'virgilio.it',
  'mail.ru',
  'yandex.ru',
  'yandex.com',
  'qq.com',
  '163.com',
  '126.com',
  'zoho.com',
  'fastmail.com',
  'tutanota.com',
  'hey.com',
  'mail.com',
]);

/** Sites that host profiles of many companies: a lead's `website` there is not its company's domain. */
const SHARED_SITES: ReadonlySet<string> = new Set([
  'linkedin.com',
  'facebook.com',
  'instagram.com',
  'x.com',
  'twitter.com',
  'github.com',
  'medium.com',
  'google.com',
  'sites.google.com',
]);

export function isFreeMailDomain(domain: string): boolean {
  return FREE_MAIL_DOMAINS.has(domain.toLowerCase());
}

function websiteDomain(website: string | undefined): string | undefined {
  if (!website) return undefined;
  try {
    const host = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(website) ? website : `https://${website}`).hostname;
    return host.toLowerCase().replace(/^www\./, '') || undefined;
  } catch {
    return undefined;
  }
}

/** The company domains a lead is known by: its address's domain and its website's, free-mail and shared sites never. */
export function companyDomainsOf(lead: Pick<Lead, 'email' | 'website'>): string[] {
  const emailDomain = lead.email?.trim().toLowerCase().split('@')[1];
  const domains = [emailDomain, websiteDomain(lead.website)].filter(
    (domain): domain is string =>
      !!domain && domain.includes('.') && !FREE_MAIL_DOMAINS.has(domain) && !SHARED_SITES.has(domain),
  );
  return [...new Set(domains)];
}

/**
 * The domain is hashed in the key: a website or address domain can name a one-person business, and erasure
 * (which keeps hashes, never values) must leave no readable trace of it here.
 */
const companyKey = (campaignId: string, domain: string) => `CAMPAIGN#${campaignId}#COMPANY#${sha256(domain)}`;

/** Indexes a new lead under each of its company domains (an idempotent put: a retried import rewrites the same). */
export async function indexLeadCompany(lead: Pick<Lead, 'leadId' | 'campaignId' | 'email' | 'website'>) {
  await Promise.all(
    companyDomainsOf(lead).map((domain) =>
      documentClient().send(
        new PutCommand({
          TableName: tableName('leads'),
          Item: { pk: companyKey(lead.campaignId, domain), sk: `LEAD#${lead.leadId}`, leadId: lead.leadId },
        }),
      ),
    ),
  );
}

/** The ids of a campaign's leads at any of these company domains (one consistent query per domain). */
export async function leadIdsAtCompany(campaignId: string, domains: readonly string[]): Promise<string[]> {
  const pages = await Promise.all(
    domains.map((domain) =>
      queryAll<{ leadId: string }>({
        TableName: tableName('leads'),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :lead)',
        ExpressionAttributeValues: { ':pk': companyKey(campaignId, domain), ':lead': 'LEAD#' },
        ConsistentRead: true,
      }),
    ),
  );
  return [...new Set(pages.flat().map((item) => item.leadId))];
}

/** Removes a lead's index entries (erasure: an erased lead is nobody's colleague any more). Call before the scrub. */
export async function unindexLeadCompany(lead: Pick<Lead, 'leadId' | 'campaignId' | 'email' | 'website'>) {
  await Promise.all(
    companyDomainsOf(lead).map((domain) =>
      documentClient().send(
        new DeleteCommand({
          TableName: tableName('leads'),
          Key: { pk: companyKey(lead.campaignId, domain), sk: `LEAD#${lead.leadId}` },
        }),
      ),
    ),
  );
}
