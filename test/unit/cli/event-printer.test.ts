import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { formatEventLine, verifyDelivery } from '#cli/event-printer';
import { eventList } from '#cli/verbs/webhooks';

/** `cascade serve --events`: one line per event, and the signature check of each delivery. */

const SECRET = `whsec_${Buffer.from('0123456789abcdef01234567').toString('base64')}`;

const sentEvent = {
  id: 'evt_0123',
  type: 'message.sent',
  createdAt: '2026-12-24T08:05:09.123Z',
  campaignId: 'c-demo',
  leadId: 'lead_42',
  data: { step: 2, channel: 'EMAIL', variantId: 'B', senderId: 'snd-ada', messageId: 'msg-1', secretThing: 'x' },
};

function signed(body: string, at: Date) {
  const signature = new Webhook(SECRET).sign('evt_0123', at, body);
  return {
    'webhook-id': 'evt_0123',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signature,
  };
}

describe('formatEventLine', () => {
  it('prints the time, the type, then lead, campaign and the known data fields in a fixed order', () => {
    // Act
    const line = formatEventLine(sentEvent);

    // Assess
    expect(line).toBe(
      '08:05:09  message.sent        lead lead_42  campaign c-demo  step 2  channel EMAIL  variant B  sender snd-ada  message msg-1',
    );
  });

  it('leaves out what an event does not have, and lines types up to the longest', () => {
    // Act
    const paused = formatEventLine({
      type: 'sender.paused',
      createdAt: '2026-12-24T23:59:59Z',
      campaignId: 'c-demo',
      data: { senderId: 'snd-ada', reason: 'bounce_rate' },
    });
    const outOfOffice = formatEventLine({
      type: 'lead.out_of_office',
      createdAt: '2026-12-24T00:00:00Z',
      campaignId: 'c',
      leadId: 'l',
      data: {},
    });

    // Assess
    expect(paused).toBe('23:59:59  sender.paused       campaign c-demo  sender snd-ada  reason bounce_rate');
    expect(outOfOffice).toBe('00:00:00  lead.out_of_office  lead l  campaign c');
  });

  it('never writes a control character a lead field may carry', () => {
    // Act
    const line = formatEventLine({ ...sentEvent, leadId: 'lead\u001b[2J', data: { channel: 'EMAIL\nfake line' } });

    // Assess
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence.
    expect(line).not.toMatch(/[\u0000-\u001f]/);
    expect(line).toContain('lead lead\\u001b[2J');
  });
});

describe('verifyDelivery', () => {
  it('answers the event of a body signed with the secret', () => {
    // Prepare
    const body = JSON.stringify(sentEvent);

    // Act
    const event = verifyDelivery(SECRET, body, signed(body, new Date()));

    // Assess
    expect(event).toEqual(sentEvent);
  });

  it('refuses another secret, a changed body and a changed id', () => {
    // Prepare
    const body = JSON.stringify(sentEvent);
    const headers = signed(body, new Date());
    const otherSecret = `whsec_${Buffer.from('another-secret-of-24-byte').toString('base64')}`;

    // Act / Assess
    expect(() => verifyDelivery(otherSecret, body, headers)).toThrow(/signature/);
    expect(() => verifyDelivery(SECRET, body.replace('lead_42', 'lead_43'), headers)).toThrow(/signature/);
    expect(() => verifyDelivery(SECRET, body, { ...headers, 'webhook-id': 'evt_other' })).toThrow(/signature/);
  });

  it('still checks the signature of a timestamp outside the replay window (a virtual clock), and only that', () => {
    // Prepare
    const body = JSON.stringify(sentEvent);
    const lastYear = new Date(Date.now() - 365 * 86_400_000);
    const headers = signed(body, lastYear);

    // Act / Assess
    expect(verifyDelivery(SECRET, body, headers)).toEqual(sentEvent);
    expect(() =>
      verifyDelivery(SECRET, body, {
        ...headers,
        'webhook-timestamp': String(Number(headers['webhook-timestamp']) + 1),
      }),
    ).toThrow(/signature/);
  });
});

describe('eventList (cascade webhooks add --events)', () => {
  it('splits a comma list, trims it, and refuses an empty one', () => {
    // Act / Assess
    expect(eventList('message.sent, lead.stopped,')).toEqual(['message.sent', 'lead.stopped']);
    expect(eventList('*')).toEqual(['*']);
    expect(() => eventList(' , ')).toThrow(/--events is empty/);
  });
});
