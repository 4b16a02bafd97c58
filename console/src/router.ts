import { useEffect, useState } from 'preact/hooks';
import { parseHash, type Route } from './routes';

/** The browser side of the hash routing; the pure part (routes, links, nav) is routes.ts, re-exported here. */
export { href, NAV_LINKS, parseHash, type Route } from './routes';

/** Goes to a hash route (the `hashchange` listener renders it). */
export function navigate(hash: string): void {
  if (location.hash !== hash) location.hash = hash;
}

/** The current route, re-rendered on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseHash(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}
