import { describe, expect, it } from 'vitest';
import { buildSendEmailRequest, emailAdapter } from '#shared/channels/email/ses-adapter';
import { messageTags, sesTagValue, taggedMessage } from '#shared/channels/email/ses-tags';
import { settingProblems } from '#shared/channels/email/settings';
import type { StepContext } from '#shared/outreach/channel-adapter';

/** SES API v2 MessageTag: ASCII letters, digits, `_` and `-`, 1–256 characters (names and values). */
const SES_TAG = /^[A-Za-z0-9_-]{1,256}$/;

function stepContext(overrides: {
  senderName?: string;
  leadId?: string;
  subject?: string;
  settings?: Record<string, string | number | boolean>;
}): StepContext {
  return {
    lead: { leadId: overrides.leadId ?? 'lead_1', email: 'hiro@oscorp.example' },
    campaign: { campaignId: 'spring', sender: { name: overrides.senderName ?? 'Ada', email: 'ada@x.example' } },
    config: { settings: overrides.settings ?? { configurationSet: 'cascade-events' } },
    messageId: 'msg_0123456789abcdef01234567',
    attemptKey: 'exec#0#1',
    content: { subject: overrides.subject ?? 'Hello', text: 'Hi', html: '<p>Hi</p>' },
    unsubscribeUrl: 'https://u.example/v1/unsubscribe?token=t',
  } as unknown as StepContext;
}

describe('SES message tags', () => {
  it.each([
    ['ada.lovelace@x.example spring 2026', 'ada_lovelace_x_example_spring_2026'], // dots, @ and spaces
    ['José🚀', 'Jos__'], // non-ASCII, one _ per character
    ['', '_'], // an empty value
    ['msg_0123abcd-ef', 'msg_0123abcd-ef'], // our own ids, unchanged
  ])('sanitises %j into SES’s alphabet as %j', (value, expected) => {
    // Act
    const tag = sesTagValue(value);

    // Assess
    expect(tag).toBe(expected);
    expect(tag).toMatch(SES_TAG);
  });

  it('cuts a value at 256 characters', () => {
    // Act
    const tag = sesTagValue('x'.repeat(300));

    // Assess
    expect(tag).toHaveLength(256);
  });

  it('carries a lead id that sanitising alters reversibly, and matching reads the exact id back', () => {
    // Prepare
    const ids = { campaignId: 'cmp.2026', leadId: 'lead.7@acme ü', messageId: 'msg_0123456789abcdef01234567' };

    // Act
    const tags = messageTags(ids);
    const asSesPublishesThem = Object.fromEntries(tags.map((tag) => [tag.Name, [tag.Value ?? '']]));
    const matched = taggedMessage(asSesPublishesThem);

    // Assess
    for (const tag of tags) {
      expect(tag.Name).toMatch(SES_TAG);
      expect(tag.Value).toMatch(SES_TAG);
    }
    expect(asSesPublishesThem.lead).toEqual(['lead_7_acme__']);
    expect(matched).toEqual({ leadId: 'lead.7@acme ü', messageId: ids.messageId });
  });

  it('adds nothing for ids already in the alphabet (every id Cascade generates)', () => {
    // Act
    const tags = messageTags({ campaignId: 'cmp_ab12', leadId: 'lead_ab12cd34ef56ab78', messageId: 'msg_0a1b' });

    // Assess
    expect(tags).toEqual([
      { Name: 'campaign', Value: 'cmp_ab12' },
      { Name: 'lead', Value: 'lead_ab12cd34ef56ab78' },
      { Name: 'message', Value: 'msg_0a1b' },
    ]);
  });
});

describe('header-bound strings in the SES request', () => {
  it('B-encodes a non-ASCII sender name in FromEmailAddress', () => {
    // Act
    const request = buildSendEmailRequest('hiro@oscorp.example', stepContext({ senderName: 'José Núñez' }));

    // Assess
    expect(request.FromEmailAddress).toBe('=?UTF-8?B?Sm9zw6kgTsO6w7Fleg==?= <ada@x.example>');
  });

  it('folds a line break in a rendered subject to one space', () => {
    // Act
    const request = buildSendEmailRequest('hiro@oscorp.example', stepContext({ subject: 'Hello\r\nBcc: x@y.example' }));

    // Assess
    expect(request.Content?.Simple?.Subject?.Data).toBe('Hello Bcc: x@y.example');
  });

  it('stops the lead with template_error when its subject holds another control character', async () => {
    // Act
    const preparation = await emailAdapter.prepare(stepContext({ subject: 'Hello \u0000Ada' }));

    // Assess
    expect(preparation).toEqual({
      verdict: expect.objectContaining({ outcome: 'STOP', reason: 'template_error', delivered: false }),
    });
  });

  it.each([
    ['a CR/LF sender name stored before the API refused it', { senderName: 'Ada\r\nBcc: all@x.example' }],
    ['a CR/LF reply domain', { settings: { replyDomain: 'replies.x.example\r\nBcc: all@x.example' } }],
    ['a configuration set SES would refuse', { settings: { configurationSet: 'cascade.events' } }],
  ])('waits for the operator on %s: nothing is sent, the lead does not fall back', async (_case, overrides) => {
    // Act
    const preparation = await emailAdapter.prepare(stepContext(overrides));
    const sent = await emailAdapter.send({ recipient: 'hiro@oscorp.example' }, stepContext(overrides));

    // Assess
    for (const result of [preparation, sent]) {
      expect(result).toEqual({
        verdict: expect.objectContaining({
          outcome: 'RETRY',
          usesRetry: false,
          operatorAlert: 'ses_sender_settings_invalid',
          delivered: false,
        }),
      });
    }
  });
});

describe('email channel settings that reach a header', () => {
  it.each([
    [{ replyDomain: 'replies.x.example', configurationSet: 'cascade-events', mxCheck: true }, []],
    [{ replyDomain: '' }, []],
    [{ replyDomain: 'replies.x.example\r\n' }, ['replyDomain']],
    [{ replyDomain: 'not a domain' }, ['replyDomain']],
    [{ replyDomain: 42 }, ['replyDomain']],
    [{ configurationSet: 'cascade\nevents' }, ['configurationSet']],
    [{ configurationSet: 'x'.repeat(65) }, ['configurationSet']],
    [{ accountId: 'acct\r\nX-Injected: 1' }, ['accountId']],
    [{ toString: 'fine' }, []],
  ])('%j → problems with %j', (settings, keys) => {
    // Act
    const problems = settingProblems(settings);

    // Assess
    expect(problems.map((problem) => problem.key)).toEqual(keys);
  });
});
