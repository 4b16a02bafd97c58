import type { ChannelResult } from '../domain/outcome';
import { faultPoint } from '../faults';
import { bumpSenderHealth } from '../senders/sender-health';
import type { StoredAttempt } from '../store/outreach';
import { markFirstSend } from '../store/senders';
import { settleCallingTry } from './ambiguous';
import type { ChannelAdapter } from './channel-adapter';
import { checkBeforeSend, type ReadyToSend } from './step-checks';
import { recordOutcome } from './step-outcome';
import { openStepRun, pendingAttempt, type StepRun } from './step-run';
import { dynamoStepStore, type StepStore } from './step-store';
import type { StepTaskInput } from './task-input';

/**
 * Runs one try of one sequence step for one lead, keeping the at-most-once protocol of docs/product.md §3:
 * a conditional PENDING attempt is claimed first; it turns CALLING right before the provider call, so a
 * retried invocation that finds it CALLING records `ambiguous_send` instead of sending again, and one
 * that finds it DONE replays the recorded result.
 */
export async function runChannelStep(
  input: StepTaskInput,
  adapter: ChannelAdapter,
  store: StepStore = dynamoStepStore,
): Promise<ChannelResult> {
  const run = await openStepRun(input, adapter, store);
  const earlier = await store.claimAttempt(pendingAttempt(run));
  if (earlier) {
    const settled = await resumeEarlierInvocation(run, earlier);
    if (settled) return settled;
  }
  const checked = await checkBeforeSend(run);
  if ('verdict' in checked) return recordOutcome(run, { ...checked, messageWritten: false });
  return sendOnce(run, checked);
}

/**
 * Another invocation claimed this try before: replay its result when it finished, settle it from the evidence
 * (or as ambiguous) when it may have called the provider, or take it over (undefined) when it crashed before.
 */
async function resumeEarlierInvocation(run: StepRun, earlier: StoredAttempt): Promise<ChannelResult | undefined> {
  if (earlier.state === 'DONE' && earlier.result) return earlier.result as unknown as ChannelResult;
  if (earlier.phase === 'CALLING') return settleCallingTry(run, earlier);
  // Taking over a try that crashed before the provider call: give back the slots it had reserved, or the
  // lead's own cooldown would hold this retry back for a day.
  if (earlier.phase === 'PREPARED' && earlier.reservation) await run.store.release(earlier.reservation);
  return undefined;
}

/**
 * The send itself: note the reserved slots and the message, mark the try CALLING (the point after which a
 * retry can no longer know whether the provider saw it), call the provider once, record what it answered.
 */
async function sendOnce(run: StepRun, ready: ReadyToSend): Promise<ChannelResult> {
  const { store, lead, campaign, channel, attemptKey, messageId } = run;
  await store.recordReservation(lead.leadId, attemptKey, ready.reservation);
  const { content } = ready.context;
  await store.putMessageOnce({
    messageId,
    leadId: lead.leadId,
    campaignId: campaign.campaignId,
    channel,
    status: 'PENDING',
    subject: content.subject,
    body: content.text,
    executionName: run.input.executionName,
    attemptKey,
    ...(run.input.cursor.step.id && { stepId: run.input.cursor.step.id }),
    ...(ready.variantId && { variantId: ready.variantId }),
    ...(ready.senderId && { senderId: ready.senderId }),
    createdAt: run.createdAt,
  });
  faultPoint('before-provider-call', { channel, attemptKey });
  if (!(await store.markAttemptCalling(lead.leadId, attemptKey, run.owner))) {
    // Another invocation of this same try got there first; it owns the send.
    await store.release(ready.reservation);
    throw new Error(`attempt ${attemptKey} was taken over by a concurrent invocation`);
  }
  const send = await run.adapter.send(ready.plan, ready.context);
  // A slot is kept only for a message the provider took (or may have taken).
  if (!send.verdict.delivered) await store.release(ready.reservation);
  else faultPoint('after-provider-accepted', { channel, attemptKey });
  const leadUpdates = { ...ready.leadUpdates, ...send.leadUpdates };
  const result = await recordOutcome(run, {
    verdict: send.verdict,
    send: { ...send, leadUpdates },
    messageWritten: true,
    ...(ready.variantId && { variantId: ready.variantId }),
    ...(ready.senderId && { senderId: ready.senderId }),
  });
  faultPoint('after-record', { channel, attemptKey });
  // A warm-up ramp counts from the sender's first send (the first call wins; later ones change nothing).
  if (ready.senderId && result.outcome === 'SENT') {
    await markFirstSend(ready.senderId, run.createdAt.slice(0, 10));
    await bumpSenderHealth(ready.senderId, run.createdAt.slice(0, 10), 'sent');
  }
  return result;
}
