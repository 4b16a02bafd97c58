import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Local-mode operator authentication. When CASCADE_API_TOKEN is set (`cascade serve`), every route but
 * the public unsubscribe one needs `Authorization: Bearer <token>`. Deployed, API Gateway's IAM
 * authoriser protects the operator routes before the Lambda runs and CASCADE_API_TOKEN is left unset,
 * so this check is off there (the unsubscribe route is attached without an authoriser).
 */
export function apiToken(): string | undefined {
  const token = process.env.CASCADE_API_TOKEN;
  return token ? token : undefined;
}

/** Constant-time comparison of the presented bearer token with the expected one (hashes: equal lengths). */
export function bearerTokenMatches(authorization: string | undefined, expected: string): boolean {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  const presented = match?.[1] ?? '';
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected)) && presented.length > 0;
}
