import { type Lead, LeadStatus } from '../domain/schemas';
import { getLead, LeadStatusConflictError, releaseEmailClaim, transitionLead } from '../store/leads';
import { eraseMessageContent, listLeadMessages } from '../store/outreach';
import { addSuppressionIfAbsent, erasureKeyFor } from '../store/suppressions';
import { nowIso } from '../time/clock';

export interface LeadErasure {
  leadId: string;
  erased: true;
  erasedAt: string;
  /** The `HASH#<sha256>` suppression that keeps the address from being imported or contacted again. */
  suppression: string | null;
  messagesErased: number;
}

/** Fields that identify or reach the person; firmographics (company, industry, size) and the grade stay. */
const PERSONAL_FIELDS = [
  'lastName',
  'email',
  'title',
  'linkedinUrl',
  'linkedinProviderId',
  'contactFormUrl',
  'phone',
  'timezone',
  'budgetRange',
] as const satisfies readonly (keyof Lead)[];

const ERASED_NAME = 'erased';
const MESSAGE_CONCURRENCY = 8;

/**
 * Erases a lead's personal data (basic version): a `HASH#sha256(email)` suppression is written first,
 * so a running step re-checking the lead stops and the address is never imported or contacted again;
 * then the campaign's claim on the address (its key holds the address) is released, the lead item loses
 * its personal fields and becomes UNSUBSCRIBED, and its messages lose their rendered bodies and subjects.
 * Erasing an erased lead again changes nothing. Undefined when the lead does not exist.
 */
export async function eraseLead(leadId: string): Promise<LeadErasure | undefined> {
  const lead = (await getLead(leadId)) as (Lead & { erasedAt?: string; erasureKey?: string }) | undefined;
  if (!lead) return undefined;
  const erasedAt = lead.erasedAt ?? nowIso();
  const suppression = lead.email ? erasureKeyFor(lead.email) : (lead.erasureKey ?? null);
  if (lead.email && suppression) {
    await addSuppressionIfAbsent(suppression, 'erased', 'erasure');
    await releaseEmailClaim(lead.campaignId, lead.email);
  }
  const fields: Record<string, unknown> = Object.fromEntries(PERSONAL_FIELDS.map((field) => [field, undefined]));
  Object.assign(fields, {
    firstName: ERASED_NAME,
    painPoints: [],
    tags: [],
    erasedAt,
    ...(suppression && { erasureKey: suppression }),
  });
  try {
    await transitionLead(lead, LeadStatus.options, 'UNSUBSCRIBED', fields as Partial<Lead>);
  } catch (error) {
    if (!(error instanceof LeadStatusConflictError)) throw error;
  }
  const messages = await listLeadMessages(leadId);
  for (let index = 0; index < messages.length; index += MESSAGE_CONCURRENCY) {
    await Promise.all(
      messages
        .slice(index, index + MESSAGE_CONCURRENCY)
        .map((message) => eraseMessageContent(leadId, message.messageId, erasedAt)),
    );
  }
  return { leadId, erased: true, erasedAt, suppression, messagesErased: messages.length };
}
