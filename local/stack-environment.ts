import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SECRETS } from '#shared/config/settings';
import type { LocalLambdaService } from './lambda-runtime';
import type { LocalEndpointsInfo } from './stack';
import { LOCAL_REGION, type TemplateFunction } from './template';

/*
 * What the embedded stack's processes see besides the template: each function's sandbox gets what the Lambda
 * runtime sets and credentials naming its role, the operator (this process) gets administrator credentials;
 * both reach the peers through the same endpoints. Secrets are stored in SSM as an operator stores them.
 */

/** The access key of the operator's own shell (and of tests): an administrator, like an AWS CLI profile. */
export const ADMIN_ACCESS_KEY = 'local';

/** The outbound guard's local network settings an operator chooses (`cascade serve --allow-private-network`). */
export interface LocalNetworkOptions {
  /** CASCADE_ALLOW_PRIVATE_NETWORK=1: loopback, private and link-local targets allowed (webhooks to this machine). */
  allowPrivateNetwork?: boolean;
  /** Origins of the embedded stack's own receivers (e.g. `cascade serve --events`), trusted like its peers. */
  trustedOrigins?: string[];
}

/** How code reaches the peers (filled in as they start): the SDK's endpoint variables and the outbound guard's plumbing. */
function peerVariables(endpoints: Partial<LocalEndpointsInfo>, network: LocalNetworkOptions): Record<string, string> {
  const trusted = [endpoints.linkedin, ...(network.trustedOrigins ?? [])].filter(Boolean);
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb ?? '',
    AWS_ENDPOINT_URL_SESV2: endpoints.sesApi ?? '',
    AWS_ENDPOINT_URL_SFN: endpoints.stepFunctions ?? '',
    AWS_ENDPOINT_URL_SSM: endpoints.ssm ?? '',
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge ?? '',
    AWS_ENDPOINT_URL_S3: endpoints.s3 ?? '',
    AWS_ENDPOINT_URL_SQS: endpoints.sqs ?? '',
    // Endpoint plumbing of the outbound guard: `*.example` sites are the sandbox site; our peers are ours.
    CASCADE_CONNECT_TO: `*.example=${endpoints.site}`,
    CASCADE_TRUSTED_ORIGINS: trusted.join(','),
    ...(network.allowPrivateNetwork && { CASCADE_ALLOW_PRIVATE_NETWORK: '1' }),
    // DNS for the deliverability check: the loopback DNS peer, never the Internet.
    CASCADE_DNS_SERVERS: endpoints.dns ?? '',
    // This machine runs Node 20 while the Lambdas run nodejs22.x; the SDK's Node-version notice is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** What differs from AWS in one function's sandbox (its template environment is added by the Lambda service). */
export function functionEnvironment(
  fn: TemplateFunction,
  endpoints: Partial<LocalEndpointsInfo>,
  network: LocalNetworkOptions = {},
): Record<string, string> {
  return {
    // What the Lambda runtime itself sets.
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
    // Credentials naming the function's role: the peers authorize every call against its policy.
    AWS_ACCESS_KEY_ID: fn.roleLogicalId,
    AWS_SECRET_ACCESS_KEY: 'local',
    ...peerVariables(endpoints, network),
  };
}

/**
 * This process (tests, the CLI's in-process verbs) acts as the operator: administrator credentials, the
 * same endpoints, and every name the functions are given, so it can call the core as any of them would.
 */
export function operatorEnvironment(
  functions: TemplateFunction[],
  endpoints: LocalEndpointsInfo,
  logLevel = 'SILENT',
  network: LocalNetworkOptions = {},
): Record<string, string> {
  return {
    ...Object.assign({}, ...functions.map((fn) => fn.environment)),
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: ADMIN_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: 'local',
    ...peerVariables(endpoints, network),
    POWERTOOLS_LOG_LEVEL: logLevel,
  };
}

/** A random secret; with a data directory, the one kept there, so earlier unsubscribe links stay valid. */
export function keptSecret(dataDir: string | undefined, name: string): string {
  if (!dataDir) return randomBytes(16).toString('hex');
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(16).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** The SSM parameters the template names (each function's `*_PARAMETER`), with the embedded stack's values. */
export function secretParameters(
  lambda: LocalLambdaService,
  values: Record<keyof typeof SECRETS, string>,
): { name: string; value: string }[] {
  const byName = new Map<string, string>();
  for (const fn of lambda.functions) {
    for (const [secret, spec] of Object.entries(SECRETS)) {
      const parameter = fn.environment[spec.parameterEnv];
      if (parameter) byName.set(parameter, values[secret as keyof typeof SECRETS]);
    }
  }
  return [...byName].map(([name, value]) => ({ name, value }));
}
