import { useEffect } from 'preact/hooks';
import { isSignedIn } from './auth';
import { Layout } from './layout';
import CampaignPage from './pages/campaign';
import CampaignsPage from './pages/campaigns';
import LeadPage from './pages/lead';
import LoginPage from './pages/login';
import ParkedPage from './pages/parked';
import SendersPage from './pages/senders';
import SuppressionsPage from './pages/suppressions';
import TasksPage from './pages/tasks';
import WebhooksPage from './pages/webhooks';
import { href, navigate, type Route, useRoute } from './router';

/** The page of a route (every signed-in page inside the Layout frame). */
function page(route: Route) {
  switch (route.name) {
    case 'campaigns':
      return <CampaignsPage />;
    case 'campaign':
      return <CampaignPage id={route.id} />;
    case 'lead':
      return <LeadPage id={route.id} />;
    case 'tasks':
      return <TasksPage />;
    case 'parked':
      return <ParkedPage />;
    case 'senders':
      return <SendersPage />;
    case 'suppressions':
      return <SuppressionsPage />;
    case 'webhooks':
      return <WebhooksPage />;
    default:
      return (
        <>
          <h1>Page not found</h1>
          <p>
            Nothing lives at this address. <a href={href.campaigns()}>Go to the campaigns</a>.
          </p>
        </>
      );
  }
}

const TITLES: Partial<Record<Route['name'], string>> = {
  login: 'Sign in',
  campaigns: 'Campaigns',
  campaign: 'Campaign',
  lead: 'Lead',
  tasks: 'Tasks',
  parked: 'Parked leads',
  senders: 'Senders',
  suppressions: 'Suppressions',
  webhooks: 'Webhooks',
};

export function App() {
  const route = useRoute();
  const signedIn = isSignedIn();
  const mustSignIn = route.name !== 'login' && !signedIn;
  useEffect(() => {
    document.title = `${TITLES[route.name] ?? 'Not found'} · Cascade console`;
    // A new page: move focus to its top so keyboard and screen-reader users start there.
    if (route.name !== 'login') document.getElementById('main')?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [route.name, route.name === 'campaign' || route.name === 'lead' ? route.id : '']);
  useEffect(() => {
    if (mustSignIn) navigate(`#/login?next=${encodeURIComponent(location.hash || href.campaigns())}`);
  }, [mustSignIn]);
  if (route.name === 'login') return <LoginPage query={route.query} />;
  if (mustSignIn) return null;
  return <Layout route={route}>{page(route)}</Layout>;
}
