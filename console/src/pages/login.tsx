import { useEffect, useState } from 'preact/hooks';
import { exchangeLoginCode, startCognitoSignIn, storeToken } from '../auth';
import { type ConsoleConfig, loadConfig } from '../config';
import { ErrorAlert } from '../layout';
import { href, navigate } from '../router';

/** Where to go after sign-in: the `next` hash kept when a page sent the user here, else the campaigns. */
export function nextHash(query: URLSearchParams): string {
  const next = query.get('next');
  // Only a hash route of this app: never an open redirect to another site.
  return next?.startsWith('#/') && !next.startsWith('#/login') ? next : href.campaigns();
}

/**
 * Sign-in. With `?code=` (the one-time link `cascade serve` prints) the code is exchanged at once; otherwise the
 * operator token form, or with Cognito a button to its hosted sign-in page.
 */
export default function LoginPage(props: { query: URLSearchParams }) {
  const [config, setConfig] = useState<ConsoleConfig | undefined>(undefined);
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(() => takeBootError());
  const [busy, setBusy] = useState(false);
  const code = props.query.get('code');

  useEffect(() => {
    void loadConfig().then(setConfig);
  }, []);
  useEffect(() => {
    if (!code) return;
    setBusy(true);
    exchangeLoginCode(code).then(
      () => navigate(nextHash(props.query)),
      (problem: unknown) => {
        setError(problem);
        setBusy(false);
        // Drop the spent code from the address so a reload does not try it again.
        history.replaceState(null, '', `${location.pathname}${location.search}#/login`);
      },
    );
  }, [code]);

  const submit = (event: Event) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError(new Error('Enter the operator token.'));
      return;
    }
    storeToken(value);
    navigate(nextHash(props.query));
  };

  return (
    <main id="main" class="login">
      <div class="card">
        <h1>Cascade console</h1>
        <ErrorAlert error={error} />
        {busy ? (
          <p aria-live="polite">Signing in with the login link…</p>
        ) : config?.auth === 'cognito' ? (
          <>
            <p>Sign in with your console account.</p>
            <button type="button" onClick={() => void startCognitoSignIn(config, nextHash(props.query))}>
              Sign in
            </button>
          </>
        ) : (
          <form onSubmit={submit}>
            <p class="muted">
              Open the login link <code>cascade serve</code> printed, or paste the operator token (
              <code>CASCADE_API_TOKEN</code>, shown as “Token” at start).
            </p>
            <label for="token">Operator token</label>
            <input
              id="token"
              type="password"
              autoComplete="current-password"
              value={token}
              onInput={(event) => setToken((event.target as HTMLInputElement).value)}
            />
            <button type="submit">Sign in</button>
          </form>
        )}
      </div>
    </main>
  );
}

function takeBootError(): unknown {
  const message = sessionStorage.getItem('cascade.console.loginError');
  if (!message) return undefined;
  sessionStorage.removeItem('cascade.console.loginError');
  return new Error(message);
}
