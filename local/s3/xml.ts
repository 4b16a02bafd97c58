/** The XML S3 answers in: escaped text, elements, and the error document every failed call carries. */

export const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The namespace of S3's result documents (`ListBucketResult`, `ListAllMyBucketsResult`). */
export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Text for an XML element; control characters S3 cannot send raw become character references, as S3 sends them. */
export function escapeXml(text: string): string {
  return text
    .replace(/[&<>"']/g, (char) => ESCAPES[char] ?? '')
    .replace(
      // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to encode.
      /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g,
      (char) => `&#x${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()};`,
    );
}

/** `<name>value</name>`, or nothing when the value is undefined. */
export const element = (name: string, value: string | number | boolean | undefined): string =>
  value === undefined ? '' : `<${name}>${escapeXml(String(value))}</${name}>`;

/** An S3 error document: `<Error><Code>…</Code><Message>…</Message>…</Error>` (extra elements after the message). */
export function s3ErrorXml(code: string, message: string, extra: Record<string, string> = {}): string {
  const elements = Object.entries(extra)
    .map(([name, value]) => element(name, value))
    .join('');
  return `${XML_HEAD}<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>${elements}</Error>`;
}
