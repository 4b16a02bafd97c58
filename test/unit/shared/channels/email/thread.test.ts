import { describe, expect, it } from 'vitest';
import { buildSendEmailRequest } from '#shared/channels/email/ses-adapter';
import {
  replyReferences,
  replySubject,
  sesMessageIdDomain,
  sesMessageIdHeader,
  threadReply,
} from '#shared/channels/email/thread';
import type { StepContext } from '#shared/outreach/channel-adapter';

const SES_ID = '0100018c2a3b4c5d-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-000000';

describe('the Message-ID domain SES stamps, per region', () => {
  it.each([
    ['us-east-1', 'email.amazonses.com'],
    ['US-EAST-1 ', 'email.amazonses.com'],
    ['eu-west-1', 'eu-west-1.amazonses.com'],
    ['us-west-2', 'us-west-2.amazonses.com'],
    ['ap-southeast-2', 'ap-southeast-2.amazonses.com'],
    ['', 'email.amazonses.com'],
  ])('%j → %s', (region, domain) => {
    // Act
    const result = sesMessageIdDomain(region);

    // Assess
    expect(result).toBe(domain);
  });

  it('builds <id@domain> from an SES id, and nothing from one that would break the header', () => {
    // Act
    const good = sesMessageIdHeader(SES_ID, 'eu-west-1.amazonses.com');
    const injected = sesMessageIdHeader('abc\r\nBcc: x@evil.example', 'email.amazonses.com');
    const bracketed = sesMessageIdHeader('a>b<c', 'email.amazonses.com');

    // Assess
    expect(good).toBe(`<${SES_ID}@eu-west-1.amazonses.com>`);
    expect(injected).toBeUndefined();
    expect(bracketed).toBeUndefined();
  });
});

describe('reply subject', () => {
  it.each([
    ['Quick question', 'Re: Quick question'],
    ['Re: Quick question', 'Re: Quick question'],
    ['RE: Quick question', 'RE: Quick question'],
    ['re:Quick question', 're:Quick question'],
    ['  Quick question ', 'Re: Quick question'],
    ['Regarding pricing', 'Re: Regarding pricing'],
  ])('%j → %j', (subject, expected) => {
    // Act
    const result = replySubject(subject);

    // Assess
    expect(result).toBe(expected);
  });
});

describe('References of a reply (RFC 5322 §3.6.4)', () => {
  it('is the parent Message-ID when the parent started the thread', () => {
    // Act
    const references = replyReferences('<a@email.amazonses.com>');

    // Assess
    expect(references).toBe('<a@email.amazonses.com>');
  });

  it("is the parent's References followed by its Message-ID, each once", () => {
    // Act
    const references = replyReferences('<b@email.amazonses.com>', '<a@email.amazonses.com>  <b@email.amazonses.com>');

    // Assess
    expect(references).toBe('<a@email.amazonses.com> <b@email.amazonses.com>');
  });

  it('drops whatever is not a msg-id (a stored value cannot smuggle a header line in)', () => {
    // Act
    const references = replyReferences('<b@x.example>', '<a@x.example>\r\nBcc: victim@x.example garbage');

    // Assess
    expect(references).toBe('<a@x.example> <b@x.example>');
  });

  it("keeps the thread's root and the newest ids within SES's 870 characters", () => {
    // Prepare: 20 earlier ids of 70 characters each (1,420 characters with their spaces).
    const ids = Array.from(
      { length: 20 },
      (_, n) => `<${String(n).padStart(2, '0')}${'x'.repeat(47)}@eu-west-1.amazonses.com>`,
    );

    // Act
    const references = replyReferences('<last@eu-west-1.amazonses.com>', ids.join(' '));

    // Assess
    const kept = references.split(' ');
    expect(references.length).toBeLessThanOrEqual(870);
    expect(kept[0]).toBe(ids[0]);
    expect(kept.at(-1)).toBe('<last@eu-west-1.amazonses.com>');
    expect(kept.at(-2)).toBe(ids[19]);
    expect(kept).not.toContain(ids[1]);
  });
});

