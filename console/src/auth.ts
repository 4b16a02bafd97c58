import { type ConsoleConfig, loadConfig } from './config';

/**
 * Sign-in. Locally (`auth: 'token'`): the operator token, typed in or obtained once from the one-time login
 * link (`#/login?code=…` → `POST /console/session`). Deployed (`auth: 'cognito'`): Cognito's hosted UI with the
 * authorization-code flow and PKCE (a public client: no secret in the page). The token is kept in
 * sessionStorage only: it dies with the tab and never reaches a cookie or the URL.
 */

const TOKEN = 'cascade.console.token';
const EXPIRES = 'cascade.console.expires';
const PKCE = 'cascade.console.pkce';

function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined; // storage disabled: the page still renders, sign-in lasts for nothing
  }
}

/** The bearer token for the API, if signed in and not expired. */
export function accessToken(): string | undefined {
  const store = storage();
  const token = store?.getItem(TOKEN) ?? undefined;
  const expires = Number(store?.getItem(EXPIRES) ?? 0);
  if (token && expires && Date.now() >= expires) {
    signOutLocally();
    return undefined;
  }
  return token || undefined;
}

export function isSignedIn(): boolean {
  return accessToken() !== undefined;
}

/** Keeps a token (an operator token has no expiry; a Cognito one does). */
export function storeToken(token: string, expiresInSeconds?: number): void {
  const store = storage();
  store?.setItem(TOKEN, token);
  if (expiresInSeconds) store?.setItem(EXPIRES, String(Date.now() + (expiresInSeconds - 30) * 1000));
  else store?.removeItem(EXPIRES);
}

export function signOutLocally(): void {
  storage()?.removeItem(TOKEN);
  storage()?.removeItem(EXPIRES);
}

/** Signs out; with Cognito also ends the hosted-UI session, else the next "Sign in" would skip the password. */
export async function signOut(): Promise<void> {
  signOutLocally();
  const config = await loadConfig();
  if (config.auth === 'cognito') {
    const logout = new URL(`https://${config.domain}/logout`);
    logout.searchParams.set('client_id', config.clientId);
    logout.searchParams.set('logout_uri', redirectUri());
    location.assign(logout.toString());
    return;
  }
  location.hash = '#/login';
}

/** Exchanges the one-time code of the login link printed by `cascade serve` (a second use answers 410). */
export async function exchangeLoginCode(code: string): Promise<void> {
  const response = await fetch(`${location.origin}/console/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ code }),
  });
  if (response.status === 410) throw new Error('This login link was already used. Sign in with the operator token.');
  if (!response.ok)
    throw new Error(`The login link was refused (${response.status}). Sign in with the operator token.`);
  const body = (await response.json()) as { token?: unknown };
  if (typeof body.token !== 'string' || !body.token) throw new Error('The login answer carried no token.');
  storeToken(body.token);
}

// ---- Cognito: authorization code + PKCE (RFC 7636)

/** The app's own URL without query or hash: the callback and logout URL registered on the app client. */
export function redirectUri(): string {
  return `${location.origin}${location.pathname}`;
}

export function base64Url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier. */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

/** The hosted UI's authorize URL. */
export function authorizeUrl(
  config: Extract<ConsoleConfig, { auth: 'cognito' }>,
  redirect: string,
  state: string,
  challenge: string,
): string {
  const url = new URL(`https://${config.domain}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: redirect,
    scope: 'openid email',
    state,
    code_challenge_method: 'S256',
    code_challenge: challenge,
  }).toString();
  return url.toString();
}

/** Goes to the hosted UI; `returnTo` is the hash to open after sign-in. */
export async function startCognitoSignIn(
  config: Extract<ConsoleConfig, { auth: 'cognito' }>,
  returnTo: string,
): Promise<void> {
  const verifier = randomString();
  const state = randomString();
  storage()?.setItem(PKCE, JSON.stringify({ verifier, state, returnTo }));
  location.assign(authorizeUrl(config, redirectUri(), state, await codeChallenge(verifier)));
}

/**
 * Completes the Cognito sign-in when the page comes back with `?code=…&state=…`: checks the state, trades the
 * code for tokens and cleans the URL. Returns the hash to open, or undefined when there was nothing to do.
 */
export async function completeCognitoSignIn(config: ConsoleConfig): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  if (config.auth !== 'cognito' || !code) return undefined;
  const saved = JSON.parse(storage()?.getItem(PKCE) ?? 'null') as {
    verifier: string;
    state: string;
    returnTo: string;
  } | null;
  storage()?.removeItem(PKCE);
  history.replaceState(null, '', redirectUri() + location.hash);
  if (!saved || saved.state !== params.get('state'))
    throw new Error('The sign-in answer did not match; sign in again.');
  const response = await fetch(`https://${config.domain}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config.clientId,
      code,
      redirect_uri: redirectUri(),
      code_verifier: saved.verifier,
    }).toString(),
  });
  if (!response.ok) throw new Error(`Cognito refused the sign-in (${response.status}); sign in again.`);
  const tokens = (await response.json()) as { access_token?: string; expires_in?: number };
  if (!tokens.access_token) throw new Error('Cognito answered without an access token.');
  // The access token: API Gateway's JWT authorizer checks its client_id against the app client.
  storeToken(tokens.access_token, tokens.expires_in);
  return saved.returnTo || '#/campaigns';
}
