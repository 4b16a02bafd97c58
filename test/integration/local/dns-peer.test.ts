import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DnsPeer, startDnsPeer } from '#local/dns-peer';

/** The embedded stack's DNS: what it serves it answers, every other name it refuses (the check says `unknown`). */
let peer: DnsPeer;

beforeAll(async () => {
  peer = await startDnsPeer();
});
afterAll(() => peer?.close());

describe('the loopback DNS peer', () => {
  it('answers the TXT records it serves and refuses every other name', async () => {
    // Prepare
    peer.txt.set('cascade-demo.example', [['v=spf1 include:amazonses.com ~all']]);
    peer.txt.set('_dmarc.cascade-demo.example', [['v=DMARC1; p=reject; ', 'adkim=s']]);
    const resolver = new Resolver({ timeout: 1_000, tries: 1 });
    resolver.setServers([peer.server]);

    // Act
    const spf = await resolver.resolveTxt('cascade-demo.example');
    const dmarc = await resolver.resolveTxt('_DMARC.cascade-demo.example');
    const elsewhere = await resolver.resolveTxt('gmail.com').catch((error: NodeJS.ErrnoException) => error.code);

    // Assess
    expect(spf).toEqual([['v=spf1 include:amazonses.com ~all']]);
    expect(dmarc).toEqual([['v=DMARC1; p=reject; ', 'adkim=s']]);
    expect(elsewhere).toBe('EREFUSED');
  });
});
