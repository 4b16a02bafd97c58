import { describe, expect, it } from 'vitest';
import {
  channelLabel,
  formatCount,
  formatRate,
  formatRelative,
  formatTimestamp,
  humanize,
  leadName,
  ratio,
} from '../../../console/src/format';

describe('console formatting', () => {
  it('groups counts and shows a dash for no number', () => {
    expect([formatCount(12345), formatCount(0), formatCount(undefined), formatCount(Number.NaN)]).toEqual([
      '12,345',
      '0',
      '–',
      '–',
    ]);
  });

  it('writes rates as percentages and never divides by zero', () => {
    expect([formatRate(0.1234), formatRate(1, 0), formatRate(null)]).toEqual(['12.3%', '100%', '–']);
    expect([ratio(1, 4), ratio(3, 0)]).toEqual([0.25, 0]);
  });

  it('shows timestamps in UTC to the minute, and relative times both ways', () => {
    // Prepare
    const now = Date.parse('2026-03-04T12:00:00Z');

    // Act
    const stamp = formatTimestamp('2026-03-04T09:05:59.123Z');
    const relative = [
      formatRelative('2026-03-04T11:59:30Z', now),
      formatRelative('2026-03-04T10:00:00Z', now),
      formatRelative('2026-03-01T12:00:00Z', now),
      formatRelative('2026-03-04T12:05:00Z', now),
    ];

    // Assess
    expect(stamp).toBe('2026-03-04 09:05 UTC');
    expect(relative).toEqual(['30 s ago', '2 h ago', '3 d ago', 'in 5 min']);
    expect(formatTimestamp('not a date')).toBe('not a date');
  });

  it('turns codes into words', () => {
    expect([humanize('IN_SEQUENCE'), humanize('ambiguous_send'), humanize('dailyLimit'), humanize(undefined)]).toEqual([
      'In sequence',
      'Ambiguous send',
      'Daily limit',
      '–',
    ]);
    expect([channelLabel('CONTACT_FORM'), channelLabel('LINKEDIN'), channelLabel('FAX')]).toEqual([
      'Contact form',
      'LinkedIn',
      'Fax',
    ]);
  });

  it('names a lead by its name, else its id', () => {
    expect(leadName({ leadId: 'l-1', firstName: 'Ada', lastName: 'Lovelace' })).toBe('Ada Lovelace');
    expect(leadName({ leadId: 'l-2', firstName: '' })).toBe('l-2');
  });
});
