import { addressParser } from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { formatMailbox, HeaderValueError, isSingleLine, singleLineHeaderText } from '#shared/mail/header';

/** What a mail reader makes of the header value: display name and address. */
const parsed = (mailbox: string) => {
  const [first] = addressParser(mailbox, { flatten: true });
  return { name: first?.name, address: first?.address };
};

describe('From mailbox (RFC 5322 name-addr, RFC 2047 for non-ASCII)', () => {
  it.each([
    ['plain atoms stay as they are', 'Ada Lovelace', 'Ada Lovelace <ada@x.example>'],
    ['a comma is quoted', 'Lovelace, Ada', '"Lovelace, Ada" <ada@x.example>'],
    ['a dot is quoted', 'Ada L. Lovelace', '"Ada L. Lovelace" <ada@x.example>'],
    ['quotes and backslashes are escaped', 'Ada "The" Love\\lace', '"Ada \\"The\\" Love\\\\lace" <ada@x.example>'],
    ['angle brackets and @ are quoted', 'Ada <ceo@evil.example>', '"Ada <ceo@evil.example>" <ada@x.example>'],
    [
      'text that looks encoded is encoded, so it reads back as itself',
      '=?UTF-8?B?SGk=?=',
      `=?UTF-8?B?${Buffer.from('=?UTF-8?B?SGk=?=').toString('base64')}?= <ada@x.example>`,
    ],
    [
      'non-ASCII is B-encoded',
      'José Núñez',
      `=?UTF-8?B?${Buffer.from('José Núñez').toString('base64')}?= <ada@x.example>`,
    ],
  ])('%s', (_case, name, expected) => {
    // Act
    const mailbox = formatMailbox(name, 'ada@x.example');

    // Assess
    expect(mailbox).toBe(expected);
    expect(parsed(mailbox)).toEqual({ name, address: 'ada@x.example' });
  });

  it('writes the bare address when there is no name', () => {
    // Act
    const mailbox = formatMailbox('   ', 'ada@x.example');

    // Assess
    expect(mailbox).toBe('ada@x.example');
  });

  it.each([
    ['CR/LF in the name', 'Ada\r\nBcc: victim@y.example', 'ada@x.example', 'sender.name'],
    ['a lone LF in the name', 'Ada\nLovelace', 'ada@x.example', 'sender.name'],
    ['NUL in the name', 'Ada\u0000', 'ada@x.example', 'sender.name'],
    ['a line separator in the name', 'Ada\u2028Lovelace', 'ada@x.example', 'sender.name'],
    ['CR/LF in the address', 'Ada', 'ada@x.example\r\nBcc: victim@y.example', 'sender.email'],
    ['a non-ASCII address', 'Ada', 'josé@x.example', 'sender.email'],
  ])('refuses %s', (_case, name, address, field) => {
    // Act
    const write = () => formatMailbox(name, address);

    // Assess
    expect(write).toThrow(HeaderValueError);
    expect(write).toThrow(expect.objectContaining({ field }));
  });
});

describe('single-line header text', () => {
  it('folds line breaks and tabs to one space', () => {
    // Act
    const subject = singleLineHeaderText('subject', 'Hello \r\n Ada\tand\u2028Bob\n\nagain');

    // Assess
    expect(subject).toBe('Hello Ada and Bob again');
  });

  it.each([
    ['NUL', 'Hi\u0000'],
    ['ESC', 'Hi \u001b[31mred'],
    ['DEL', 'Hi\u007f'],
    ['a C1 control', 'Hi\u009b'],
  ])('refuses %s, which has no reading as text', (_case, text) => {
    // Act
    const fold = () => singleLineHeaderText('subject', text);

    // Assess
    expect(fold).toThrow(expect.objectContaining({ field: 'subject' }));
  });

  it.each([
    ['José Núñez', true],
    ['株式会社 🚀', true],
    ['Ada\r\nBcc: x', false],
    ['Ada\tLovelace', false],
    ['Ada\u0085', false],
  ])('isSingleLine(%j) is %s', (text, expected) => {
    // Act
    const single = isSingleLine(text);

    // Assess
    expect(single).toBe(expected);
  });
});
