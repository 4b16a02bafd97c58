import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Lead, OutreachMessage } from '#shared/domain/schemas';
import { createLead, getLead } from '#shared/store/leads';
import { getMessage, putMessage } from '#shared/store/outreach';
import { linkedinSuppressionKey } from '#shared/store/suppression-checks';
import { addSuppression, findSuppression, getSuppression } from '#shared/store/suppressions';
import { readCounters } from '#shared/tracking/metrics-aggregates';
import { handleSesEvent } from '#shared/tracking/ses-events';
import { testLead } from '#test/support/fixtures';
import { useLocalDynamo } from '#test/support/local-dynamo';

let sequence = 0;

const fixture = (name: string) => JSON.parse(readFileSync(`test/fixtures/ses-events/${name}.json`, 'utf8'));

/** A fixture re-addressed to a fresh lead/message (tags and SES id), so every test starts clean. */
function eventFor(
  name: string,
  ids: { leadId: string; messageId: string; sesId: string; recipient: string },
  tags = true,
) {
  const event = fixture(name);
  event.detail.mail.messageId = ids.sesId;
  event.detail.mail.destination = [ids.recipient];
  if (tags) {
    event.detail.mail.tags.lead = [ids.leadId];
    event.detail.mail.tags.message = [ids.messageId];
  } else {
    delete event.detail.mail.tags.lead;
    delete event.detail.mail.tags.message;
  }
  return event;
}

async function sentMessage(
  status: OutreachMessage['status'] = 'SENT',
  options: { campaignId?: string; linkedinUrl?: string } = {},
) {
  const campaignId = options.campaignId ?? 'ses';
  sequence++;
  const leadId = `lead_ses_${sequence}`;
  const messageId = `msg_ses_${sequence}`;
  const recipient = `person${sequence}@ses-test.example`;
  const lead: Lead = testLead({
    leadId,
    campaignId,
    firstName: 'Pat',
    email: recipient,
    ...(options.linkedinUrl && { linkedinUrl: options.linkedinUrl }),
    leadScore: 0.9,
    status: 'IN_SEQUENCE',
    linkedinConnectionStatus: 'NOT_CONNECTED',
  });
  await createLead(lead);
  const sesId = `0100-ses-${sequence}`;
  await putMessage({
    messageId,
    leadId,
    campaignId,
    channel: 'EMAIL',
    status,
    body: 'Hello',
    executionName: `exec-${sequence}`,
    attemptKey: `exec-${sequence}#0#1`,
    providerMessageId: sesId,
    createdAt: '2026-11-20T10:15:29.000Z',
  });
  return { leadId, messageId, sesId, recipient };
}

/** The campaign's EMAIL counters of the messages' day (2026-11-20). */
async function emailCounters(campaignId: string) {
  const { byChannel } = await readCounters(campaignId, 1, Date.parse('2026-11-20T12:00:00.000Z'));
  return byChannel.EMAIL;
}

beforeAll(async () => {
  const dynamo = await useLocalDynamo();
  return () => dynamo.close();
});

/** An SES Subscription event (the recipient unsubscribed through SES's own link), built on the delivery fixture. */
function subscriptionEvent(ids: Parameters<typeof eventFor>[1]) {
  const event = eventFor('delivery', ids);
  event['detail-type'] = 'Email Subscribed';
  event.detail.eventType = 'Subscription';
  delete event.detail.delivery;
  event.detail.subscription = { timestamp: event.time, contactList: 'cascade', newTopicPreferences: {} };
  return event;
}

