import * as z from 'zod';
import {
  DailyLimit,
  LinkedInAccount,
  RecordId,
  Sender,
  SenderHealth,
  SendingState,
  Warmup,
} from '#shared/senders/schema';
import { SenderInput } from './campaigns';
import { boundedEmail, id, singleLine } from './common';

/**
 * Request and response schemas of the sender and LinkedIn account routes (PRODUCT.md §7, §10). The header
 * fields (name, email, replyTo) are validated exactly as a campaign's sender is.
 */

export const SenderParams = z.object({ id: id('Sender id') });
export const LinkedInAccountParams = z.object({ id: id('LinkedIn account id') });

const chosenId = (what: string) =>
  RecordId.optional().meta({ description: `1–64 letters, digits, - or _; chosen by the API when absent (${what})` });

const pausedReason = singleLine(z.string().min(1).max(500))
  .optional()
  .meta({ description: 'With state PAUSED: why (default "operator"); dropped when the state goes back to ACTIVE' });

const anyField = (body: Record<string, unknown>) => Object.keys(body).length > 0;
/** Only judged on an otherwise valid body: an unknown key alone is reported as that, not as "no field". */
const ANY_FIELD = {
  message: 'give at least one field to change',
  when: (payload: { issues: unknown[] }) => payload.issues.length === 0,
};

export const CreateSenderRequest = z
  .strictObject({
    senderId: chosenId('snd_…'),
    ...SenderInput.pick({ name: true, email: true, replyTo: true }).shape,
    dailyLimit: DailyLimit.optional().meta({ description: 'Mails per UTC day (default 50)' }),
    warmup: Warmup.optional().meta({
      description:
        'Ramp from the first send: startPerDay (default 10) + increasePerDay (default 5) × days since, capped by dailyLimit; `{}` takes the defaults',
    }),
    state: SendingState.optional().meta({ description: 'Default ACTIVE' }),
  })
  .meta({ id: 'CreateSenderRequest' });

export const UpdateSenderRequest = z
  .strictObject({
    name: SenderInput.shape.name.optional(),
    replyTo: boundedEmail().nullable().optional().meta({ description: 'null removes it' }),
    dailyLimit: DailyLimit.optional(),
    warmup: Warmup.nullable().optional().meta({ description: 'null ends the warm-up: dailyLimit applies at once' }),
    state: SendingState.optional().meta({ description: 'PAUSED stops its sends; ACTIVE resumes a paused sender' }),
    pausedReason,
  })
  .refine(anyField, ANY_FIELD)
  .meta({ id: 'UpdateSenderRequest' });

export const SenderResponse = Sender.meta({
  id: 'Sender',
  description:
    'An email identity a campaign sends from. `firstSendDay` is set by the first send and starts the warm-up; `pausedReason`/`pausedAt` say why and when it was paused (by an operator or by the bounce and complaint thresholds).',
});

export const SenderListResponse = z.object({ items: z.array(SenderResponse) }).meta({ id: 'SenderList' });

export const SenderHealthResponse = SenderHealth.meta({
  id: 'SenderHealth',
  description:
    'Deliverability of a sender: SPF, DKIM and DMARC of its domain (DNS) and their alignment with the From address, the SES identity, 7-day rates, state and today’s warm-up allowance. A part DNS or AWS could not answer is `unknown` (or null); the check itself never fails.',
});

export const CreateLinkedInAccountRequest = z
  .strictObject({
    accountId: chosenId('li_…'),
    name: singleLine(z.string().min(1).max(200)).optional(),
    dailyInvites: LinkedInAccount.shape.dailyInvites.unwrap().optional().meta({ description: 'Default 20' }),
    weeklyInvites: LinkedInAccount.shape.weeklyInvites.unwrap().optional().meta({ description: 'Default 100' }),
    dailyMessages: LinkedInAccount.shape.dailyMessages.unwrap().optional().meta({ description: 'Default 50' }),
    state: SendingState.optional().meta({ description: 'Default ACTIVE' }),
  })
  .meta({ id: 'CreateLinkedInAccountRequest' });

export const UpdateLinkedInAccountRequest = z
  .strictObject({
    name: singleLine(z.string().min(1).max(200)).optional(),
    dailyInvites: LinkedInAccount.shape.dailyInvites.unwrap().optional(),
    weeklyInvites: LinkedInAccount.shape.weeklyInvites.unwrap().optional(),
    dailyMessages: LinkedInAccount.shape.dailyMessages.unwrap().optional(),
    state: SendingState.optional().meta({ description: 'PAUSED stops its actions; ACTIVE resumes it' }),
    pausedReason,
  })
  .refine(anyField, ANY_FIELD)
  .meta({ id: 'UpdateLinkedInAccountRequest' });

export const LinkedInAccountResponse = LinkedInAccount.meta({
  id: 'LinkedInAccount',
  description: 'A LinkedIn seat a campaign acts from, with its invite and message caps.',
});

export const LinkedInAccountListResponse = z
  .object({ items: z.array(LinkedInAccountResponse) })
  .meta({ id: 'LinkedInAccountList' });
