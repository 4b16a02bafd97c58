import { generateKeyPairSync } from 'node:crypto';
import type { GetEmailIdentityCommand, GetEmailIdentityCommandOutput } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import type { DnsResolver } from '#shared/senders/dns';
import { checkSenderHealth, type HealthOptions } from '#shared/senders/health';
import type { Sender } from '#shared/senders/schema';
import type { SesIdentityClient } from '#shared/senders/ses-identity';
import { runWithClock } from '#shared/time/clock';

/**
 * The deliverability check on five domain set-ups served by an in-process resolver and a fake SES: nothing
 * leaves the process. Each set-up is what the check must tell apart (PRODUCT.md §10, issue 15 acceptance).
 */

/** amazonses.com's published SPF record: the includes of the set-ups below end here. */
const AMAZONSES_SPF = 'v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 ip4:54.240.0.0/18 ip4:69.169.224.0/20 -all';
const DKIM_KEY = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .publicKey.export({ type: 'spki', format: 'der' })
  .toString('base64');
const dkimRecord = `v=DKIM1; k=rsa; p=${DKIM_KEY}`;
const SELECTORS = ['tok1abc', 'tok2def'];

type Zone = Record<string, Record<string, string[][] | string[]>>;

/** Answers like node:dns: ENOTFOUND for an unknown name, ENODATA for a known name without that type. */
function zoneResolver(zone: Zone): DnsResolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (name: string, rrtype: string) => {
    asked.push(`${rrtype} ${name}`);
    const records = zone[name.toLowerCase()];
    if (!records) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    const answer = records[rrtype];
    if (!answer) throw Object.assign(new Error(`queryTxt ENODATA ${name}`), { code: 'ENODATA' });
    return answer;
  };
  return Object.assign(resolve, { asked });
}

const txt = (...records: string[]) => ({ TXT: records.map((record) => [record]) });

/** Easy DKIM published: each selector's key, as the CNAME to dkim.amazonses.com resolves. */
const dkimZone = (domain: string): Zone =>
  Object.fromEntries(SELECTORS.map((selector) => [`${selector}._domainkey.${domain}`, txt(dkimRecord)]));

interface SesSetup {
  dkimStatus?: 'SUCCESS' | 'PENDING' | 'FAILED';
  mailFrom?: string;
  /** Only the address is an identity (its domain is not): SES signs and sends with amazonses.com. */
  addressOnly?: boolean;
}

function fakeSes(domain: string, setup: SesSetup): SesIdentityClient & { asked: string[] } {
  const asked: string[] = [];
  const send = async (command: GetEmailIdentityCommand): Promise<GetEmailIdentityCommandOutput> => {
    const identity = command.input.EmailIdentity ?? '';
    asked.push(identity);
    if (identity === domain && setup.addressOnly) throw Object.assign(new Error('gone'), { name: 'NotFoundException' });
    return {
      $metadata: {},
      VerifiedForSendingStatus: true,
      DkimAttributes: setup.addressOnly
        ? { SigningEnabled: false, Status: 'NOT_STARTED' }
        : { SigningEnabled: true, Status: setup.dkimStatus ?? 'SUCCESS', Tokens: SELECTORS },
      ...(setup.mailFrom && {
        MailFromAttributes: {
          MailFromDomain: setup.mailFrom,
          MailFromDomainStatus: 'SUCCESS',
          BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
        },
      }),
    };
  };
  return { send, asked } as SesIdentityClient & { asked: string[] };
}

