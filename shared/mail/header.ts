import { CascadeError, type ErrorKind } from '../errors';
import { encodeWords } from './encoded-word';

/**
 * Text that ends up in a mail header (RFC 5322): sender names and addresses, subjects, reply domains.
 * A CR or LF there would end the header and start another one ("Ada\r\nBcc: …"), so such text is
 * refused where it enters (API, import) and checked again here, where the header is written.
 */

/** Raised when a value cannot be written into a header safely; `field` names the value. */
export class HeaderValueError extends CascadeError {
  readonly code = 'invalid_header_value';
  readonly kind: ErrorKind = 'invalid';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field} ${message}`);
    this.name = 'HeaderValueError';
  }
}

export const SINGLE_LINE_MESSAGE = 'must be a single line without control characters';

/**
 * C0 controls (NUL…US: CR, LF, TAB, ESC, …), DEL, C1 controls (NEL…) and the Unicode line and paragraph
 * separators: none of them belongs in one line of header text.
 */
function isControl(codePoint: number): boolean {
  return codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f) || codePoint === 0x2028 || codePoint === 0x2029;
}

export function hasControlCharacters(text: string): boolean {
  for (const char of text) if (isControl(char.codePointAt(0) ?? 0)) return true;
  return false;
}

/** For schemas: one line of text without control characters. */
export const isSingleLine = (text: string): boolean => !hasControlCharacters(text);

/** Line breaks and tabs (whitespace controls), with any spaces around them. */
const LINE_BREAKS = /[ ]*[\t\n\v\f\r\u0085\u2028\u2029][\t\n\v\f\r\u0085\u2028\u2029 ]*/g;

/**
 * One line of header text (a subject): line breaks and tabs fold to one space, as RFC 5322 unfolding
 * reads them; any other control character (NUL, ESC, …) has no reading at all and is refused.
 */
export function singleLineHeaderText(field: string, text: string): string {
  const folded = text.replace(LINE_BREAKS, ' ');
  if (hasControlCharacters(folded)) throw new HeaderValueError(field, SINGLE_LINE_MESSAGE);
  return folded;
}

/** An addr-spec we can write as is: a dot-atom local part and a host name, ASCII only (SES takes no SMTPUTF8). */
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

export function isHeaderSafeAddress(address: string): boolean {
  return address.length <= 254 && ADDRESS.test(address);
}

/** A display name made only of RFC 5322 atoms (atext) separated by single spaces needs no quoting. */
const ATOMS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?: [A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The display name as an RFC 5322 phrase: plain atoms as they are; other ASCII (`,`, `.`, `"`, `<`, `@`,
 * `(`, double spaces…) as a quoted-string with `"` and `\` escaped; anything else as RFC 2047
 * encoded-words. Text that merely looks like an encoded-word (`=?…?=`) is encoded too: many readers decode
 * encoded-words even inside quotes, and an encoded `=?` reads back as itself everywhere.
 */
function displayNamePhrase(name: string): string {
  if (!PRINTABLE_ASCII.test(name) || name.includes('=?')) return encodeWords(name);
  if (ATOMS.test(name)) return name;
  return `"${name.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * `Display Name <address>` for From/Reply-To (RFC 5322 name-addr), or the bare address when there is no
 * name. Throws `HeaderValueError` for control characters in the name or an address that is not plain ASCII.
 */
export function formatMailbox(displayName: string, address: string, field = 'sender'): string {
  if (!isHeaderSafeAddress(address)) throw new HeaderValueError(`${field}.email`, 'is not a plain ASCII address');
  if (hasControlCharacters(displayName)) throw new HeaderValueError(`${field}.name`, SINGLE_LINE_MESSAGE);
  const name = displayName.trim();
  return name === '' ? address : `${displayNamePhrase(name)} <${address}>`;
}

/**
 * SES custom header values (MessageHeader): printable ASCII only, 1–870 characters. Ours are URLs and ids;
 * anything else is a bug upstream, refused rather than sent.
 */
export function isSesHeaderValue(value: string): boolean {
  return value.length >= 1 && value.length <= 870 && PRINTABLE_ASCII.test(value);
}
