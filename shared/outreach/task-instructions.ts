import type { Campaign, ChannelType, Lead, ManualTaskKind } from '../domain/schemas';

/**
 * The words of a manual task (PRODUCT.md §1): what an operator needs to do the step by hand without opening
 * anything else — whom to call and what to say, or which form to fill with what — and what to record after.
 */

const KIND_OF_CHANNEL: Partial<Record<ChannelType, ManualTaskKind>> = {
  PHONE: 'call',
  CONTACT_FORM: 'form',
  LINKEDIN: 'linkedin',
};

export const taskKindFor = (channel: ChannelType): ManualTaskKind => KIND_OF_CHANNEL[channel] ?? 'other';

const fullName = (lead: Lead) => [lead.firstName, lead.lastName].filter(Boolean).join(' ');

const RECORD_CALL =
  'Then record the outcome: done (you spoke with them), replied (they answered: their sequence stops), skipped (not reached).';
const RECORD_FORM = 'Then record the outcome: done (the form was sent), skipped (it could not be sent).';
const RECORD_OTHER = 'Then record the outcome: done, replied (they answered: their sequence stops) or skipped.';

/** A call: whom, on which number, the script (the campaign's PHONE template as rendered for the lead). */
export function callInstructions(lead: Lead, script: string | undefined): string {
  const who = [fullName(lead), lead.title && `(${lead.title})`, lead.company && `at ${lead.company}`]
    .filter(Boolean)
    .join(' ');
  const lines = [`Call ${who} on ${lead.phone ?? 'their phone number (none on file)'}.`];
  if (lead.timezone) lines.push(`Their time zone: ${lead.timezone}.`);
  if (script?.trim()) lines.push('', 'Script:', script.trim());
  lines.push('', RECORD_CALL);
  return lines.join('\n');
}

export interface FormMessage {
  subject?: string;
  body?: string;
}

/** A contact form to send by hand: the page, why it was left to a person, each field's value, the message. */
export function formInstructions(
  campaign: Campaign,
  url: string | undefined,
  why: string | undefined,
  message: FormMessage,
) {
  const { sender } = campaign;
  const fields: [string, string | undefined][] = [
    ['Name', sender.name],
    ['Email', sender.replyTo ?? sender.email],
    ['Company', sender.company],
    ['Phone', sender.phone],
    ['Subject', message.subject],
  ];
  const lines = [`Send the contact form at ${url ?? 'the lead’s website (no form address on file)'} by hand.`];
  if (why) lines.push(`Why by hand: ${why}.`);
  lines.push('', 'Fill in:');
  for (const [field, value] of fields) if (value) lines.push(`  ${field}: ${value}`);
  lines.push('', 'Message:', message.body?.trim() || '(no message was rendered: write one in the campaign’s words)');
  lines.push('', RECORD_FORM);
  return lines.join('\n');
}

/** Any other step done by hand: what the channel reported. */
export function otherInstructions(lead: Lead, channel: ChannelType, detail: string | undefined): string {
  return [`${channel} step for ${fullName(lead)} to do by hand${detail ? `: ${detail}` : '.'}`, '', RECORD_OTHER].join(
    '\n',
  );
}

/** The page a form task's detail names (`…: https://acme.example/contact`), else the lead's own addresses. */
export function formUrlFor(lead: Lead, detail: string | undefined): string | undefined {
  const named = detail?.match(/(https?:\/\/\S+)\s*$/)?.[1];
  return named ?? lead.contactFormUrl ?? lead.website;
}