describe('SES events (the fixtures in their EventBridge envelope)', () => {
  it('Delivery moves a sent message to DELIVERED with the delivery time', async () => {
    // Prepare
    const ids = await sentMessage();

    // Act
    const result = await handleSesEvent(eventFor('delivery', ids));

    // Assess
    expect(result).toMatchObject({ effect: 'status', status: 'DELIVERED' });
    expect(await getMessage(ids.leadId, ids.messageId)).toMatchObject({
      status: 'DELIVERED',
      deliveredAt: expect.any(String),
    });
  });

  it('a permanent Bounce marks the message BOUNCED and suppresses the address, without stopping the lead', async () => {
    // Prepare
    const ids = await sentMessage();

    // Act
    await handleSesEvent(eventFor('bounce-permanent', ids));

    // Assess
    expect(await getMessage(ids.leadId, ids.messageId)).toMatchObject({ status: 'BOUNCED', bounceType: 'Permanent' });
    expect(await findSuppression(ids.recipient)).toMatchObject({ reason: 'bounce' });
    expect((await getLead(ids.leadId))?.status).toBe('IN_SEQUENCE');
  });

  it('a transient bounce changes no status and suppresses nothing', async () => {
    // Prepare
    const ids = await sentMessage();
    const event = eventFor('bounce-permanent', ids);
    event.detail.bounce.bounceType = 'Transient';

    // Act
    await handleSesEvent(event);

    // Assess
    expect((await getMessage(ids.leadId, ids.messageId))?.status).toBe('SENT');
    expect(await findSuppression(ids.recipient)).toBeUndefined();
  });

  it('a Complaint suppresses the address and stops the lead', async () => {
    // Prepare
    const ids = await sentMessage('DELIVERED');

    // Act
    const result = await handleSesEvent(eventFor('complaint', ids));

    // Assess
    expect(result.effect).toBe('suppressed');
    expect(await getLead(ids.leadId)).toMatchObject({ status: 'UNSUBSCRIBED', stopReason: 'complaint' });
    expect(await findSuppression(ids.recipient)).toMatchObject({ reason: 'complaint' });
    expect((await getMessage(ids.leadId, ids.messageId))?.complainedAt).toBeDefined();
  });

  it.each([
    ['open', 'openedAt'],
    ['click', 'clickedAt'],
    ['delivery-delay', 'delayedAt'],
  ])('%s records %s once', async (name, field) => {
    // Prepare
    const ids = await sentMessage('DELIVERED');
    const event = eventFor(name, ids);
    await handleSesEvent(event);
    const first = (await getMessage(ids.leadId, ids.messageId)) as Record<string, unknown>;

    // Act: the same event again, later.
    event.time = '2026-11-21T00:00:00.000Z';
    const again = await handleSesEvent(event);

    // Assess
    expect(first[field]).toBeDefined();
    expect(again.effect).toBe('ignored');
    expect(((await getMessage(ids.leadId, ids.messageId)) as Record<string, unknown>)[field]).toBe(first[field]);
    expect((await getMessage(ids.leadId, ids.messageId))?.status).toBe('DELIVERED');
  });

  it('a late Delivery never overwrites BOUNCED, and duplicates are harmless', async () => {
    // Prepare
    const ids = await sentMessage();
    await handleSesEvent(eventFor('bounce-permanent', ids));

    // Act
    const late = await handleSesEvent(eventFor('delivery', ids));
    const duplicate = await handleSesEvent(eventFor('bounce-permanent', ids));

    // Assess
    expect(late.effect).toBe('ignored');
    expect(duplicate.effect).toBe('ignored');
    expect((await getMessage(ids.leadId, ids.messageId))?.status).toBe('BOUNCED');
  });

  it('counts a message once, in its final state, whatever the order of its Delivery and Bounce', async () => {
    // Prepare: messages whose Delivery and Bounce race (both read the message SENT), and one of each order.
    const racing = await Promise.all(Array.from({ length: 8 }, () => sentMessage('SENT', { campaignId: 'ses-race' })));
    const deliveredFirst = await sentMessage('SENT', { campaignId: 'ses-race' });
    const bouncedFirst = await sentMessage('SENT', { campaignId: 'ses-race' });

    // Act
    await Promise.all(
      racing.map((ids) =>
        Promise.all([handleSesEvent(eventFor('delivery', ids)), handleSesEvent(eventFor('bounce-permanent', ids))]),
      ),
    );
    await handleSesEvent(eventFor('delivery', deliveredFirst));
    await handleSesEvent(eventFor('bounce-permanent', deliveredFirst));
    await handleSesEvent(eventFor('bounce-permanent', bouncedFirst));
    const late = await handleSesEvent(eventFor('delivery', bouncedFirst));

    // Assess
    expect(late.effect).toBe('ignored');
    for (const ids of [...racing, deliveredFirst, bouncedFirst])
      expect((await getMessage(ids.leadId, ids.messageId))?.status).toBe('BOUNCED');
    expect(await emailCounters('ses-race')).toMatchObject({ bounced: 10, delivered: 0 });
  });

  it.each([
    ['complaint', 'complaint'],
    ['subscription', 'unsubscribed'],
  ])(
    '%s records the opt-out on every contact key of the person (address and LinkedIn profile)',
    async (name, reason) => {
      // Prepare: the address already bounced once (a channel-level entry the opt-out replaces).
      const linkedinUrl = `https://www.linkedin.com/in/optout-${name}-${sequence + 1}`;
      const ids = await sentMessage('DELIVERED', { linkedinUrl });
      await addSuppression(`EMAIL#${ids.recipient}`, 'bounce', 'ses');
      const event = name === 'complaint' ? eventFor('complaint', ids) : subscriptionEvent(ids);

      // Act
      const result = await handleSesEvent(event);

      // Assess
      expect(result.effect).toBe('suppressed');
      expect(await getSuppression(`EMAIL#${ids.recipient}`)).toMatchObject({ reason, source: 'ses' });
      expect(await getSuppression(linkedinSuppressionKey(linkedinUrl))).toMatchObject({ reason, source: 'ses' });
      expect(await getLead(ids.leadId)).toMatchObject({ status: 'UNSUBSCRIBED', stopReason: reason });
    },
  );

  it('a bounce after a complaint keeps the opt-out (it says more than the bounce)', async () => {
    // Prepare
    const ids = await sentMessage('DELIVERED');
    await handleSesEvent(eventFor('complaint', ids));

    // Act
    await handleSesEvent(eventFor('bounce-permanent', ids));

    // Assess
    expect(await getSuppression(`EMAIL#${ids.recipient}`)).toMatchObject({ reason: 'complaint' });
  });

  it('matches by the SES message id when the tags are missing', async () => {
    // Prepare
    const ids = await sentMessage();

    // Act
    const result = await handleSesEvent(eventFor('delivery', ids, false));

    // Assess
    expect(result).toMatchObject({ effect: 'status', messageId: ids.messageId });
  });

  it('logs and ignores an event for a message it does not know', async () => {
    // Act
    const result = await handleSesEvent(fixture('delivery'));

    // Assess
    expect(result).toEqual({ eventType: 'Delivery', effect: 'ignored' });
  });

  it('rejects an envelope that is not an SES event', async () => {
    // Act
    const handled = handleSesEvent({ source: 'aws.s3', detail: {} });

    // Assess
    await expect(handled).rejects.toThrow();
  });
});
