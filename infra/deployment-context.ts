import { Annotations, type Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { CodedError } from '#shared/errors';
import { hasControlCharacters } from '#shared/mail/header';

/**
 * What a deployment is told with `-c name=value` (or props), checked at synth: a value that would break the
 * deployed stack (a header-bound domain with control characters, an http:// public URL) fails the synth
 * with a message naming the context key; a missing value the deployment needs is a warning at synth time.
 */
export interface DeploymentContext {
  senderIdentity: string;
  secretPrefix: string;
  /** Base of unsubscribe links when the API is served under a custom domain; else the HTTP API's URL. */
  publicApiUrl?: string;
  /** The domain of per-message reply addresses (its MX points at SES inbound); replies are captured with it. */
  replyDomain?: string;
  linkedinBaseUrl?: string;
  linkedinAccountId?: string;
  batchSchedule: events.Schedule;
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export class DeploymentContextError extends CodedError(
  'DeploymentContextError',
  'invalid_deployment_context',
  'invalid',
) {}

function read(stack: Stack, key: string): string | undefined {
  const value = stack.node.tryGetContext(key) as unknown;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new DeploymentContextError(`context ${key} must be a string`);
  if (hasControlCharacters(value))
    throw new DeploymentContextError(`context ${key} must not contain control characters`);
  return value.trim();
}

function httpsUrl(key: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DeploymentContextError(`context ${key} must be an absolute URL (got "${value}")`);
  }
  // Loopback is how the embedded stack synthesizes; anything else must be reachable from the internet.
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !loopback) throw new DeploymentContextError(`context ${key} must be an https URL`);
  return url.href;
}

function identity(key: string, value: string): string {
  const domain = value.includes('@') ? value.slice(value.lastIndexOf('@') + 1) : value;
  if (!DOMAIN.test(domain)) throw new DeploymentContextError(`context ${key} must be a domain or an address`);
  return value;
}

export function deploymentContext(
  stack: Stack,
  props: { senderIdentity?: string; batchSchedule?: events.Schedule },
): DeploymentContext {
  const sender = props.senderIdentity ?? read(stack, 'senderIdentity');
  if (!sender)
    Annotations.of(stack).addWarningV2(
      'cascade:senderIdentity',
      'No -c senderIdentity=<verified SES domain or address>: the send function may only send as example.com',
    );
  const replyDomain = read(stack, 'replyDomain');
  if (replyDomain !== undefined && !DOMAIN.test(replyDomain))
    throw new DeploymentContextError('context replyDomain must be a domain name');
  if (!replyDomain)
    Annotations.of(stack).addWarningV2(
      'cascade:replyDomain',
      'No -c replyDomain=<domain whose MX is SES inbound>: replies will not be captured (no receipt rule)',
    );
  const schedule = read(stack, 'batchSchedule');
  return {
    senderIdentity: identity('senderIdentity', sender ?? 'example.com'),
    secretPrefix: read(stack, 'secretPrefix') ?? '/cascade',
    publicApiUrl: httpsUrl('publicApiUrl', read(stack, 'publicApiUrl')),
    replyDomain,
    linkedinBaseUrl: httpsUrl('linkedinBaseUrl', read(stack, 'linkedinBaseUrl')),
    linkedinAccountId: read(stack, 'linkedinAccountId'),
    batchSchedule:
      props.batchSchedule ??
      (schedule
        ? events.Schedule.expression(schedule)
        : events.Schedule.cron({ minute: '0', hour: '8-17', weekDay: 'MON-FRI' })),
  };
}
