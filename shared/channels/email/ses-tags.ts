import type { MessageTag } from '@aws-sdk/client-sesv2';

/**
 * SES message tags (campaign, lead, message) let every SES event be matched back to its message.
 *
 * SES API v2 MessageTag: names and values contain only ASCII letters, digits, `_` and `-`, at most 256
 * characters (a `.`, `@` or space makes SendEmail fail with BadRequestException). Our own ids fit:
 * `msg_<hex>`, `lead_<hex>`, `cmp_<hex>` or an API campaign id (`[A-Za-z0-9_-]{1,64}`). The stores accept
 * any lead id though, so a value that sanitising would alter is also carried reversibly (base64url, whose
 * alphabet is exactly SES's) under `<name>_b64`, and matching reads that one first.
 */

const TAG_LIMIT = 256;
const TAG_SAFE = /^[A-Za-z0-9_-]{1,256}$/;

/** A value in SES's tag alphabet: every other character becomes `_`; at most 256 characters, never empty. */
export function sesTagValue(value: string): string {
  // Code points, not UTF-16 units: one "é" or emoji becomes one `_`.
  const safe = Array.from(value, (char) => (/^[A-Za-z0-9_-]$/.test(char) ? char : '_'))
    .join('')
    .slice(0, TAG_LIMIT);
  return safe === '' ? '_' : safe;
}

/** The name under which a value that sanitising would alter travels reversibly. */
const encodedName = (name: string) => `${name}_b64`;

/** Tags that must give back the exact id (the message is stored under lead and message id). */
function idTags(name: string, id: string): MessageTag[] {
  const tags: MessageTag[] = [{ Name: name, Value: sesTagValue(id) }];
  if (TAG_SAFE.test(id)) return tags;
  const encoded = Buffer.from(id, 'utf8').toString('base64url');
  // Longer ids (over 192 bytes) cannot travel in a tag: SES's own message id still matches them.
  if (encoded.length <= TAG_LIMIT) tags.push({ Name: encodedName(name), Value: encoded });
  return tags;
}

export function messageTags(ids: { campaignId: string; leadId: string; messageId: string }): MessageTag[] {
  return [
    // The campaign tag is for reading (SES dashboards, metrics dimensions), never for matching.
    { Name: 'campaign', Value: sesTagValue(ids.campaignId) },
    ...idTags('lead', ids.leadId),
    ...idTags('message', ids.messageId),
  ];
}

/** The exact id an event's tags name: the reversible copy when there is one, else the tag as sent. */
function taggedId(tags: Record<string, string[] | undefined>, name: string): string | undefined {
  const encoded = tags[encodedName(name)]?.[0];
  if (encoded) return Buffer.from(encoded, 'base64url').toString('utf8');
  return tags[name]?.[0];
}

/** The lead and message an SES event's tags point to (as `messageTags` wrote them). */
export function taggedMessage(tags: Record<string, string[] | undefined>): { leadId?: string; messageId?: string } {
  return { leadId: taggedId(tags, 'lead'), messageId: taggedId(tags, 'message') };
}
