import { decodeWords } from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { encodeWords, MAX_ENCODED_WORD_LENGTH } from '#shared/mail/encoded-word';

const words = (encoded: string) => encoded.split(' ');
const payload = (word: string) => Buffer.from(word.slice('=?UTF-8?B?'.length, -'?='.length), 'base64');

describe('RFC 2047 B encoder', () => {
  it('writes one UTF-8 B encoded-word for a short name', () => {
    // Act
    const encoded = encodeWords('José Núñez');

    // Assess
    expect(encoded).toBe(`=?UTF-8?B?${Buffer.from('José Núñez').toString('base64')}?=`);
    expect(decodeWords(encoded)).toBe('José Núñez');
  });

  it.each([
    ['long Latin text', 'Jérôme-Émile de la Fontaine-Saint-Hilaire, Directeur général adjoint'],
    ['CJK (3 bytes each)', '株式会社カスケード営業部長の山田太郎と申します株式会社カスケード'],
    ['emoji (4 bytes, surrogate pairs)', '🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀🚀 Cascade 🚀'],
  ])('splits %s into words of at most 75 characters, each valid UTF-8 on its own', (_case, text) => {
    // Act
    const encoded = encodeWords(text);

    // Assess
    expect(words(encoded).length).toBeGreaterThan(1);
    for (const word of words(encoded)) {
      expect(word.length).toBeLessThanOrEqual(MAX_ENCODED_WORD_LENGTH);
      expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
      // A word cut inside a UTF-8 sequence would not survive a strict decode on its own.
      expect(() => new TextDecoder('utf-8', { fatal: true }).decode(payload(word))).not.toThrow();
    }
    expect(decodeWords(encoded)).toBe(text);
  });

  it('fills a word up to the 45-byte limit before starting the next', () => {
    // Prepare: 45 ASCII bytes fit one word exactly (60 base64 characters + 12 = 72); 46 do not.
    const fits = 'a'.repeat(45);

    // Act
    const one = encodeWords(fits);
    const two = encodeWords(`${fits}b`);

    // Assess
    expect(words(one)).toHaveLength(1);
    expect(words(two)).toHaveLength(2);
    expect(decodeWords(two)).toBe(`${fits}b`);
  });
});
