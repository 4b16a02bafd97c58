import { readFileSync } from 'node:fs';
import PostalMime from 'postal-mime';
import { describe, expect, it } from 'vitest';
import { checkRawEmail, linkedinMessageEvent, replyMail, retargetSesEvent } from '#cli/simulate-events';
import type { OutreachMessage } from '#shared/domain/schemas';
import { HttpProblem } from '#shared/errors';
import { LinkedInWebhookEvent } from '#shared/tracking/linkedin-events';
import { SesEventEnvelope } from '#shared/tracking/ses-events';

const message: OutreachMessage = {
  messageId: 'msg_1',
  leadId: 'lead_1',
  campaignId: 'spring',
  channel: 'EMAIL',
  status: 'DELIVERED',
  subject: 'Quick question',
  body: 'Hello',
  providerMessageId: '0100-ses-1',
  executionName: 'spring--lead_1',
  attemptKey: 'spring--lead_1#0#1',
  createdAt: '2026-11-24T08:00:00.000Z',
};

describe('replyMail', () => {
  it("writes an auto-responder's mail with --auto-reply: RFC 3834 headers, read as out of office", async () => {
    // Prepare
    const { classifyAutoReply } = await import('#shared/tracking/out-of-office/index');

    // Act
    const raw = replyMail({
      from: { name: 'Greta Berg', address: 'greta@ooo.example' },
      to: 'ada@cascade-demo.example',
      subject: 'Quick question',
      inReplyTo: 'ses-1',
      text: 'I am out of the office until 12 January with no access to email.',
      date: new Date('2027-01-05T10:00:00Z'),
      autoReply: true,
    });
    const mail = await PostalMime.parse(raw);
    const headers = new Map(mail.headers.map((header) => [header.key, header.value]));

    // Assess
    expect(headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.subject).toBe('Automatic reply: Quick question');
    expect(classifyAutoReply({ headers, subject: mail.subject, text: mail.text }).kind).toBe('out_of_office');
  });

  it('writes a reply a mail client would send: In-Reply-To the SES id, Re: subject', async () => {
    // Act
    const raw = replyMail({
      from: { name: 'Zoë Müller', address: 'zoe@acme.example' },
      to: 'ada@cascade-demo.example',
      subject: message.subject,
      inReplyTo: message.providerMessageId,
      text: 'Sounds good.\nTalk soon.',
      date: new Date('2026-11-24T09:00:00.000Z'),
    });
    const mail = await PostalMime.parse(raw);

    // Assess
    expect(mail.from).toMatchObject({ name: 'Zoë Müller', address: 'zoe@acme.example' });
    expect(mail.subject).toBe('Re: Quick question');
    expect(mail.inReplyTo).toBe('<0100-ses-1@email.amazonses.com>');
    expect(mail.date).toBe('2026-11-24T09:00:00.000Z');
    expect(mail.text?.trim()).toBe('Sounds good.\nTalk soon.');
    expect(() => checkRawEmail(raw)).not.toThrow();
  });
});

describe('retargetSesEvent', () => {
  it('names our message in tags, SES id and recipients, leaving the fixture untouched', () => {
    // Prepare
    const fixture = JSON.parse(readFileSync('test/fixtures/ses-events/bounce-permanent.json', 'utf8'));
    const original = JSON.stringify(fixture);

    // Act
    const event = retargetSesEvent(fixture, message, 'zoe@acme.example');

    // Assess
    const parsed = SesEventEnvelope.parse(event);
    expect(parsed.detail.mail).toMatchObject({
      messageId: '0100-ses-1',
      destination: ['zoe@acme.example'],
      tags: { lead: ['lead_1'], message: ['msg_1'], campaign: ['spring'] },
    });
    expect(JSON.stringify(event)).not.toContain('bounce@simulator.amazonses.com');
    expect(JSON.stringify(fixture)).toBe(original);
  });
});

describe('checkRawEmail and the LinkedIn webhook payload', () => {
  it('refuses what does not start with header fields', () => {
    // Act / Assess
    for (const raw of ['', '{"a": 1}', 'hello world\n', '\n\nFrom: x@y.example'])
      expect(() => checkRawEmail(raw)).toThrow(HttpProblem);
    expect(() => checkRawEmail(Buffer.from('Received: from mx\r\nFrom: a@b.example\r\n\r\nhi'))).not.toThrow();
  });

  it("builds a message_received call the webhook's schema accepts", () => {
    // Act
    const event = LinkedInWebhookEvent.parse(linkedinMessageEvent('ACoAA-1', 'Hi!', 'acct'));

    // Assess
    expect(event).toMatchObject({ event: 'message_received', sender: { attendee_provider_id: 'ACoAA-1' } });
  });
});
