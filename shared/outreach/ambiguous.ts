import type { ChannelResult } from '../domain/outcome';
import type { OutreachMessage, OutreachStatus } from '../domain/schemas';
import { messageFact } from '../events/facts';
import { logger } from '../observability';
import type { StoredAttempt } from '../store/outreach';
import { recordOutcome, settleAmbiguous } from './step-outcome';
import type { StepRun } from './step-run';

/** What the provider's side says about a try whose call may have happened. */
export type SendEvidence = 'sent' | 'not_sent' | undefined;

/** Statuses only a provider event or the provider's answer can give a message: it was accepted. */
const ACCEPTED: readonly OutreachStatus[] = ['SENT', 'DELIVERED', 'BOUNCED', 'REPLIED'];

/**
 * Reads the evidence a message carries: an SES `Send`/`Delivery`/`Bounce` event (or the provider's answer)
 * moved it to SENT or beyond, or gave it a provider id → sent; a `Reject`/`Rendering Failure` (FAILED) → the
 * provider refused it, nothing went out. A message still PENDING without a provider id proves nothing.
 */
export function evidenceOf(message: OutreachMessage | undefined): SendEvidence {
  if (!message) return undefined;
  if (message.status === 'FAILED' || message.status === 'SKIPPED') return 'not_sent';
  if (ACCEPTED.includes(message.status) || message.providerMessageId) return 'sent';
  return undefined;
}

/**
 * A retried invocation found its try CALLING (the previous one died mid-call, e.g. a killed process). Evidence
 * settles it where there is some: sent → the try is recorded SENT and the sequence goes on as after any sent
 * touch (an email still meets its delivery check, so a bounce falls back); not sent → the try ends RETRY and
 * the step is tried again under a new try number. Without evidence the lead is parked (`ambiguous_send`).
 */
export async function settleCallingTry(run: StepRun, earlier: StoredAttempt): Promise<ChannelResult> {
  const { store, lead } = run;
  const message = earlier.messageId ? await store.getMessage(lead.leadId, earlier.messageId) : undefined;
  const evidence = evidenceOf(message);
  if (evidence === 'sent') {
    logger.info('interrupted try settled from evidence: sent', { leadId: lead.leadId, status: message?.status });
    const detail = `settled from the provider's record (message ${message?.status})`;
    return recordOutcome(run, {
      verdict: { outcome: 'SENT', delivered: true, detail },
      messageWritten: true,
      ...(message?.variantId && { variantId: message.variantId }),
      ...(message?.senderId && { senderId: message.senderId }),
    });
  }
  if (evidence === 'not_sent') {
    logger.info('interrupted try settled from evidence: not sent', { leadId: lead.leadId });
    // Nothing went out: the slots it held are given back before the step is tried again.
    if (earlier.reservation) await store.release(earlier.reservation);
    // The try that wrote FAILED may have died before its event (SES's Reject records the same one).
    if (message?.status === 'FAILED')
      await store.recordEvent?.(messageFact('message.failed', message, { reason: message.reason ?? 'provider_error' }));
    const verdict = {
      outcome: 'RETRY' as const,
      reason: 'provider_error' as const,
      delivered: false,
      usesRetry: true,
      detail: 'the provider refused the interrupted try; the step is tried again',
    };
    return recordOutcome(run, { verdict, messageWritten: false });
  }
  const parked = await settleAmbiguous(store, lead, earlier);
  // The provider's event may have landed between the read above and the parking, and found no parked try to
  // settle: read once more. The event's settle and this one are the same conditional write: one wins.
  const messageId = earlier.messageId;
  if (messageId && evidenceOf(await store.getMessage(lead.leadId, messageId)) === 'sent') {
    await store.settleParkedBySend(lead.leadId, messageId, 'recheck after parking');
  }
  return parked;
}
