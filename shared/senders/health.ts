import { dmarc } from 'mailauth/lib/dmarc/index.js';
import { spf } from 'mailauth/lib/spf/index.js';
import { getAlignment, getPublicKey } from 'mailauth/lib/tools.js';
import { sesClient } from '../aws/clients';
import { nowIso } from '../time/clock';
import { boundedResolver, type DnsResolver, isNoRecord, systemResolver } from './dns';
import { type CheckResult, type Sender, type SenderHealth, warmupLimitOn } from './schema';
import { senderRates } from './sender-health';
import { readSesIdentity, type SesIdentity, type SesIdentityClient } from './ses-identity';

/**
 * The deliverability check of a sender (PRODUCT.md §10): SPF, DKIM and DMARC of its domain read from DNS and
 * judged by mailauth, the SES identity's verification and DKIM status, alignment with the From address, and
 * today's warm-up allowance. Anything DNS or SES cannot answer is `unknown`/null: the check never throws.
 */

export interface HealthOptions {
  /** DNS lookups (default: the system resolver); each bounded by `dnsTimeoutMs`. */
  resolver?: DnsResolver;
  /** Default `sesClient()`. */
  ses?: SesIdentityClient;
  dnsTimeoutMs?: number;
  /** The sender's 7-day sends, bounce and complaint rates (default: the send path's per-sender counters). */
  rates?: (senderId: string) => Promise<SevenDayRates>;
}

export interface SevenDayRates {
  sent: number;
  bounceRate: number;
  complaintRate: number;
}

/**
 * An address SES sends from: amazonses.com's SPF record authorises 54.240.0.0/18. A domain's SPF passes for
 * it exactly when the record (through `include:amazonses.com` or another include) lets SES send.
 */
export const SES_PROBE_IP = '54.240.0.1';
const SES_ENVELOPE = 'amazonses.com';

type Policy = SenderHealth['dmarcPolicy'];
const POLICIES = new Set(['none', 'quarantine', 'reject']);

export async function checkSenderHealth(sender: Sender, options: HealthOptions = {}): Promise<SenderHealth> {
  const domain = sender.email.slice(sender.email.lastIndexOf('@') + 1).toLowerCase();
  const resolver = boundedResolver(options.resolver ?? systemResolver(options.dnsTimeoutMs), {
    perLookupMs: options.dnsTimeoutMs,
  });
  const ses = await readSesIdentity(options.ses ?? sesClient(), domain, sender.email).catch(() => undefined);
  const spfDomain = ses?.mailFromDomain ?? domain;
  const [spfResult, dkimResult] = await Promise.all([checkSpf(spfDomain, resolver), checkDkim(domain, ses, resolver)]);
  const alignment = await checkDmarc(domain, { ses, spf: spfResult, dkim: dkimResult }, resolver);
  const rates = await (options.rates ?? senderRates)(sender.senderId).catch(() => undefined);
  const checkedAt = nowIso();
  const day = checkedAt.slice(0, 10);
  const report: Omit<SenderHealth, 'overall' | 'problems'> = {
    senderId: sender.senderId,
    email: sender.email,
    domain,
    checkedAt,
    spf: spfResult,
    spfDomain,
    dkim: dkimResult,
    dkimSelectors: ses?.selectors ?? [],
    ...alignment,
    sesIdentity: ses?.identity ?? null,
    sesVerifiedForSending: ses ? ses.verifiedForSending : null,
    sesDkimStatus: ses?.dkimStatus ?? 'unknown',
    sesMailFromDomain: ses?.mailFromDomain ?? null,
    // A rate of no sends is no rate: null until the sender has sent (or when the counters cannot be read).
    sent7d: rates ? rates.sent : null,
    bounceRate7d: rates?.sent ? rates.bounceRate : null,
    complaintRate7d: rates?.sent ? rates.complaintRate : null,
    state: sender.state,
    ...(sender.pausedReason && { pausedReason: sender.pausedReason }),
    day,
    dailyLimit: sender.dailyLimit,
    warmupLimitToday: warmupLimitOn(sender, day),
    ...(sender.firstSendDay && { firstSendDay: sender.firstSendDay }),
  };
  const problems = problemsOf(report);
  return { ...report, overall: overallOf(report), problems };
}

/** mailauth's SPF verdict for an SES address sending as `postmaster@<domain>`. */
async function checkSpf(domain: string, resolver: DnsResolver): Promise<CheckResult> {
  try {
    const result = await spf({ sender: `postmaster@${domain}`, ip: SES_PROBE_IP, mta: 'cascade', resolver });
    switch (result.status.result) {
      case 'pass':
        return 'pass';
      case 'none':
        return 'none';
      case 'temperror':
        return 'unknown';
      default:
        // fail, softfail, neutral: SES is not authorised; permerror: the record is broken.
        return 'fail';
    }
  } catch {
    return 'unknown';
  }
}

type KeyResult = 'valid' | 'missing' | 'invalid' | 'unreadable';

/** The DKIM public key of one selector: found and valid, not published, broken, or not readable. */
async function dkimKey(selector: string, domain: string, resolver: DnsResolver): Promise<KeyResult> {
  try {
    await getPublicKey('DKIM', `${selector}._domainkey.${domain}`, undefined, resolver);
    return 'valid';
  } catch (error) {
    if (isNoRecord(error)) return 'missing';
    const code = (error as { code?: string })?.code ?? '';
    return /^E(INVALID|SHORTKEY)/.test(code) ? 'invalid' : 'unreadable';
  }
}

