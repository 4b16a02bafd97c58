import type { ChannelType, Lead, Suppression } from '../domain/schemas';
import { sha256 } from '../ids';
import { batchGetAll } from './batch-get';
import { normalizeEmail, toSuppression } from './suppressions';
import { tableName } from './tables';

/** Keys that forbid contacting the lead at all: the lead itself, or the hash kept when a lead was erased. */
export function leadSuppressionKeys(lead: Pick<Lead, 'leadId' | 'email'>): string[] {
  return [`LEAD#${lead.leadId}`, ...(lead.email ? [`HASH#${sha256(normalizeEmail(lead.email))}`] : [])];
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return undefined;
  }
}

/** Keys that close one channel to the lead: a bounced address, a LinkedIn profile, a site's form. */
export function channelSuppressionKeys(lead: Lead, channel: ChannelType): string[] {
  switch (channel) {
    case 'EMAIL': {
      if (!lead.email) return [];
      const address = normalizeEmail(lead.email);
      const domain = address.split('@')[1];
      return [`EMAIL#${address}`, ...(domain ? [`DOMAIN#${domain}`] : [])];
    }
    case 'LINKEDIN': {
      const profile = lead.linkedinUrl?.match(/linkedin\.com\/in\/([^/?#]+)/i)?.[1] ?? lead.linkedinProviderId;
      return profile ? [`LINKEDIN#${decodeURIComponent(profile).toLowerCase()}`] : [];
    }
    case 'CONTACT_FORM': {
      const host = hostOf(lead.contactFormUrl) ?? hostOf(lead.website);
      return host ? [`FORMDOMAIN#${host}`] : [];
    }
    case 'PHONE':
      return lead.phone ? [`PHONE#${lead.phone.replace(/[^+\d]/g, '')}`] : [];
  }
}

/** The suppression entries that exist among `keys` (one BatchGet for up to 100 keys, none left unread). */
export async function findSuppressionsByKeys(keys: readonly string[]): Promise<Suppression[]> {
  if (keys.length === 0) return [];
  const items = await batchGetAll(
    tableName('suppressions'),
    keys.map((pk) => ({ pk })),
  );
  return items.map(toSuppression);
}
