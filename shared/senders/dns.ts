import { Resolver } from 'node:dns/promises';
import { localNetworkSetting } from '../config/settings';

/**
 * DNS for the deliverability check, shaped as mailauth's `resolver` option: `(name, rrtype)` answering what
 * node:dns/promises `resolve` answers (TXT as `string[][]`), rejecting with node's codes (`ENOTFOUND` and
 * `ENODATA`: no such record; anything else: the lookup failed). Tests serve records from memory through it.
 */
export type DnsResolver = (name: string, rrtype: string) => Promise<string[][] | string[]>;

export const DNS_LOOKUP_TIMEOUT_MS = 2_000;
/** A check makes a dozen lookups at most (SPF allows 10); together they never hold a request longer. */
export const DNS_CHECK_BUDGET_MS = 8_000;

/** What node:dns answers when a record does not exist, as opposed to a lookup that failed. */
export const isNoRecord = (error: unknown) =>
  ['ENOTFOUND', 'ENODATA'].includes((error as { code?: string })?.code ?? '');

function timeoutError(name: string): Error {
  return Object.assign(new Error(`DNS lookup of ${name} timed out`), { code: 'ETIMEOUT' });
}

/**
 * The system's recursive resolver (the embedded stack's loopback DNS peer when `CASCADE_DNS_SERVERS` names it), one
 * try per query, each bounded by `timeoutMs`.
 */
export function systemResolver(timeoutMs = DNS_LOOKUP_TIMEOUT_MS): DnsResolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  const servers = localNetworkSetting('CASCADE_DNS_SERVERS');
  if (servers) resolver.setServers(servers.split(','));
  return (name, rrtype) => resolver.resolve(name, rrtype) as Promise<string[][] | string[]>;
}

/**
 * `resolve` with every lookup bounded by `perLookupMs` and all of them by `totalMs` (wall time: DNS is real
 * even under the embedded stack's virtual clock). A lookup past either rejects with `ETIMEOUT`, which mailauth
 * reads as a temporary error and the check reports as `unknown`. Written here because mailauth takes a bare
 * function and node's own timeout neither bounds an injected resolver nor a whole check.
 */
export function boundedResolver(
  resolve: DnsResolver,
  { perLookupMs = DNS_LOOKUP_TIMEOUT_MS, totalMs = DNS_CHECK_BUDGET_MS } = {},
): DnsResolver {
  const deadline = Date.now() + totalMs;
  return async (name, rrtype) => {
    const allowed = Math.min(perLookupMs, deadline - Date.now());
    if (allowed <= 0) throw timeoutError(name);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeoutError(name)), allowed);
    });
    try {
      return await Promise.race([resolve(name, rrtype), expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}
