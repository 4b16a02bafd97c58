import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { errorMessage } from './api';
import { signOut } from './auth';
import { NAV_LINKS, type Route } from './router';

/**
 * The frame of every signed-in page: header with the nav landmark "Console" and "Sign out", then `<main>`.
 * app.tsx wraps each page in it, so a page renders only its own content (its one `h1` first). A page that wraps
 * itself in Layout anyway gets no second frame (the context below).
 *
 * Shared bits for pages: `ErrorAlert` (the `role="alert"` region for API errors), `Loading`, `Section`.
 */

const Framed = createContext(false);

export function Layout(props: { route?: Route; children: ComponentChildren }) {
  if (useContext(Framed)) return <>{props.children}</>;
  return (
    <Framed.Provider value={true}>
      <button type="button" class="skip" onClick={skipToMain}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">Cascade</span>
        <nav aria-label="Console">
          <ul>
            {NAV_LINKS.map((link) => (
              <li key={link.href}>
                <a
                  href={link.href}
                  aria-current={props.route && link.routes.includes(props.route.name) ? 'page' : undefined}
                >
                  {link.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" class="secondary" onClick={() => void signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </Framed.Provider>
  );
}

// A button, not a "#main" link: the hash belongs to the router.
function skipToMain() {
  document.getElementById('main')?.focus();
}

/** The alert region: empty until there is an error, then its message (screen readers announce it). */
export function ErrorAlert(props: { error: unknown }) {
  return (
    <div role="alert" class={props.error ? 'alert' : 'alert empty'}>
      {props.error ? errorMessage(props.error) : null}
    </div>
  );
}

export function Loading(props: { what?: string }) {
  return (
    <p class="muted" aria-live="polite">
      Loading{props.what ? ` ${props.what}` : ''}…
    </p>
  );
}

/** A titled `<section>`: its h2 names the region (`getByRole('region', {name})`). */
export function Section(props: {
  title: string;
  id?: string;
  children: ComponentChildren;
  actions?: ComponentChildren;
}) {
  const headingId = `${props.id ?? slug(props.title)}-heading`;
  return (
    <section aria-labelledby={headingId} class="card">
      <div class="section-head">
        <h2 id={headingId}>{props.title}</h2>
        {props.actions ? <div class="actions">{props.actions}</div> : null}
      </div>
      {props.children}
    </section>
  );
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}
