import { timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { CodedError } from '../errors';
import { sha256 } from '../ids';
import { logger } from '../observability';
import { type AnsweredWait, answerWaits, type WaitAnswer } from '../outreach/answer-wait';
import { secretValue } from '../secrets';
import { getLead, updateLeadFields } from '../store/leads';
import { leadsForLinkedInProfile } from '../store/linkedin-index';
import { type ReplyResult, recordReply } from './replies';

export class WebhookSignatureError extends CodedError('WebhookSignatureError', 'unauthorized', 'unauthorized') {}

/** The provider's webhook events Cascade acts on (Unipile's `message_received` and `new_relation`). */
export const LinkedInWebhookEvent = z.discriminatedUnion('event', [
  z.object({
    event: z.literal('message_received'),
    account_id: z.string(),
    chat_id: z.string().optional(),
    message_id: z.string().optional(),
    message: z.string().optional(),
    sender: z.object({ attendee_provider_id: z.string() }).passthrough(),
    is_sender: z.boolean().optional(),
  }),
  z.object({
    event: z.literal('new_relation'),
    account_id: z.string(),
    user_provider_id: z.string(),
    user_public_identifier: z.string().optional(),
  }),
]);
export type LinkedInWebhookEvent = z.infer<typeof LinkedInWebhookEvent>;

/** Constant-time check of the shared secret the provider sends with every webhook call. */
export function verifyWebhookSecret(
  given: string | undefined,
  expected = secretValue('CASCADE_LINKEDIN_WEBHOOK_SECRET'),
): void {
  if (!expected) throw new WebhookSignatureError('no LinkedIn webhook secret is configured');
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new WebhookSignatureError('webhook secret does not match');
}

export interface WebhookResult {
  event: string;
  leads: string[];
  replies: ReplyResult[];
  /** `new_relation`: the runs that were waiting for this acceptance (`waitFor invite_accepted`). */
  answered: AnsweredWait[];
}

/** What a waiting run is told when its invite is accepted: go on to the step's `onSent` target. */
const INVITE_ACCEPTED: WaitAnswer = { outcome: 'SENT', reason: 'invite_accepted', channel: 'LINKEDIN' };

/**
 * A member's message is a reply (the lead stops); an accepted invitation makes the lead CONNECTED and resumes
 * the runs waiting for it. The status is written before the waits are read: a wait registered meanwhile sees
 * CONNECTED itself (await-person.ts), so an acceptance is never missed between the two.
 */
export async function handleLinkedInWebhook(payload: unknown): Promise<WebhookResult> {
  const event = LinkedInWebhookEvent.parse(payload);
  if (event.event === 'message_received') {
    if (event.is_sender) return { event: event.event, leads: [], replies: [], answered: [] };
    const leads = await leadsForLinkedInProfile(event.sender.attendee_provider_id);
    // The provider's message id, else the event itself: the provider calling again is the same reply.
    const inboundKey = `linkedin:${event.message_id ?? sha256(JSON.stringify(payload))}`;
    const replies = await Promise.all(
      leads.map((lead) => recordReply(lead.leadId, { channel: 'LINKEDIN', inboundKey })),
    );
    return { event: event.event, leads: leads.map((lead) => lead.leadId), replies, answered: [] };
  }
  const leads = await leadsForLinkedInProfile(event.user_provider_id);
  const answered: AnsweredWait[] = [];
  for (const { leadId } of leads) {
    const lead = await getLead(leadId);
    if (!lead) continue;
    if (lead.linkedinConnectionStatus !== 'CONNECTED')
      await updateLeadFields(leadId, { linkedinConnectionStatus: 'CONNECTED' });
    // Also when the lead was CONNECTED already: a provider retrying the call answers a wait a failure left open.
    answered.push(...(await answerWaits(leadId, 'invite_accepted', INVITE_ACCEPTED)));
  }
  logger.info('LinkedIn relation accepted', { leads: leads.length, resumed: answered.length });
  return { event: event.event, leads: leads.map((lead) => lead.leadId), replies: [], answered };
}
