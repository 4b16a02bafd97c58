import { Resolver } from 'node:dns/promises';

/** Local parts that reach a function, not a person (configurable: many B2B teams do write to sales@). */
const ROLE_LOCAL_PARTS = new Set([
  'abuse',
  'admin',
  'administrator',
  'billing',
  'contact',
  'help',
  'hello',
  'hostmaster',
  'info',
  'jobs',
  'marketing',
  'no-reply',
  'noreply',
  'office',
  'postmaster',
  'privacy',
  'sales',
  'security',
  'support',
  'team',
  'webmaster',
]);

/** Throwaway-mailbox providers: nobody reads these twice. */
const DISPOSABLE_DOMAINS = new Set([
  '10minutemail.com',
  'discard.email',
  'dispostable.com',
  'getnada.com',
  'guerrillamail.com',
  'guerrillamail.net',
  'mailinator.com',
  'maildrop.cc',
  'mintemail.com',
  'mohmal.com',
  'sharklasers.com',
  'temp-mail.org',
  'tempmail.com',
  'tempmailo.com',
  'throwawaymail.com',
  'trashmail.com',
  'yopmail.com',
  'yopmail.fr',
]);

export interface AddressPolicy {
  rejectRoleAddresses: boolean;
  rejectDisposableAddresses: boolean;
}

export function addressPolicyProblem(address: string, policy: AddressPolicy): string | undefined {
  const [local = '', domain = ''] = address.trim().toLowerCase().split('@');
  const base = local.split('+')[0] ?? local;
  if (policy.rejectRoleAddresses && ROLE_LOCAL_PARTS.has(base)) return `role address (${base}@)`;
  if (policy.rejectDisposableAddresses && DISPOSABLE_DOMAINS.has(domain))
    return `disposable mailbox provider (${domain})`;
  return undefined;
}

export type MxCheck = 'ok' | 'none' | 'unknown';

/**
 * Whether the domain can receive mail (an MX, or an address record as the implicit MX). A slow or failing
 * resolver answers `unknown`, which never blocks a send.
 */
export async function checkMailExchanger(domain: string, timeoutMs = 1500): Promise<MxCheck> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  const settled = async (lookup: Promise<unknown[]>): Promise<'found' | 'missing' | 'error'> => {
    try {
      return (await lookup).length > 0 ? 'found' : 'missing';
    } catch (error) {
      const code = (error as { code?: string }).code;
      return code === 'ENODATA' || code === 'ENOTFOUND' ? 'missing' : 'error';
    }
  };
  const mx = await settled(resolver.resolveMx(domain));
  if (mx === 'found') return 'ok';
  if (mx === 'error') return 'unknown';
  const a = await settled(resolver.resolve4(domain));
  if (a === 'found') return 'ok';
  return a === 'missing' ? 'none' : 'unknown';
}
