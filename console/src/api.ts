import { ApiError, apiPath, errorMessage, toApiError } from './api-errors';
import { accessToken, signOutLocally } from './auth';
import { loadConfig } from './config';

export { ApiError, apiPath, errorMessage, query, toApiError } from './api-errors';

/**
 * The console's only way to the data: the public `/v1` API (no back door). Paths are relative to the API base
 * (`api.get('/campaigns')`); a leading `/v1` is accepted too, so `api.get('/v1/campaigns')` is the same call.
 */

async function request(method: string, path: string, body?: unknown, accept = 'application/json'): Promise<string> {
  const config = await loadConfig();
  const headers: Record<string, string> = { accept };
  const token = accessToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(`${config.apiUrl}${apiPath(path)}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(0, 'network_error', `The API cannot be reached (${errorMessage(error)})`);
  }
  const text = await response.text();
  if (response.status === 401) {
    // The token expired or was revoked: sign in again rather than show every page broken.
    signOutLocally();
    if (!location.hash.startsWith('#/login')) location.hash = '#/login';
  }
  if (!response.ok) throw toApiError(response.status, text);
  return text;
}

async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
  const text = await request(method, path, body);
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string) => json<T>('GET', path),
  /** Without `body` the request has none (routes such as `/pause` take none). */
  post: <T>(path: string, body?: unknown) => json<T>('POST', path, body),
  put: <T>(path: string, body?: unknown) => json<T>('PUT', path, body),
  del: <T = void>(path: string) => json<T>('DELETE', path),
  /** A text body such as `leads.csv`. */
  text: (path: string) => request('GET', path, undefined, 'text/csv, text/plain, */*'),
};
