import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * How the CLI authenticates to the operator API (docs/product.md §7). Deployed, API Gateway authorises the
 * operator routes with IAM, so requests are signed with SigV4 (service `execute-api`) from the default AWS
 * credential chain; `cascade serve` wants its bearer token instead.
 */

export const API_AUTH_MODES = ['iam', 'token'] as const;
export type ApiAuthMode = (typeof API_AUTH_MODES)[number];

/** `<api-id>.execute-api.<region>.amazonaws.com` (`.amazonaws.com.cn` in China): the host names API Gateway gives. */
const EXECUTE_API_HOST = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/i;

/** The region in an execute-api URL's host name, else undefined (a custom domain, a local server). */
export function executeApiRegion(url: string): string | undefined {
  try {
    return EXECUTE_API_HOST.exec(new URL(url).hostname)?.[1]?.toLowerCase();
  } catch {
    return undefined;
  }
}

/** IAM for an execute-api URL (only IAM gets through there), the bearer token elsewhere. */
export function defaultAuthMode(url: string): ApiAuthMode {
  return executeApiRegion(url) ? 'iam' : 'token';
}

/** Checks a mode given on the command line or in the environment; `source` names it in the error. */
export function parseAuthMode(value: string, source = '--auth'): ApiAuthMode {
  const mode = value.trim().toLowerCase();
  if ((API_AUTH_MODES as readonly string[]).includes(mode)) return mode as ApiAuthMode;
  throw new Error(`${source} "${value}" is not one of ${API_AUTH_MODES.join(', ')}`);
}

// `--auth` is a global option: the CLI sets it once before the verb runs, so every client the verb creates
// (including those built outside withApi, e.g. `cascade audit --api`) sees it without threading it through.
let authOption: ApiAuthMode | undefined;

/** Records the global `--auth` flag (validated here, so a typo fails before any request). */
export function setAuthOption(value: string | undefined): void {
  authOption = value === undefined ? undefined : parseAuthMode(value, '--auth');
}

/** The mode asked for explicitly: `--auth`, else `CASCADE_API_AUTH`, else undefined. */
export function explicitAuthMode(): ApiAuthMode | undefined {
  if (authOption) return authOption;
  const fromEnv = process.env.CASCADE_API_AUTH;
  return fromEnv ? parseAuthMode(fromEnv, 'CASCADE_API_AUTH') : undefined;
}

/** The mode for an API URL: `--auth`, else `CASCADE_API_AUTH`, else by its host name. */
export function resolveAuthMode(url: string): ApiAuthMode {
  return explicitAuthMode() ?? defaultAuthMode(url);
}

export interface SignableRequest {
  method: string;
  /** The full URL, query included, exactly as it will be fetched. */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

/** Returns the headers to send: the given ones plus `authorization`, `x-amz-date`, `x-amz-content-sha256`, … */
export type RequestSigner = (request: SignableRequest) => Promise<Record<string, string>>;

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Sigv4SignerOptions {
  /** Default: from the URL's execute-api host, else the SDK's chain (AWS_REGION, the profile's region). */
  region?: string;
  /** Default: the SDK's default chain (environment, profile/SSO, web identity, container, instance). */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
}

/** The query as the signer wants it: decoded values, a repeated key as an array. */
export function queryRecord(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return query;
}

/** A SigV4 signer for requests to one API (`execute-api`), credentials and region resolved on first use. */
export function createSigv4Signer(apiUrl: string, options: Sigv4SignerOptions = {}): RequestSigner {
  let signer: Promise<SignatureV4> | undefined;
  const load = async () =>
    new SignatureV4({
      service: 'execute-api',
      region: options.region ?? executeApiRegion(apiUrl) ?? (await defaultRegion(apiUrl)),
      credentials: await credentialProvider(options.credentials),
      sha256: Sha256,
    });
  return async (request) => {
    signer ??= load();
    const url = new URL(request.url);
    const signed = await (await signer).sign({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port && { port: Number(url.port) }),
      path: url.pathname,
      query: queryRecord(url),
      // The host is signed but not passed on: fetch derives the same value (`url.host`) from the URL.
      headers: { ...request.headers, host: url.host },
      body: request.body,
    });
    const { host: _host, ...headers } = signed.headers;
    return headers;
  };
}

/** Credentials resolved once now, so "none found" is one clear error instead of a signing failure. */
async function credentialProvider(given: Sigv4SignerOptions['credentials']): Promise<() => Promise<AwsCredentials>> {
  if (given && typeof given === 'object') return async () => given;
  let provider = given;
  if (!provider) {
    // Loaded only for `--auth iam`: the provider chain pulls in several SDK clients a token user never needs.
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    provider = fromNodeProviderChain();
  }
  const resolve = provider;
  const checked = async () => {
    try {
      return await resolve();
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0];
      throw new Error(
        `--auth iam: no AWS credentials (${reason}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --auth token`,
      );
    }
  };
  await checked();
  return checked;
}

/** The region the SDK would use (AWS_REGION, else the profile's `region`), for an API behind a custom domain. */
async function defaultRegion(apiUrl: string): Promise<string> {
  // No declared package exports the SDK's region chain on its own; a client's resolved config is its public face.
  const { SFNClient } = await import('@aws-sdk/client-sfn');
  const client = new SFNClient({});
  try {
    return await client.config.region();
  } catch {
    throw new Error(
      `--auth iam: cannot tell the AWS region of ${new URL(apiUrl).host}; set AWS_REGION (or region in the AWS profile)`,
    );
  } finally {
    client.destroy();
  }
}