describe('threadReply', () => {
  it('answers the parent: Re: its subject, In-Reply-To and References its Message-ID, its sender', () => {
    // Act
    const reply = threadReply(
      { subject: 'Hello Ada', providerMessageId: SES_ID, fromHeader: 'Grace <grace@x.example>' },
      'email.amazonses.com',
    );

    // Assess
    expect(reply).toEqual({
      subject: 'Re: Hello Ada',
      inReplyTo: `<${SES_ID}@email.amazonses.com>`,
      references: `<${SES_ID}@email.amazonses.com>`,
      from: 'Grace <grace@x.example>',
    });
  });

  it('answers a reply with the subject it went out with and the whole chain', () => {
    // Act
    const reply = threadReply(
      {
        subject: 'Step two own subject',
        subjectHeader: 'Re: Hello Ada',
        providerMessageId: 'second',
        referencesHeader: '<first@email.amazonses.com>',
      },
      'email.amazonses.com',
    );

    // Assess
    expect(reply).toMatchObject({
      subject: 'Re: Hello Ada',
      inReplyTo: '<second@email.amazonses.com>',
      references: '<first@email.amazonses.com> <second@email.amazonses.com>',
    });
    expect(reply?.from).toBeUndefined();
  });

  it('is no thread without an SES id, or with one that cannot be a msg-id', () => {
    // Act
    const withoutId = threadReply({ subject: 'Hello' }, 'email.amazonses.com');
    const withBadId = threadReply({ subject: 'Hello', providerMessageId: 'a b' }, 'email.amazonses.com');

    // Assess
    expect(withoutId).toBeUndefined();
    expect(withBadId).toBeUndefined();
  });

  it('ignores a recorded From line that is not one printable header line', () => {
    // Act
    const reply = threadReply(
      { subject: 'Hi', providerMessageId: 'id1', fromHeader: 'Eve <eve@x.example>\r\nBcc: y@x.example' },
      'email.amazonses.com',
    );

    // Assess
    expect(reply?.from).toBeUndefined();
  });
});

describe('the SendEmail request of a threaded follow-up', () => {
  const context = {
    lead: { leadId: 'lead_1', email: 'hiro@oscorp.example' },
    campaign: { campaignId: 'spring', sender: { name: 'Ada', email: 'ada@x.example' } },
    config: { settings: { configurationSet: 'cascade-events' } },
    messageId: 'msg_0123456789abcdef01234567',
    attemptKey: 'exec#1#1',
    content: { subject: 'Following up', text: 'Hi again', html: '<p>Hi again</p>' },
    unsubscribeUrl: 'https://u.example/v1/unsubscribe?token=t',
  } as unknown as StepContext;

  it('carries the thread subject, sender and In-Reply-To/References next to the unsubscribe headers', () => {
    // Prepare
    const thread = {
      subject: 'Re: Hello Ada',
      inReplyTo: '<first@email.amazonses.com>',
      references: '<first@email.amazonses.com>',
      from: 'Grace <grace@x.example>',
    };

    // Act
    const request = buildSendEmailRequest('hiro@oscorp.example', context, thread);

    // Assess
    expect(request.FromEmailAddress).toBe('Grace <grace@x.example>');
    expect(request.Content?.Simple?.Subject?.Data).toBe('Re: Hello Ada');
    expect(request.Content?.Simple?.Headers).toEqual(
      expect.arrayContaining([
        { Name: 'List-Unsubscribe', Value: '<https://u.example/v1/unsubscribe?token=t>' },
        { Name: 'In-Reply-To', Value: '<first@email.amazonses.com>' },
        { Name: 'References', Value: '<first@email.amazonses.com>' },
      ]),
    );
  });

  it('is a fresh mail with the step’s own subject and the campaign sender without a thread', () => {
    // Act
    const request = buildSendEmailRequest('hiro@oscorp.example', context);

    // Assess
    expect(request.FromEmailAddress).toBe('Ada <ada@x.example>');
    expect(request.Content?.Simple?.Subject?.Data).toBe('Following up');
    const names = request.Content?.Simple?.Headers?.map((header) => header.Name);
    expect(names).not.toContain('In-Reply-To');
    expect(names).not.toContain('References');
  });
});
