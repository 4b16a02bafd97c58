import type { ChannelAdapter } from '../../outreach/channel-adapter';
import { nowIso } from '../../time/clock';
import { submitContactForm } from './submit';

/** The form speaks for the sender: our name, address and message go into the lead's site's form. */
export const contactFormAdapter: ChannelAdapter = {
  channel: 'CONTACT_FORM',
  async prepare({ lead }) {
    const url = lead.contactFormUrl ?? lead.website;
    if (!url)
      return {
        verdict: {
          outcome: 'FALLBACK',
          reason: 'form_unreachable',
          detail: 'no contact-form URL or website',
          delivered: false,
        },
      };
    return { plan: { recipient: url } };
  },
  async send(plan, { campaign, content }) {
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
    });
    const verdict = submission.verdict;
    if (verdict.reason === 'form_spam_protected') {
      return {
        verdict,
        messageStatus: 'SKIPPED',
        manualTask: { reason: 'form_spam_protected', detail: `submit by hand: ${plan.recipient}` },
      };
    }
    return {
      verdict,
      leadUpdates: verdict.outcome === 'SENT' ? { contactFormLastSubmittedAt: nowIso() } : undefined,
    };
  },
};
