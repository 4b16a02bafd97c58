/** An AWS API request as it arrives on the wire, and the reading helpers the services' descriptions share. */

export type AwsService = 'dynamodb' | 'states' | 'ssm' | 'ses' | 'events' | 's3' | 'sqs';

export interface WireRequest {
  method: string;
  /** Path and query string, as on the request line. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The account and region a local resource's ARN names. */
export interface AccountNames {
  accountId: string;
  region: string;
}

export type Json = Record<string, unknown>;

/** Makes the ARN of a resource of the service in the local account and region. */
export type ArnOf = (resource: string) => string;

/** A JSON body's top-level object; anything else (no body, not JSON, an array) reads as `{}`. */
export function parseJson(body: Buffer): Json {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Json) : {};
  } catch {
    return {};
  }
}

/** A non-empty string, or undefined. */
export const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);
