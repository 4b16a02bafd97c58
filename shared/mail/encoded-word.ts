/**
 * RFC 2047 encoded-words ('B' encoding, UTF-8) for header text that is not ASCII, e.g. a display name
 * such as "José Núñez": SES refuses a non-ASCII "friendly from" name unless it is written this way.
 *
 * Why no library: libmime (nodemailer's author) does this and much more, but it pulls iconv-lite and
 * encoding-japanese with it: about 680 KB more in the minified send-email Lambda, which is meant to stay
 * small. We need one direction, one charset and one encoding: a few lines.
 */

const PREFIX = '=?UTF-8?B?';
const SUFFIX = '?=';

/** RFC 2047 §2: an encoded-word is at most 75 characters, delimiters included. */
export const MAX_ENCODED_WORD_LENGTH = 75;

/**
 * UTF-8 bytes one word may carry: 75 − 12 delimiter characters leave 63 for base64, i.e. 15 whole
 * 4-character groups, i.e. 45 bytes.
 */
const MAX_BYTES_PER_WORD = Math.floor((MAX_ENCODED_WORD_LENGTH - PREFIX.length - SUFFIX.length) / 4) * 3;

const encodeWord = (chunk: string) => `${PREFIX}${Buffer.from(chunk, 'utf8').toString('base64')}${SUFFIX}`;

/**
 * `text` as encoded-words separated by single spaces (a decoder drops the space between two adjacent
 * encoded-words, RFC 2047 §6.2, and a mailer may fold the line there). Words are split on code-point
 * boundaries, so no word ends in the middle of a UTF-8 sequence (RFC 2047 §5: each word must decode on
 * its own). Text is taken as given: callers refuse control characters first.
 */
export function encodeWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  let chunkBytes = 0;
  // `for … of` walks code points: a surrogate pair (an emoji) is never cut in two.
  for (const codePoint of text) {
    const bytes = Buffer.byteLength(codePoint, 'utf8');
    if (chunk !== '' && chunkBytes + bytes > MAX_BYTES_PER_WORD) {
      words.push(encodeWord(chunk));
      chunk = '';
      chunkBytes = 0;
    }
    chunk += codePoint;
    chunkBytes += bytes;
  }
  if (chunk !== '') words.push(encodeWord(chunk));
  return words.join(' ');
}
