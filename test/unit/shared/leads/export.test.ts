import { describe, expect, it } from 'vitest';
import { csvCell, csvLine, touchSummary } from '#shared/leads/export';

describe('csvCell', () => {
  it('quotes RFC 4180 specials and doubles quotes; plain text stays bare', () => {
    // Prepare
    const values = ['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere', '', undefined, 3];

    // Act
    const cells = values.map(csvCell);

    // Assess
    expect(cells).toEqual(['plain', '"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\rhere"', '', '', '3']);
  });

  it('makes every formula start a text cell, then quotes what needs it', () => {
    // Act
    const cells = ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', '=a,b'].map(csvCell);

    // Assess
    expect(cells).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", `"'\rx"`, `"'=a,b"`]);
  });

  it('ends each line with CRLF', () => {
    expect(csvLine(['a', 'b,c'])).toBe('a,"b,c"\r\n');
  });
});

describe('touchSummary', () => {
  it('counts touches that reached the provider and names the last one and the first reply', () => {
    // Prepare
    const base = { leadId: 'l', campaignId: 'c', body: '', executionName: 'e', attemptKey: 'k' };
    const messages = [
      {
        ...base,
        messageId: '1',
        channel: 'EMAIL' as const,
        status: 'REPLIED' as const,
        createdAt: '2026-01-01T00:00:00.000Z',
        repliedAt: '2026-01-03T00:00:00.000Z',
      },
      {
        ...base,
        messageId: '2',
        channel: 'LINKEDIN' as const,
        status: 'SENT' as const,
        createdAt: '2026-01-02T00:00:00.000Z',
      },
      {
        ...base,
        messageId: '3',
        channel: 'EMAIL' as const,
        status: 'FAILED' as const,
        createdAt: '2026-01-04T00:00:00.000Z',
      },
    ];

    // Act
    const summary = touchSummary(messages);

    // Assess
    expect(summary).toEqual({
      touches: 2,
      channelUsed: 'LINKEDIN',
      lastTouchAt: '2026-01-02T00:00:00.000Z',
      repliedAt: '2026-01-03T00:00:00.000Z',
    });
  });
});