function sender(email: string, fields: Partial<Sender> = {}): Sender {
  return {
    senderId: 'snd-1',
    name: 'Ada',
    email,
    dailyLimit: 50,
    state: 'ACTIVE',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
}

/** The check with the per-sender counters of a sender that has not sent yet, unless a test gives its own. */
const check = (record: Sender, options: HealthOptions) =>
  checkSenderHealth(record, { rates: async () => ({ sent: 0, bounceRate: 0, complaintRate: 0 }), ...options });

describe('checkSenderHealth', () => {
  it('all good: SPF includes SES on the MAIL FROM domain, DKIM keys published, DMARC p=reject aligned', async () => {
    // Prepare
    const resolver = zoneResolver({
      'amazonses.com': txt(AMAZONSES_SPF),
      'mail.good.test': txt('v=spf1 include:amazonses.com -all'),
      '_dmarc.good.test': txt('v=DMARC1; p=reject; rua=mailto:dmarc@good.test'),
      ...dkimZone('good.test'),
    });
    const ses = fakeSes('good.test', { mailFrom: 'mail.good.test' });

    // Act
    const health = await check(sender('hello@good.test'), { resolver, ses });

    // Assess
    expect(health).toMatchObject({
      overall: 'pass',
      spf: 'pass',
      spfDomain: 'mail.good.test',
      dkim: 'pass',
      dkimSelectors: SELECTORS,
      dmarc: 'pass',
      dmarcPolicy: 'reject',
      aligned: true,
      spfAligned: true,
      dkimAligned: true,
      sesIdentity: 'good.test',
      sesVerifiedForSending: true,
      sesDkimStatus: 'SUCCESS',
      problems: [],
    });
    expect(resolver.asked).toContain(`TXT ${SELECTORS[1]}._domainkey.good.test`);
  });

  it('no SPF: reported as none and not aligned through SPF, while DKIM still aligns', async () => {
    // Prepare
    const resolver = zoneResolver({
      'mail.nospf.test': { MX: ['feedback-smtp.us-east-1.amazonses.com'] },
      '_dmarc.nospf.test': txt('v=DMARC1; p=quarantine'),
      ...dkimZone('nospf.test'),
    });
    const ses = fakeSes('nospf.test', { mailFrom: 'mail.nospf.test' });

    // Act
    const health = await check(sender('hi@nospf.test'), { resolver, ses });

    // Assess
    expect(health).toMatchObject({ overall: 'fail', spf: 'none', spfAligned: false, dkim: 'pass', dmarc: 'pass' });
    expect(health.problems).toContain('SPF: mail.nospf.test publishes no SPF record');
  });

  it('DKIM missing: SES has selectors but DNS publishes none of their keys', async () => {
    // Prepare
    const resolver = zoneResolver({
      'amazonses.com': txt(AMAZONSES_SPF),
      'mail.nodkim.test': txt('v=spf1 include:amazonses.com ~all'),
      '_dmarc.nodkim.test': txt('v=DMARC1; p=reject'),
    });
    const ses = fakeSes('nodkim.test', { mailFrom: 'mail.nodkim.test', dkimStatus: 'PENDING' });

    // Act
    const health = await check(sender('hi@nodkim.test'), { resolver, ses });

    // Assess
    expect(health).toMatchObject({
      overall: 'fail',
      dkim: 'none',
      dkimAligned: false,
      sesDkimStatus: 'PENDING',
      spf: 'pass',
      spfAligned: true,
      dmarc: 'pass',
    });
    expect(health.problems.join('\n')).toContain(`${SELECTORS[0]}._domainkey.nodkim.test`);
  });

  it('DMARC p=none unaligned: the address is the identity, so SES signs and sends as amazonses.com', async () => {
    // Prepare
    const resolver = zoneResolver({
      'amazonses.com': txt(AMAZONSES_SPF),
      'acme.test': txt('v=spf1 include:amazonses.com ~all'),
      '_dmarc.acme.test': txt('v=DMARC1; p=none'),
    });
    const ses = fakeSes('acme.test', { addressOnly: true });

    // Act
    const health = await check(sender('sales@acme.test'), { resolver, ses });

    // Assess
    expect(health).toMatchObject({
      overall: 'fail',
      spf: 'pass',
      spfDomain: 'acme.test',
      dmarc: 'fail',
      dmarcPolicy: 'none',
      aligned: false,
      spfAligned: false,
      dkimAligned: false,
      sesIdentity: 'sales@acme.test',
      sesMailFromDomain: null,
    });
    expect(ses.asked).toEqual(['acme.test', 'sales@acme.test']);
    expect(health.problems).toContain('DMARC: neither SPF nor DKIM aligns with acme.test');
  });

  it.each([['ETIMEOUT'], ['ESERVFAIL']])(
    'DNS unreachable (%s): SPF, DKIM and DMARC are unknown, SES parts still reported',
    async (code) => {
      // Prepare
      const resolver: DnsResolver = async (name) => {
        throw Object.assign(new Error(`query ${code} ${name}`), { code });
      };
      const ses = fakeSes('down.test', { mailFrom: 'mail.down.test' });

      // Act
      const health = await check(sender('hi@down.test'), { resolver, ses });

      // Assess
      expect(health).toMatchObject({
        overall: 'unknown',
        spf: 'unknown',
        dkim: 'unknown',
        dmarc: 'unknown',
        dmarcPolicy: null,
        aligned: null,
        sesVerifiedForSending: true,
      });
    },
  );

  it('a resolver that never answers is cut off by the lookup timeout and reads as unknown', async () => {
    // Prepare
    const resolver: DnsResolver = () => new Promise(() => undefined);
    const started = Date.now();

    // Act
    const health = await check(sender('hi@slow.test'), {
      resolver,
      ses: fakeSes('slow.test', {}),
      dnsTimeoutMs: 50,
    });

    // Assess
    expect(health).toMatchObject({ spf: 'unknown', dkim: 'unknown', dmarc: 'unknown' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('SES unreachable: SES parts unknown, DKIM unknown (its selectors come from SES), DNS parts still judged', async () => {
    // Prepare
    const resolver = zoneResolver({ '_dmarc.nosesa.test': txt('v=DMARC1; p=reject') });
    const ses: SesIdentityClient = {
      send: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' });
      },
    };

    // Act
    const health = await check(sender('hi@nosesa.test'), { resolver, ses });

    // Assess
    expect(health).toMatchObject({
      overall: 'fail',
      spf: 'none',
      dkim: 'unknown',
      dmarc: 'unknown',
      dmarcPolicy: 'reject',
      sesVerifiedForSending: null,
      sesDkimStatus: 'unknown',
      sesIdentity: null,
    });
  });

  it("reports state, today's warm-up allowance and the 7-day rates with the checks", async () => {
    // Prepare
    const warming = sender('hi@good.test', {
      state: 'PAUSED',
      pausedReason: 'bounce rate 6%',
      warmup: { startPerDay: 10, increasePerDay: 5 },
      firstSendDay: '2026-05-10',
    });
    const clock = { nowMs: () => Date.parse('2026-05-13T23:59:00Z') };
    const rates = async () => ({ sent: 200, bounceRate: 0.06, complaintRate: 0.001 });

    // Act
    const health = await runWithClock(clock, () =>
      check(warming, { resolver: zoneResolver({}), ses: fakeSes('good.test', {}), rates }),
    );

    // Assess
    expect(health).toMatchObject({ state: 'PAUSED', pausedReason: 'bounce rate 6%', dailyLimit: 50 });
    expect(health).toMatchObject({ day: '2026-05-13', warmupLimitToday: 25 });
    expect(health).toMatchObject({ sent7d: 200, bounceRate7d: 0.06, complaintRate7d: 0.001 });
  });

  it('reports no rates before the first send, and none when the counters cannot be read', async () => {
    // Prepare
    const options = { resolver: zoneResolver({}), ses: fakeSes('good.test', {}) };
    const unreadable = async () => {
      throw new Error('ResourceNotFoundException');
    };

    // Act
    const unsent = await check(sender('hi@good.test'), options);
    const unread = await check(sender('hi@good.test'), { ...options, rates: unreadable });

    // Assess
    expect(unsent).toMatchObject({ sent7d: 0, bounceRate7d: null, complaintRate7d: null });
    expect(unread).toMatchObject({ sent7d: null, bounceRate7d: null, complaintRate7d: null });
  });
});
