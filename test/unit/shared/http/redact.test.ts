import { describe, expect, it } from 'vitest';
import { OutboundBlockedError, OutboundRequestError } from '#shared/http/errors';
import { redactUrl } from '#shared/http/redact';

describe('redactUrl', () => {
  it.each([
    ['https://user:pw@host.example/', 'https://***@host.example/'],
    ['https://user@host.example:8443/api', 'https://***@host.example:8443/api'],
    ['http://:secret@127.0.0.1:1/', 'http://***@127.0.0.1:1/'],
    // The URL parser reads up to the last `@` of the authority: a password may hold one.
    ['https://user:p@ss@host.example/x', 'https://***@host.example/x'],
    ['HTTPS://User:Pw@Host.example', 'HTTPS://***@Host.example'],
  ])('replaces the userinfo of %s', (url, redacted) => {
    // Prepare / Act
    const shown = redactUrl(url);

    // Assess
    expect(shown).toBe(redacted);
  });

  it.each([
    'https://host.example/path@with-at?to=a@b.example#frag@x',
    'https://host.example/?next=https%3A%2F%2Fuser%3Apw%40evil',
    'mailto:someone@host.example',
    'not a url, just someone@host.example',
  ])('keeps %s as written: no userinfo in it', (text) => {
    // Prepare / Act
    const shown = redactUrl(text);

    // Assess
    expect(shown).toBe(text);
  });

  it('redacts every URL a message quotes', () => {
    // Prepare
    const message = 'GET https://a:1@one.example/x failed, then POST http://b:2@two.example/y → 502';

    // Act
    const shown = redactUrl(message);

    // Assess
    expect(shown).toBe('GET https://***@one.example/x failed, then POST http://***@two.example/y → 502');
  });
});

describe('outbound errors never show credentials', () => {
  it('redacts the message of a refused fetch and of a failed request, keeping the URL asked for', () => {
    // Prepare
    const url = 'https://user:pw@127.0.0.1:1/api/v1/users/x';

    // Act
    const blocked = new OutboundBlockedError(url, '127.0.0.1 is a loopback address');
    const failed = new OutboundRequestError(`GET ${url} failed: connect ECONNREFUSED 127.0.0.1:1`, url, false);

    // Assess
    expect(blocked.message).toBe(
      'refused to fetch https://***@127.0.0.1:1/api/v1/users/x: 127.0.0.1 is a loopback address',
    );
    expect(failed.message).toBe('GET https://***@127.0.0.1:1/api/v1/users/x failed: connect ECONNREFUSED 127.0.0.1:1');
    expect([blocked.url, failed.url]).toEqual([url, url]);
  });
});
