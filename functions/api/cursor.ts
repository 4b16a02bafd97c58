import { validationError } from './errors';

/** An opaque page cursor: the store's last evaluated key, base64url-encoded JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/** A listing's answer: the page's items and, unless it is the last page, the cursor of the next. */
export function pageBody<T>(page: { entries: T[]; nextKey?: Record<string, unknown> }) {
  return { items: page.entries, nextCursor: encodeCursor(page.nextKey) };
}

/** DynamoDB's limit for a sort key value; partition keys may take 2048 bytes, none of ours come near. */
const MAX_KEY_BYTES = 1024;

/**
 * The key a cursor carries, or a 400 when it is not one this API issued for this listing: exactly the
 * key attributes `attributes` names, each a string DynamoDB accepts as a key, and `accepts` checks it
 * names the same partition (so a cursor cannot be used to read another lead's items).
 */
export function decodeCursor(
  cursor: string | undefined,
  attributes: readonly string[],
  accepts: (key: Record<string, string>) => boolean,
): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const valid =
    key !== null &&
    typeof key === 'object' &&
    !Array.isArray(key) &&
    Object.keys(key).length === attributes.length &&
    attributes.every((name) => {
      const value = (key as Record<string, unknown>)[name];
      return typeof value === 'string' && value !== '' && Buffer.byteLength(value) <= MAX_KEY_BYTES;
    }) &&
    accepts(key as Record<string, string>);
  if (!valid) throw validationError([{ field: 'cursor', message: 'is not a cursor this listing returned' }]);
  return key as Record<string, unknown>;
}
