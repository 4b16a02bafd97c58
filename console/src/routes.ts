/**
 * Hash routing: the console is static files, so the path after `#` names the page and any host (S3, `cascade
 * serve`) can serve `index.html` unchanged. The mapping from route to page component is in app.tsx.
 * No DOM here (unit tests and the root tsconfig import it); router.ts adds the browser side.
 */
export type Route =
  | { name: 'login'; query: URLSearchParams }
  | { name: 'campaigns'; query: URLSearchParams }
  | { name: 'campaign'; id: string; query: URLSearchParams }
  | { name: 'lead'; id: string; query: URLSearchParams }
  | { name: 'tasks' | 'parked' | 'senders' | 'suppressions' | 'webhooks'; query: URLSearchParams }
  | { name: 'notFound'; path: string; query: URLSearchParams };

const SIMPLE = ['login', 'campaigns', 'tasks', 'parked', 'senders', 'suppressions', 'webhooks'] as const;

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** `#/campaigns/c-1?x=1` → `{name: 'campaign', id: 'c-1', query}`; an empty hash is the campaigns list. */
export function parseHash(hash: string): Route {
  const text = hash.replace(/^#/, '');
  const mark = text.indexOf('?');
  const path = mark === -1 ? text : text.slice(0, mark);
  const query = new URLSearchParams(mark === -1 ? '' : text.slice(mark + 1));
  const segments = path.split('/').filter(Boolean);
  const [first, second, ...rest] = segments;
  if (first === undefined) return { name: 'campaigns', query };
  if (rest.length === 0 && second !== undefined) {
    const id = decode(second);
    if (id && first === 'campaigns') return { name: 'campaign', id, query };
    if (id && first === 'leads') return { name: 'lead', id, query };
  }
  if (second === undefined) {
    const simple = SIMPLE.find((name) => name === first);
    if (simple) return { name: simple, query } as Route;
  }
  return { name: 'notFound', path, query };
}

/** Links, so pages never build hashes by hand. */
export const href = {
  login: () => '#/login',
  campaigns: () => '#/campaigns',
  campaign: (id: string) => `#/campaigns/${encodeURIComponent(id)}`,
  lead: (id: string) => `#/leads/${encodeURIComponent(id)}`,
  tasks: () => '#/tasks',
  parked: () => '#/parked',
  senders: () => '#/senders',
  suppressions: () => '#/suppressions',
  webhooks: () => '#/webhooks',
};

/** The nav links, in order (the accessibility contract names them). */
export const NAV_LINKS: readonly { label: string; href: string; routes: readonly Route['name'][] }[] = [
  { label: 'Campaigns', href: href.campaigns(), routes: ['campaigns', 'campaign', 'lead'] },
  { label: 'Tasks', href: href.tasks(), routes: ['tasks'] },
  { label: 'Parked leads', href: href.parked(), routes: ['parked'] },
  { label: 'Senders', href: href.senders(), routes: ['senders'] },
  { label: 'Suppressions', href: href.suppressions(), routes: ['suppressions'] },
  { label: 'Webhooks', href: href.webhooks(), routes: ['webhooks'] },
];
