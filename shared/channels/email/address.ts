/**
 * Deliverable-looking address: one @, a sane local part, and a domain with a top-level domain of
 * letters (so `bob@localhost`, `jane@@example26` and `@nodomain.example` are refused).
 */
const LOCAL_PART = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$/;
const DOMAIN_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export type AddressProblem = 'missing_address' | 'invalid_address';

export function checkEmailAddress(email: string | undefined): AddressProblem | undefined {
  const address = email?.trim();
  if (!address) return 'missing_address';
  const parts = address.split('@');
  if (parts.length !== 2) return 'invalid_address';
  const [local, domain] = parts as [string, string];
  if (
    !local ||
    local.length > 64 ||
    !LOCAL_PART.test(local) ||
    local.startsWith('.') ||
    local.endsWith('.') ||
    local.includes('..')
  ) {
    return 'invalid_address';
  }
  const labels = domain.toLowerCase().split('.');
  if (labels.length < 2 || !labels.every((label) => DOMAIN_LABEL.test(label))) return 'invalid_address';
  const tld = labels.at(-1) ?? '';
  if (!/^[a-z]{2,63}$/.test(tld)) return 'invalid_address';
  return undefined;
}

export function emailDomain(email: string): string {
  return email.trim().toLowerCase().split('@')[1] ?? '';
}
