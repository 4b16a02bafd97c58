/** How S3 writes and orders object keys where they leave the bucket: in events and in listings. */

/**
 * A key as S3 URL-encodes it in event notifications (and in listings with `encoding-type=url`): form encoding, a
 * space as `+`, every byte but letters, digits, `.`, `-`, `_`, `*` and `/` as `%XX` of its UTF-8.
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

/** S3 lists keys in UTF-8 binary order (not JavaScript's UTF-16 order). */
export const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
