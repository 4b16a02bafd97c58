import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent, type Dispatcher } from 'undici';
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

type LookupCallback = (error: Error | null, address: string | LookupAddress[], family?: number) => void;

function guardedLookup(
  hostname: string,
  options: { family?: number; hints?: number; all?: boolean },
  callback: LookupCallback,
): void {
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
}

let guardedAgent: Agent | undefined;

/** Dispatcher for untrusted targets: every connection resolves through `guardedLookup`. */
export function guardedDispatcher(): Dispatcher {
  guardedAgent ??= new Agent({ connect: { lookup: guardedLookup as never } });
  return guardedAgent;
}

/** The refusal `guardedLookup` raised, found in the chain of causes the request failed with. */
export function blockedLookupReason(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (current instanceof BlockedLookupError) return current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
