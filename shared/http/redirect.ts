/**
 * Following a redirect the way a browser does: the next URL is resolved against the current one, a 303 (and a
 * 301/302 answering a POST) turns into a GET without a body, and credentials meant for one origin never
 * follow a redirect to another. Each hop is planned and guarded again by the caller.
 */

/** One hop of an exchange: what is sent, before the per-hop headers (user agent, cookies, Host). */
export interface HopRequest {
  url: URL;
  method: string;
  body: string | undefined;
  /** The caller's headers, less any credentials dropped on the way. */
  headers: Record<string, string>;
}

const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

/** Whether a response is a redirect to follow: a 3xx with a Location, while hops remain. */
export function isFollowedRedirect(status: number, location: string | undefined, hopsLeft: boolean): boolean {
  return status >= 300 && status < 400 && Boolean(location) && hopsLeft;
}

function withoutCredentials(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.includes(name.toLowerCase())),
  );
}

function turnsIntoGet(status: number, method: string): boolean {
  return status === 303 || ((status === 301 || status === 302) && method === 'POST');
}

/** The request the redirect `status` to `location` leads to. */
export function redirectedRequest(current: HopRequest, status: number, location: string): HopRequest {
  const url = new URL(location, current.url);
  const headers = url.origin === current.url.origin ? current.headers : withoutCredentials(current.headers);
  if (turnsIntoGet(status, current.method)) return { url, method: 'GET', body: undefined, headers };
  return { ...current, url, headers };
}
