import { describe, expect, it } from 'vitest';
import { table } from '#cli/output';
import { configRows } from '#cli/verbs/channel-config';

describe('configRows', () => {
  it('lists a channel config field by field, nested parts under dotted names', () => {
    // Prepare: an answer of GET /v1/channels/EMAIL/config, fields in the API's order.
    const config = {
      channel: 'EMAIL',
      scope: 'spring',
      enabled: true,
      rateLimits: { perHour: 20, perDay: 200 },
      retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 48] },
      template: { subject: 'Hi {{ lead.firstName }}', body: 'Line one\nLine two' },
      settings: { mxCheck: true, replyDomain: 'replies.example' },
      source: 'campaign',
    };

    // Act
    const rows = configRows(config);

    // Assess
    expect(rows).toEqual([
      ['channel', 'EMAIL'],
      ['scope', 'spring'],
      ['source', 'campaign'],
      ['enabled', true],
      ['rateLimits.perHour', 20],
      ['rateLimits.perDay', 200],
      ['retryPolicy.maxRetries', 2],
      ['retryPolicy.retryBackoffHours', '24, 48'],
      ['template.subject', 'Hi {{ lead.firstName }}'],
      ['template.body', 'Line one\nLine two'],
      ['settings.mxCheck', true],
      ['settings.replyDomain', 'replies.example'],
    ]);
  });

  it('shows an empty part as one row with a dash, and a multi-line template on one line', () => {
    // Prepare
    const config = { channel: 'LINKEDIN', settings: {}, template: { body: 'a\nb' }, extra: 'kept' };

    // Act
    const lines = table(['field', 'value'], configRows(config));

    // Assess
    expect(lines).toEqual([
      'field          value',
      'channel        LINKEDIN',
      'template.body  a\\u000ab',
      'settings       -',
      'extra          kept',
    ]);
  });
});
