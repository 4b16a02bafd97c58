import { describe, expect, it } from 'vitest';
import { type HopRequest, isFollowedRedirect, redirectedRequest } from '#shared/http/redirect';

const post = (url: string, headers: Record<string, string> = {}): HopRequest => ({
  url: new URL(url),
  method: 'POST',
  body: 'a=1',
  headers,
});

describe('redirectedRequest', () => {
  it.each([
    [303, 'GET', undefined],
    [302, 'GET', undefined],
    [301, 'GET', undefined],
    [307, 'POST', 'a=1'],
    [308, 'POST', 'a=1'],
  ])('a POST answered by %i goes on as %s', (status, method, body) => {
    // Prepare
    const hop = post('https://acme.example/form');

    // Act
    const next = redirectedRequest(hop, status, '/thanks');

    // Assess
    expect(next).toMatchObject({ method, body });
    expect(next.url.href).toBe('https://acme.example/thanks');
  });

  it('keeps credentials on the same origin and drops them, whatever their case, on another', () => {
    // Prepare
    const hop = post('https://acme.example/form', { Authorization: 'Bearer t', 'X-Api-Key': 'k', accept: 'text/html' });

    // Act
    const same = redirectedRequest(hop, 307, 'https://acme.example/other');
    const other = redirectedRequest(hop, 307, 'https://elsewhere.example/');

    // Assess
    expect(same.headers).toEqual(hop.headers);
    expect(other.headers).toEqual({ accept: 'text/html' });
  });
});

describe('isFollowedRedirect', () => {
  it('follows a 3xx with a Location while hops remain, nothing else', () => {
    // Prepare / Act
    const answers = [
      isFollowedRedirect(302, '/next', true),
      isFollowedRedirect(302, undefined, true),
      isFollowedRedirect(302, '/next', false),
      isFollowedRedirect(200, '/next', true),
    ];

    // Assess
    expect(answers).toEqual([true, false, false, false]);
  });
});
