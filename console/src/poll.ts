import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/**
 * Live pages: reload every 5 s so a `--time-scale` run can be watched, but not while the tab is hidden (no load
 * on the API for nobody), and at once when it comes back.
 */
export const POLL_MS = 5_000;

export interface Poller {
  stop(): void;
  /** Loads now and restarts the wait. */
  now(): void;
}

export interface Visibility {
  hidden(): boolean;
  onChange(listener: () => void): () => void;
}

/** The page's visibility; typed here so this file needs no DOM types (unit tests import it under Node). */
interface VisibilityDocument {
  hidden: boolean;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

const page = () => (globalThis as { document?: VisibilityDocument }).document;

const documentVisibility: Visibility = {
  hidden: () => page()?.hidden === true,
  onChange(listener) {
    page()?.addEventListener('visibilitychange', listener);
    return () => page()?.removeEventListener('visibilitychange', listener);
  },
};

/**
 * Calls `tick` at once, then `intervalMs` after each tick settles (never two at a time, never piling up behind
 * a slow API); skips while hidden and ticks when visible again.
 */
export function startPolling(
  tick: () => Promise<unknown>,
  intervalMs = POLL_MS,
  visibility: Visibility = documentVisibility,
): Poller {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let stopped = false;
  const schedule = () => {
    clearTimeout(timer);
    if (!stopped && !visibility.hidden()) timer = setTimeout(run, intervalMs);
  };
  const run = () => {
    if (stopped || running || visibility.hidden()) return;
    running = true;
    tick()
      .catch(() => undefined) // the caller shows its errors; polling goes on
      .finally(() => {
        running = false;
        schedule();
      });
  };
  const unsubscribe = visibility.onChange(() => (visibility.hidden() ? clearTimeout(timer) : run()));
  run();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
    },
    now() {
      clearTimeout(timer);
      run();
    },
  };
}

export interface Polled<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Reloads at once (after an action). */
  refresh: () => void;
}

/**
 * Loads `load()` and reloads it every 5 s while the page shows; `deps` restart it (other id, other filter).
 * Keeps the last good data when a reload fails, and clears the error on the next success.
 */
export function usePoll<T>(load: () => Promise<T>, deps: readonly unknown[], intervalMs = POLL_MS): Polled<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  const poller = useRef<Poller | undefined>(undefined);
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    let live = true;
    setState({ data: undefined, error: undefined, loading: true });
    poller.current = startPolling(
      () =>
        loader.current().then(
          (data) => live && setState({ data, error: undefined, loading: false }),
          (error: unknown) => live && setState((previous) => ({ ...previous, error, loading: false })),
        ),
      intervalMs,
    );
    return () => {
      live = false;
      poller.current?.stop();
    };
  }, deps);
  const refresh = useCallback(() => poller.current?.now(), []);
  return { ...state, refresh };
}
