import { describe, expect, it } from 'vitest';
import { companyDomainsOf } from '#shared/store/company-index';

describe('companyDomainsOf', () => {
  it('takes the address and website domains, lower-cased, without www', () => {
    expect(companyDomainsOf({ email: 'Ann@ACME.example', website: 'https://www.acme.io/about' })).toEqual([
      'acme.example',
      'acme.io',
    ]);
    expect(companyDomainsOf({ email: 'bob@acme.example', website: 'acme.example' })).toEqual(['acme.example']);
  });

  it('never counts free-mail domains or sites that host many companies', () => {
    expect(companyDomainsOf({ email: 'cat@gmail.com' })).toEqual([]);
    expect(companyDomainsOf({ email: 'dan@GMX.de', website: 'https://www.linkedin.com/company/acme' })).toEqual([]);
    expect(companyDomainsOf({ email: 'eve@gmail.com', website: 'beta.example' })).toEqual(['beta.example']);
  });

  it('ignores what is not a domain', () => {
    expect(companyDomainsOf({ email: 'nobody', website: 'not a url' })).toEqual([]);
    expect(companyDomainsOf({ email: 'x@localhost' })).toEqual([]);
  });
});
