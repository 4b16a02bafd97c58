/** The helpers of mailauth's internals the health check uses (mailauth ships no types for lib/tools.js). */
declare module 'mailauth/lib/tools.js' {
  /**
   * Fetches and validates a DKIM public key from DNS. Rejects with the resolver's error (`ENOTFOUND`, `ENODATA`,
   * `ETIMEOUT`…) or with `EINVALIDVAL`, `EINVALIDVER`, `EINVALIDTYPE`, `ESHORTKEY` for a bad record.
   */
  export function getPublicKey(
    type: 'DKIM' | 'AS',
    name: string,
    minBitLength: number | undefined,
    resolver: (name: string, rrtype: string) => Promise<unknown>,
  ): Promise<{ publicKey: string | Buffer; rr: string; modulusLength?: number }>;

  /** DMARC identifier alignment (relaxed: same organizational domain): the aligned entry, or false. */
  export function getAlignment(
    fromDomain: string,
    domains: string[] | { domain: string }[],
    options?: { strict?: boolean },
  ): { domain: string } | false;
}
