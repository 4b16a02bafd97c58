import { OutboundBlockedError } from '../http/errors';
import { planTarget } from '../http/target-policy';

/**
 * Which URLs may be registered as webhooks (PRODUCT.md §7 "outbound guard", §11): https only, no credentials in
 * the URL, and no loopback, private, link-local or metadata target — unless the local network settings lift the
 * guard (`CASCADE_ALLOW_PRIVATE_NETWORK=1`, a `CASCADE_TRUSTED_ORIGINS` origin or a `CASCADE_CONNECT_TO` peer),
 * which also allows plain http. The decision is the outbound guard's own (`planTarget`, what `checkUrlTarget` and
 * every request use); a host name is checked again on every address DNS gives it, at each delivery.
 */
export type WebhookUrlRule = 'invalid_url' | 'https_required' | 'private_network' | 'credentials_in_url';

export interface WebhookUrlRefusal {
  rule: WebhookUrlRule;
  message: string;
}

/** Names that always mean this machine or the cloud's metadata service, whatever DNS says. */
function reservedHostReason(hostname: string): string | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return `${hostname} is a loopback name`;
  if (host === 'metadata.google.internal' || host === 'metadata') return `${hostname} is a cloud metadata name`;
  return undefined;
}

/** Why `url` cannot be a webhook, naming the rule, or undefined when it can. */
export function webhookUrlRefusal(url: string): WebhookUrlRefusal | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { rule: 'invalid_url', message: `${url} is not a valid URL` };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return { rule: 'https_required', message: `webhook URLs must use https, not ${parsed.protocol}` };
  if (parsed.username || parsed.password)
    return { rule: 'credentials_in_url', message: 'webhook URLs must not carry a user name or password' };
  const plan = planTarget(parsed, {});
  if (plan instanceof OutboundBlockedError)
    return { rule: 'private_network', message: `refused to register ${parsed.origin}: ${plan.reason}` };
  // Not guarded: the local network settings trust this target (local testing), plain http included.
  if (!plan.guarded) return undefined;
  const reserved = reservedHostReason(parsed.hostname);
  if (reserved)
    return {
      rule: 'private_network',
      message: `refused to register ${parsed.origin}: ${reserved} (use --allow-private-network for local testing)`,
    };
  if (parsed.protocol !== 'https:')
    return { rule: 'https_required', message: 'webhook URLs must use https (plain http only for local testing)' };
  return undefined;
}