/** Every selector SES signs with has a valid key in DNS (Easy DKIM verifies only when all do). */
async function checkDkim(domain: string, ses: SesIdentity | undefined, resolver: DnsResolver): Promise<CheckResult> {
  if (!ses) return 'unknown';
  if (ses.selectors.length === 0) return 'none';
  const keys = await Promise.all(ses.selectors.map((selector) => dkimKey(selector, domain, resolver)));
  if (keys.includes('unreadable')) return 'unknown';
  if (keys.every((key) => key === 'valid')) return 'pass';
  return keys.every((key) => key === 'missing') ? 'none' : 'fail';
}

interface Known {
  ses: SesIdentity | undefined;
  spf: CheckResult;
  dkim: CheckResult;
}
type Alignment = Pick<SenderHealth, 'dmarc' | 'dmarcPolicy' | 'aligned' | 'spfAligned' | 'dkimAligned'>;

/**
 * DMARC of the From domain, evaluated by mailauth on the identifiers SES mail actually carries: the custom
 * MAIL FROM domain when its SPF passes (else SES's own amazonses.com envelope, never aligned), and the From
 * domain itself when SES signs with it and its keys are published.
 */
async function checkDmarc(domain: string, known: Known, resolver: DnsResolver): Promise<Alignment> {
  const spfDomains = known.ses?.mailFromDomain && known.spf === 'pass' ? [known.ses.mailFromDomain] : [];
  const dkimDomains = known.ses?.dkimSigning && known.dkim === 'pass' ? [{ domain }] : [];
  let result: Awaited<ReturnType<typeof dmarc>>;
  try {
    result = await dmarc({ headerFrom: domain, spfDomains, dkimDomains, resolver });
  } catch {
    result = false;
  }
  const status = result ? result.status.result : 'temperror';
  const aligned = result && 'alignment' in result ? result.alignment : undefined;
  const spfAligned = spfAlignment(known, aligned ? Boolean(aligned.spf.result) : hasAlignment(domain, spfDomains));
  const dkimAligned = dkimAlignment(known, aligned ? Boolean(aligned.dkim.result) : hasAlignment(domain, dkimDomains));
  const either = spfAligned || dkimAligned ? true : spfAligned === null || dkimAligned === null ? null : false;
  const policy = result && 'policy' in result && POLICIES.has(result.policy) ? (result.policy as Policy) : null;
  return {
    dmarc: dmarcVerdict(status, either),
    dmarcPolicy: policy,
    aligned: either,
    spfAligned,
    dkimAligned,
  };
}

function hasAlignment(domain: string, domains: { domain: string }[] | string[]): boolean {
  return domains.length > 0 && getAlignment(domain, domains) !== false;
}

/** Without SES's answer the envelope is unknown; without a custom MAIL FROM it is SES's own, never aligned. */
function spfAlignment(known: Known, alignedIfChecked: boolean): boolean | null {
  if (!known.ses) return null;
  if (!known.ses.mailFromDomain) return false;
  return known.spf === 'unknown' ? null : alignedIfChecked;
}

/** Without SES's answer the signing domain is unknown; with it, unknown only while the keys cannot be read. */
function dkimAlignment(known: Known, alignedIfChecked: boolean): boolean | null {
  if (!known.ses || known.dkim === 'unknown') return null;
  return alignedIfChecked;
}

/** The record's verdict: none without a record, unknown when DNS failed or alignment cannot be judged. */
function dmarcVerdict(status: string, aligned: boolean | null): CheckResult {
  if (status === 'none') return 'none';
  if (status !== 'pass' && status !== 'fail') return 'unknown';
  return aligned === null ? 'unknown' : aligned ? 'pass' : 'fail';
}

type Report = Omit<SenderHealth, 'overall' | 'problems'>;

function overallOf(report: Report): SenderHealth['overall'] {
  const checks = [report.spf, report.dkim, report.dmarc];
  if (checks.some((check) => check === 'fail' || check === 'none') || report.sesVerifiedForSending === false)
    return 'fail';
  return checks.includes('unknown') || report.sesVerifiedForSending === null ? 'unknown' : 'pass';
}

/** What an operator should fix or know, one sentence each, in the order the checks run. */
function problemsOf(report: Report): string[] {
  const problems: (string | false)[] = [
    report.sesVerifiedForSending === null && 'SES could not be asked about the identity (unknown)',
    report.sesVerifiedForSending === false &&
      (report.sesIdentity
        ? `SES has not verified ${report.sesIdentity} for sending`
        : `SES has no identity for ${report.domain} or ${report.email}`),
    report.spf === 'none' && `SPF: ${report.spfDomain} publishes no SPF record`,
    report.spf === 'fail' && `SPF: the record of ${report.spfDomain} does not authorise SES (include:${SES_ENVELOPE})`,
    report.spf === 'unknown' && `SPF: the record of ${report.spfDomain} could not be read`,
    report.dkim === 'none' &&
      (report.dkimSelectors.length
        ? `DKIM: no key published for ${report.dkimSelectors.map((s) => `${s}._domainkey.${report.domain}`).join(', ')}`
        : `DKIM: SES has no DKIM set up for ${report.domain}`),
    report.dkim === 'fail' && `DKIM: a key of ${report.domain} is missing or invalid`,
    report.sesMailFromDomain === null &&
      report.sesVerifiedForSending !== null &&
      `SPF alignment: no custom MAIL FROM domain, SES sends with its own ${SES_ENVELOPE} envelope`,
    report.dmarc === 'none' && `DMARC: ${report.domain} publishes no DMARC record`,
    report.dmarc === 'fail' && `DMARC: neither SPF nor DKIM aligns with ${report.domain}`,
    report.dmarcPolicy === 'none' && 'DMARC: policy p=none asks receivers to do nothing with failing mail',
  ];
  return problems.filter((problem): problem is string => typeof problem === 'string');
}
