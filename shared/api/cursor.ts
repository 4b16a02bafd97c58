import { validationError } from './errors';

/** An opaque page cursor: the store's last evaluated key, base64url-encoded JSON. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/**
 * The key a cursor carries, or a 400 when it is not one this API issued for this listing (`accepts`
 * checks it names the same partition, so a cursor cannot be used to read another lead's items).
 */
export function decodeCursor(
  cursor: string | undefined,
  accepts: (key: Record<string, unknown>) => boolean,
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
    Object.values(key).every((value) => typeof value === 'string') &&
    accepts(key as Record<string, unknown>);
  if (!valid) throw validationError([{ field: 'cursor', message: 'is not a cursor this listing returned' }]);
  return key as Record<string, unknown>;
}
