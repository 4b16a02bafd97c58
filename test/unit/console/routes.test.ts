import { describe, expect, it } from 'vitest';
import { href, NAV_LINKS, parseHash } from '../../../console/src/routes';

describe('parseHash', () => {
  it('opens the campaigns list on an empty hash', () => {
    // Act
    const routes = ['', '#', '#/'].map((hash) => parseHash(hash).name);

    // Assess
    expect(routes).toEqual(['campaigns', 'campaigns', 'campaigns']);
  });

  it('reads a campaign and a lead id, decoded, with the query', () => {
    // Act
    const campaign = parseHash('#/campaigns/c%2F1?x=1');
    const lead = parseHash('#/leads/lead-7');

    // Assess
    expect(campaign).toMatchObject({ name: 'campaign', id: 'c/1' });
    expect(campaign.query.get('x')).toBe('1');
    expect(lead).toMatchObject({ name: 'lead', id: 'lead-7' });
  });

  it('keeps the one-time login code of the link serve prints', () => {
    // Act
    const route = parseHash('#/login?code=abc123');

    // Assess
    expect(route.name).toBe('login');
    expect(route.query.get('code')).toBe('abc123');
  });

  it('names every page of the nav and nothing else', () => {
    // Act
    const names = ['tasks', 'parked', 'senders', 'suppressions', 'webhooks'].map((page) => parseHash(`#/${page}`).name);
    const unknown = [parseHash('#/nope'), parseHash('#/campaigns/a/b'), parseHash('#/leads/%E0%A4%A')];

    // Assess
    expect(names).toEqual(['tasks', 'parked', 'senders', 'suppressions', 'webhooks']);
    expect(unknown.map((route) => route.name)).toEqual(['notFound', 'notFound', 'notFound']);
  });

  it('reads back every link it builds', () => {
    // Act
    const campaign = parseHash(href.campaign('a b/c'));
    const lead = parseHash(href.lead('l#1'));
    const nav = NAV_LINKS.map((link) => parseHash(link.href).name);

    // Assess
    expect(campaign).toMatchObject({ name: 'campaign', id: 'a b/c' });
    expect(lead).toMatchObject({ name: 'lead', id: 'l#1' });
    expect(nav).toEqual(['campaigns', 'tasks', 'parked', 'senders', 'suppressions', 'webhooks']);
    expect(NAV_LINKS.map((link) => link.label)).toEqual([
      'Campaigns',
      'Tasks',
      'Parked leads',
      'Senders',
      'Suppressions',
      'Webhooks',
    ]);
  });
});
