import { describe, expect, it } from 'vitest';
import {
  chartColumns,
  type Funnel,
  fillDays,
  funnelStages,
  totalSends,
} from '../../../console/src/components/campaign-data';

const FUNNEL: Funnel = {
  enrolled: 80,
  contacted: 40,
  replied: 10,
  bounced: 5,
  exhausted: 20,
  unsubscribed: 2,
  paused: 3,
  new: 20,
  inSequence: 15,
  total: 100,
};

describe('funnelStages', () => {
  it('lists the stages in reading order with each one’s share of every lead', () => {
    // Act
    const stages = funnelStages(FUNNEL);

    // Assess
    expect(stages.map((stage) => stage.label)).toEqual([
      'Enrolled',
      'In sequence',
      'Contacted',
      'Replied',
      'Bounced',
      'Exhausted',
      'Unsubscribed',
      'Paused',
      'Not enrolled yet',
    ]);
    expect(stages.find((stage) => stage.key === 'enrolled')?.share).toBe(0.8);
    expect(stages.find((stage) => stage.key === 'replied')).toMatchObject({ count: 10, share: 0.1 });
  });

  it('draws an empty campaign as zeros, and an older API’s funnel without the stages it lacks', () => {
    // Prepare
    const { inSequence: _running, total: _all, ...older } = FUNNEL;
    const empty = {
      ...older,
      enrolled: 0,
      contacted: 0,
      replied: 0,
      bounced: 0,
      exhausted: 0,
      unsubscribed: 0,
      paused: 0,
      new: 0,
    };

    // Act
    const emptyStages = funnelStages(empty);
    const olderStages = funnelStages(older);

    // Assess
    expect(emptyStages.every((stage) => stage.share === 0 && stage.count === 0)).toBe(true);
    expect(olderStages.map((stage) => stage.key)).not.toContain('inSequence');
    expect(olderStages.find((stage) => stage.key === 'enrolled')?.share).toBe(1);
  });
});

describe('sends per day', () => {
  it('sorts the days, fills the gaps with zeros and sums a day given twice', () => {
    // Act
    const days = fillDays([
      { day: '2026-03-04', EMAIL: 1, LINKEDIN: 0, CONTACT_FORM: 2 },
      { day: '2026-03-01', EMAIL: 3, LINKEDIN: 1, CONTACT_FORM: 0 },
      { day: '2026-03-04', EMAIL: 1, LINKEDIN: 1, CONTACT_FORM: 0 },
      { day: 'garbage', EMAIL: 99, LINKEDIN: 99, CONTACT_FORM: 99 },
    ]);

    // Assess
    expect(days.map((row) => row.day)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04']);
    expect(days[1]).toEqual({ day: '2026-03-02', EMAIL: 0, LINKEDIN: 0, CONTACT_FORM: 0 });
    expect(days[3]).toEqual({ day: '2026-03-04', EMAIL: 2, LINKEDIN: 1, CONTACT_FORM: 2 });
  });

  it('totals each channel and all of them, for the table’s "Total" row', () => {
    // Prepare
    const days = fillDays([
      { day: '2026-03-01', EMAIL: 3, LINKEDIN: 1, CONTACT_FORM: 0 },
      { day: '2026-03-02', EMAIL: 2, LINKEDIN: 0, CONTACT_FORM: 4 },
    ]);

    // Act
    const total = totalSends(days);

    // Assess
    expect(total).toEqual({ EMAIL: 5, LINKEDIN: 1, CONTACT_FORM: 4, all: 10 });
    expect(totalSends([])).toEqual({ EMAIL: 0, LINKEDIN: 0, CONTACT_FORM: 0, all: 0 });
  });

  it('gives uPlot UTC midnights in seconds and one series per channel', () => {
    // Act
    const [xs, email, linkedin, forms] = chartColumns(
      fillDays([
        { day: '2026-03-01', EMAIL: 3, LINKEDIN: 1, CONTACT_FORM: 0 },
        { day: '2026-03-02', EMAIL: 2, LINKEDIN: 0, CONTACT_FORM: 4 },
      ]),
    );

    // Assess
    expect(xs).toEqual([Date.UTC(2026, 2, 1) / 1000, Date.UTC(2026, 2, 2) / 1000]);
    expect([email, linkedin, forms]).toEqual([
      [3, 2],
      [1, 0],
      [0, 4],
    ]);
  });
});
