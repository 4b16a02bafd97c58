import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { LookupFunction } from 'node:net';
import { runtimeVariable } from '../config/settings';
import { CascadeError, type ErrorKind } from '../errors';
import { classifyAddress, normalizeAddress } from './address-class';

/**
 * The address guard: why an address must not be connected to, checked on a literal host before connecting
 * and, for a host name, on every address DNS returns — inside the socket's own lookup, so the address checked
 * is the address connected to.
 */

function article(label: string): string {
  return /^(?:[aeio]|IPv|NAT|un(?!i))/i.test(label) ? 'an' : 'a';
}

function blockedReason(host: string, label: string, resolved?: string): string {
  const what = `${article(label)} ${label} address`;
  return resolved ? `${host} resolves to ${resolved}, ${what}` : `${host} is ${what}`;
}

/** The host part of `AWS_LAMBDA_RUNTIME_API` (`127.0.0.1:9001`), never a fetch target. */
function lambdaRuntimeHost(): string | undefined {
  const value = runtimeVariable('AWS_LAMBDA_RUNTIME_API');
  if (!value) return undefined;
  try {
    const host = new URL(`http://${value}`).hostname.toLowerCase();
    return normalizeAddress(host) ?? host;
  } catch {
    return undefined;
  }
}

/**
 * Why `address` (canonical IP) or `host` must not be connected to, or undefined. `resolved` says the address
 * came from DNS for `host` (the reason then names both).
 */
export function addressRefusal(host: string, address: string | undefined, resolved: boolean): string | undefined {
  const runtime = lambdaRuntimeHost();
  const subject = address ?? host;
  if (runtime && (runtime === host.toLowerCase() || runtime === address)) {
    return resolved
      ? `${host} resolves to ${subject}, the Lambda runtime API address`
      : `${host} is the Lambda runtime API address`;
  }
  if (!address) return undefined;
  const label = classifyAddress(address);
  if (!label) return undefined;
  return resolved ? blockedReason(host, label, address) : blockedReason(address, label);
}

/** Raised inside the socket's lookup; turned into an OutboundBlockedError naming the URL. */
class BlockedLookupError extends CascadeError {
  override name = 'BlockedLookupError';
  readonly code = 'CASCADE_OUTBOUND_BLOCKED';
  readonly kind: ErrorKind = 'forbidden';
}

/**
 * The lookup of every connection to an untrusted target (`lookup` of `http.request`/`net.connect`): each address
 * DNS returns is checked, and the connection fails with a BlockedLookupError before connecting if one is refused.
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(
    hostname,
    { all: true, family: options.family ?? 0, ...(options.hints ? { hints: options.hints } : {}) },
    (error, addresses) => {
      if (error) return callback(error, []);
      if (addresses.length === 0)
        return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      for (const entry of addresses) {
        const refusal = addressRefusal(hostname, normalizeAddress(entry.address) ?? entry.address, true);
        if (refusal) return callback(new BlockedLookupError(refusal), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    },
  );
};

/**
 * Keep-alive pools, made once: a warm Lambda reuses its connections across invocations. An idle socket is
 * closed after 4 s, before servers commonly drop idle connections (undici's default).
 */
const KEEP_ALIVE = { keepAlive: true, timeout: 4_000 };

/**
 * A pooled socket is reused by host and port, not by how it was resolved, so one opened without the check (a
 * trusted peer, the guard lifted) must never carry a guarded request: guarded targets have pools of their own, whose every
 * socket resolves through `guardedLookup`.
 */
const agents = {
  guarded: {
    'http:': new HttpAgent({ ...KEEP_ALIVE, lookup: guardedLookup }),
    'https:': new HttpsAgent({ ...KEEP_ALIVE, lookup: guardedLookup }),
  },
  plain: { 'http:': new HttpAgent(KEEP_ALIVE), 'https:': new HttpsAgent(KEEP_ALIVE) },
};

/** The connection pool for a request to `protocol` (`http:` or `https:`), guarded or not. */
export function connectionAgent(protocol: string, guarded: boolean): HttpAgent {
  const pools = guarded ? agents.guarded : agents.plain;
  return protocol === 'https:' ? pools['https:'] : pools['http:'];
}

/** The refusal `guardedLookup` raised, found in the chain of causes the request failed with. */
export function blockedLookupReason(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof BlockedLookupError) return current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
