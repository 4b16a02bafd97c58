/**
 * Where the API is and how to sign in. Served as `config.json` next to `index.html`: locally by `cascade serve`
 * (`{apiUrl, auth: 'token'}`), deployed by the stack (`{apiUrl, auth: 'cognito', userPoolId, clientId, region,
 * domain}`), so one build runs everywhere without a rebuild.
 */
export type ConsoleConfig =
  | { apiUrl: string; auth: 'token' }
  | { apiUrl: string; auth: 'cognito'; userPoolId: string; clientId: string; region: string; domain: string };

/** The config when `config.json` is missing: the API on the same origin, operator-token sign-in. */
export function defaultConfig(origin: string): ConsoleConfig {
  return { apiUrl: `${origin}/v1`, auth: 'token' };
}

/** Checks a parsed `config.json`; a bad file falls back to the same-origin default rather than a blank page. */
export function parseConfig(raw: unknown, origin: string): ConsoleConfig {
  if (!raw || typeof raw !== 'object') return defaultConfig(origin);
  const value = raw as Record<string, unknown>;
  const apiUrl = typeof value.apiUrl === 'string' && value.apiUrl ? value.apiUrl.replace(/\/+$/, '') : undefined;
  if (!apiUrl) return defaultConfig(origin);
  if (value.auth === 'cognito') {
    const fields = ['userPoolId', 'clientId', 'region', 'domain'] as const;
    if (fields.every((field) => typeof value[field] === 'string' && value[field]))
      return {
        apiUrl,
        auth: 'cognito',
        userPoolId: value.userPoolId as string,
        clientId: value.clientId as string,
        region: value.region as string,
        domain: (value.domain as string).replace(/^https?:\/\//, '').replace(/\/+$/, ''),
      };
  }
  return { apiUrl, auth: 'token' };
}

let loading: Promise<ConsoleConfig> | undefined;

/** The console's config, fetched once (relative to the page, so `/console/config.json` locally). */
export function loadConfig(): Promise<ConsoleConfig> {
  loading ??= fetch(new URL('config.json', document.baseURI), { cache: 'no-store' })
    .then((response) => (response.ok ? response.json() : undefined))
    .catch(() => undefined)
    .then((raw) => parseConfig(raw, location.origin));
  return loading;
}
