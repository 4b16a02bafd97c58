import type { ChannelType, Lead, ReasonCode, Suppression } from '../domain/schemas';
import { sha256 } from '../ids';
import { batchGetAll } from './batch-get';
import { addOptOut, normalizeEmail, toSuppression } from './suppressions';
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

/** A malformed escape (`%`, `%zz`) in a profile URL is kept as written: a key, never a thrown URIError. */
function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The `LINKEDIN#` key of a profile URL (`…/in/<slug>`) or a provider id, as the API and erasure write it. */
export function linkedinSuppressionKey(profile: string): string {
  const slug = profile.match(/linkedin\.com\/in\/([^/?#]+)/i)?.[1] ?? profile;
  return `LINKEDIN#${decodeSafely(slug).toLowerCase()}`;
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
      const profile = lead.linkedinUrl?.match(/linkedin\.com\/in\/([^/?#]+)/i)
        ? lead.linkedinUrl
        : lead.linkedinProviderId;
      return profile ? [linkedinSuppressionKey(profile)] : [];
    }
    case 'CONTACT_FORM': {
      const host = hostOf(lead.contactFormUrl) ?? hostOf(lead.website);
      return host ? [`FORMDOMAIN#${host}`] : [];
    }
    case 'PHONE':
      return lead.phone ? [`PHONE#${lead.phone.replace(/[^+\d]/g, '')}`] : [];
  }
}

/**
 * Suppression reasons that speak for the person, not for one address (docs/product.md §1): an unsubscribe or a
 * complaint closes every channel in every campaign, whichever of the person's contact points it was recorded on.
 * Any other reason on an `EMAIL#`/`LINKEDIN#` key (a bounce, an operator's entry) closes that channel only.
 */
const PERSON_REASONS: ReadonlyMap<string, ReasonCode> = new Map([
  ['unsubscribed', 'unsubscribed'],
  ['complaint', 'complaint'],
]);

/**
 * The keys the person behind a lead is known by (docs/product.md §1: the normalised address, else the LinkedIn
 * profile; both when the lead has both, so an opt-out recorded on either reaches the other campaigns' leads).
 */
export function personContactKeys(lead: Lead): string[] {
  const keys = lead.email ? [`EMAIL#${normalizeEmail(lead.email)}`] : [];
  if (lead.linkedinUrl?.match(/linkedin\.com\/in\//i)) keys.push(linkedinSuppressionKey(lead.linkedinUrl));
  if (lead.linkedinProviderId) keys.push(linkedinSuppressionKey(lead.linkedinProviderId));
  return [...new Set(keys)];
}

/** Every key one BatchGet must read to judge the person and these channels. */
export function suppressionKeysToRead(lead: Lead, channels: readonly ChannelType[]): string[] {
  return [
    ...new Set([
      ...leadSuppressionKeys(lead),
      ...personContactKeys(lead),
      ...channels.flatMap((channel) => channelSuppressionKeys(lead, channel)),
    ]),
  ];
}

export interface PersonStop {
  reason: ReasonCode;
  entry: Suppression;
}

/**
 * Whether `entries` forbid contacting the person at all: a `LEAD#`/`HASH#` entry (reason `suppressed`, or the
 * opt-out it records), or an unsubscribe/complaint on any of the person's contact keys.
 */
export function personStop(lead: Lead, entries: readonly Suppression[]): PersonStop | undefined {
  const leadKeys = new Set(leadSuppressionKeys(lead));
  const contactKeys = new Set(personContactKeys(lead));
  for (const entry of entries) {
    const optOut = PERSON_REASONS.get(entry.reason);
    if (leadKeys.has(entry.key)) return { reason: optOut ?? 'suppressed', entry };
    if (optOut && contactKeys.has(entry.key)) return { reason: optOut, entry };
  }
  return undefined;
}

/** The entry that closes `channel` to the lead, if any (judge `personStop` first: it outranks this). */
export function channelClosedBy(
  lead: Lead,
  channel: ChannelType,
  entries: readonly Suppression[],
): Suppression | undefined {
  const keys = new Set(channelSuppressionKeys(lead, channel));
  return entries.find((entry) => keys.has(entry.key));
}

/**
 * Records an opt-out on every contact key of the person (address and LinkedIn profile), so a lead of another
 * campaign known by only one of them is refused too. A bounce entry on a key becomes the opt-out; an earlier
 * opt-out stands.
 */
export async function suppressPerson(lead: Lead, reason: 'unsubscribed' | 'complaint', source: string): Promise<void> {
  const keys = personContactKeys(lead);
  await Promise.all((keys.length > 0 ? keys : [`LEAD#${lead.leadId}`]).map((key) => addOptOut(key, reason, source)));
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
