import { checkEmailAddress } from '../channels/email/address';
import type { ChannelType, Lead } from '../domain/schemas';

/** Whether a lead has a contact point for a channel at all (no provider call; used by dry runs). */
export function hasContactPoint(lead: Lead, channel: ChannelType): boolean {
  switch (channel) {
    case 'EMAIL':
      return checkEmailAddress(lead.email) === undefined;
    case 'LINKEDIN':
      return Boolean(lead.linkedinUrl || lead.linkedinProviderId) && lead.linkedinConnectionStatus !== 'BLOCKED';
    case 'CONTACT_FORM':
      return Boolean(lead.contactFormUrl || lead.website);
    case 'PHONE':
      return Boolean(lead.phone);
  }
}
