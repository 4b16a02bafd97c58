import { findContactPage } from '#shared/channels/contact-form/discover';
import { type FormFetchOptions, isOutboundBlocked } from '#shared/channels/contact-form/fetch';
import type { ParsedForm } from '#shared/channels/contact-form/form-model';
import type { ContactDetails } from '#shared/channels/contact-form/submission-plan';
import { inspectFormPage, submitContactForm } from '#shared/channels/contact-form/submit';
import { checkUrlTarget } from '#shared/http/target-policy';

/**
 * `cascade form inspect <url>` and `cascade form submit <url> …` (docs/product.md §7): the contact-form channel's
 * page reading and form filling, by hand. Outbound fetches go through the same guard as the channel: a
 * loopback, private or link-local target is refused unless `--allow-private-network` is given.
 */

export interface FormCommonOptions {
  allowPrivateNetwork?: boolean;
  /** Treat the URL as a web site and look for its contact page first (as the channel does without a form URL). */
  discover?: boolean;
  /** Seconds per request. */
  timeout?: string;
}

export interface FormSubmitOptions extends FormCommonOptions {
  name: string;
  email: string;
  company?: string;
  phone?: string;
  subject?: string;
  message: string;
  dryRun?: boolean;
  /** Tick a required consent box (the campaign setting `consentPolicy: tick_required`). */
  tickConsent?: boolean;
}

function privateNetworkAllowed(options: FormCommonOptions): boolean {
  return options.allowPrivateNetwork === true || process.env.CASCADE_ALLOW_PRIVATE_NETWORK === '1';
}

/**
 * Refuse a target the outbound guard would refuse, before any request, so the refusal is one clear line.
 * The guard itself also checks after DNS resolution and on every redirect.
 */
export function assertFetchable(url: string, options: FormCommonOptions): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new Error(`"${url}" is not a URL`);
  }
  const refused = checkUrlTarget(target, { allowPrivateNetwork: privateNetworkAllowed(options) });
  if (refused) throw refused;
  return target;
}

function fetchOptions(options: FormCommonOptions): FormFetchOptions {
  const out: FormFetchOptions = {};
  if (options.allowPrivateNetwork) out.allowPrivateNetwork = true;
  if (options.timeout !== undefined) {
    const seconds = Number(options.timeout);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`--timeout must be a number of seconds`);
    out.timeoutMs = Math.round(seconds * 1000);
  }
  return out;
}

/** The guard's refusal, as one line that says how to lift it. */
function refusal(message: string): Error {
  const line = message.split('\n')[0] ?? message;
  return new Error(
    /allow-private-network/.test(line) ? line : `${line} (pass --allow-private-network for local testing)`,
  );
}

async function rethrowBlocked<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isOutboundBlocked(error)) throw refusal(error.message);
    throw error;
  }
}

/** The contact page of a web site (`--discover`), else the URL itself. */
async function formPageUrl(url: string, options: FormCommonOptions): Promise<string> {
  if (!options.discover) return url;
  const search = await rethrowBlocked(findContactPage(url, fetchOptions(options)));
  if (search.homeStatus >= 300) throw new Error(`GET ${url} answered HTTP ${search.homeStatus}`);
  if (!search.page) throw new Error(`no contact form found on ${url} (looked at ${search.tried.join(', ')})`);
  return search.page.url;
}

export interface InspectedForm {
  action: string;
  method: ParsedForm['method'];
  enctype: ParsedForm['enctype'];
  fields: { name: string; type: string; role: string; required: boolean }[];
  protections: string[];
  submittable: boolean;
  reason: string | null;
}

export interface InspectReport {
  url: string;
  forms: InspectedForm[];
}

export function describeForm(form: ParsedForm): InspectedForm {
  return {
    action: form.action,
    method: form.method,
    enctype: form.enctype,
    fields: form.fields.map(({ name, type, role, required }) => ({ name, type, role, required })),
    protections: [...form.protections],
    submittable: form.submittable,
    reason: form.reason ?? null,
  };
}

/** `cascade form inspect <url>`: every form of the page, best contact-form candidate first. */
export async function inspectForms(url: string, options: FormCommonOptions = {}): Promise<InspectReport> {
  assertFetchable(url, options);
  const pageUrl = await formPageUrl(url, options);
  const page = await rethrowBlocked(inspectFormPage(pageUrl, fetchOptions(options)));
  if (page.status >= 300) throw new Error(`GET ${page.url} answered HTTP ${page.status}`);
  return { url: page.url, forms: page.forms.map(describeForm) };
}

export interface SubmitReport {
  /** The channel's outcome; `DRY_RUN` when `--dry-run` filled the form and sent nothing. */
  outcome: string;
  reason: string | null;
  detail: string;
  submitted: Record<string, string>;
  url: string;
  dryRun?: boolean;
  manualTask?: { reason: string; detail: string };
}

/** `cascade form submit <url> …`: fill the first-ranked form as the channel would, and submit it unless dry. */
export async function submitForm(url: string, options: FormSubmitOptions): Promise<SubmitReport> {
  assertFetchable(url, options);
  if (!options.name.trim()) throw new Error('--name must not be empty');
  if (!/^[^\s@]+@[^\s@]+$/.test(options.email)) throw new Error(`--email "${options.email}" is not an email address`);
  if (!options.message.trim()) throw new Error('--message must not be empty');
  const pageUrl = await formPageUrl(url, options);
  const contact: ContactDetails = { name: options.name, email: options.email, message: options.message };
  if (options.company) contact.company = options.company;
  if (options.phone) contact.phone = options.phone;
  if (options.subject) contact.subject = options.subject;
  const result = await submitContactForm({
    url: pageUrl,
    contact,
    dryRun: options.dryRun === true,
    consentPolicy: options.tickConsent ? 'tick_required' : 'skip',
    ...fetchOptions(options),
  });
  if (result.blocked) throw refusal(result.blocked);
  // A dry run that would go through is no send: it must never read SENT to a script or a person.
  const dryRunPassed = result.dryRun === true && result.outcome === 'SENT';
  const report: SubmitReport = {
    outcome: dryRunPassed ? 'DRY_RUN' : result.outcome,
    reason: result.reason ?? null,
    detail: result.detail,
    submitted: result.submitted,
    url: result.pageUrl ?? pageUrl,
  };
  if (result.dryRun) report.dryRun = true;
  if (result.manualTask) report.manualTask = result.manualTask;
  return report;
}
