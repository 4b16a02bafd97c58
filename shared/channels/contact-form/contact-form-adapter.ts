import type { ProviderVerdict } from '#shared/domain/outcome';
import type { ChannelConfig } from '#shared/domain/schemas';
import type { ChannelAdapter, Preparation } from '#shared/outreach/channel-adapter';
import { nowIso } from '#shared/time/clock';
import { findContactPage } from './discover';
import { isOutboundBlocked, isUnknownHost } from './fetch';
import { type ConsentPolicy, DEFAULT_CONSENT_POLICY, isConsentPolicy } from './submission-plan';
import { submitContactForm } from './submit';

/**
 * The campaign's consent policy for this channel: `settings.consentPolicy` of its CONTACT_FORM channel config
 * (`tick_required` lets the channel tick a required consent box; anything else leaves the form to a person).
 */
export function consentPolicyOf(config: Pick<ChannelConfig, 'settings'> | undefined): ConsentPolicy {
  const value = config?.settings?.consentPolicy;
  return isConsentPolicy(value) ? value : DEFAULT_CONSENT_POLICY;
}

function unreachable(detail: string): Preparation {
  return { verdict: { outcome: 'FALLBACK', reason: 'form_unreachable', detail, delivered: false } };
}

/** The lead's own contact-form URL, else the contact form found on its company web site. */
async function formPageFor(website: string): Promise<Preparation> {
  let search: Awaited<ReturnType<typeof findContactPage>>;
  try {
    search = await findContactPage(website);
  } catch (error) {
    const message = (error as Error).message;
    if (isOutboundBlocked(error) || isUnknownHost(error) || (error as Error).name !== 'OutboundRequestError') {
      return unreachable(`web site ${website}: ${message}`);
    }
    const verdict: ProviderVerdict = {
      outcome: 'RETRY',
      reason: 'provider_error',
      detail: `web site ${website}: ${message}`,
      delivered: false,
    };
    return { verdict };
  }
  const { homeStatus } = search;
  if (homeStatus === 429 || homeStatus >= 500) {
    const reason = homeStatus === 429 ? 'provider_throttled' : 'provider_error';
    return {
      verdict: { outcome: 'RETRY', reason, detail: `web site ${website}: HTTP ${homeStatus}`, delivered: false },
    };
  }
  if (!search.page) {
    const why = homeStatus >= 300 ? `HTTP ${homeStatus}` : `no contact form (looked at ${search.tried.join(', ')})`;
    return unreachable(`web site ${website}: ${why}`);
  }
  return { plan: { recipient: search.page.url, data: { discoveredFrom: website } } };
}

/** The form speaks for the sender: our name, address and message go into the lead's site's form. */
export const contactFormAdapter: ChannelAdapter = {
  channel: 'CONTACT_FORM',
  async prepare({ lead }) {
    if (lead.contactFormUrl) return { plan: { recipient: lead.contactFormUrl } };
    if (!lead.website) return unreachable('no contact-form URL or website');
    return formPageFor(lead.website);
  },
  async send(plan, { campaign, content, config }) {
    const sender = campaign.sender;
    const submission = await submitContactForm({
      url: plan.recipient,
      contact: {
        name: sender.name,
        email: sender.replyTo ?? sender.email,
        company: sender.company,
        phone: sender.phone,
        subject: content.subject,
        message: content.text,
      },
      consentPolicy: consentPolicyOf(config),
    });
    const verdict = submission.verdict;
    if (submission.manualTask) {
      // A captcha, a script-made token or a consent box only a person may tick: the message is left to them.
      return { verdict, messageStatus: 'SKIPPED', manualTask: submission.manualTask };
    }
    return {
      verdict,
      leadUpdates: verdict.outcome === 'SENT' ? { contactFormLastSubmittedAt: nowIso() } : undefined,
    };
  },
};
