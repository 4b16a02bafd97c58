import { describe, expect, it } from 'vitest';
import type { Grade } from '#shared/domain/schemas';
import { type GradeInput, gradeAtLeast, gradeLead } from '#shared/grading/grade';

const lead = (overrides: Partial<GradeInput>): GradeInput => ({ leadScore: 0, painPoints: [], tags: [], ...overrides });
const BUDGET = { budgetRange: '$10k-$50k' };
const TIMELINE = { timelineMonths: 3 };
const PAINS = { painPoints: ['low reply rates'] };

describe('gradeLead', () => {
  const cases: { name: string; input: GradeInput; grade: Grade; fit: number }[] = [
    {
      name: '0.50 + budget + timeline = 0.80 exactly → A',
      input: lead({ leadScore: 0.5, ...BUDGET, ...TIMELINE }),
      grade: 'A',
      fit: 0.8,
    },
    {
      name: '0.60 + budget = 0.80 without timeline → B',
      input: lead({ leadScore: 0.6, ...BUDGET }),
      grade: 'B',
      fit: 0.8,
    },
    {
      name: '0.70 + timeline = 0.80 without budget → B',
      input: lead({ leadScore: 0.7, ...TIMELINE }),
      grade: 'B',
      fit: 0.8,
    },
    {
      name: '0.59 + budget = 0.79 → B (fit band 0.60–0.79)',
      input: lead({ leadScore: 0.59, ...BUDGET }),
      grade: 'B',
      fit: 0.79,
    },
    {
      name: '0.49 + budget + timeline = 0.79 → B, not A',
      input: lead({ leadScore: 0.49, ...BUDGET, ...TIMELINE }),
      grade: 'B',
      fit: 0.79,
    },
    { name: '0.60 alone → B', input: lead({ leadScore: 0.6 }), grade: 'B', fit: 0.6 },
    { name: '0.59 alone → C', input: lead({ leadScore: 0.59 }), grade: 'C', fit: 0.59 },
    { name: '0.40 → C', input: lead({ leadScore: 0.4 }), grade: 'C', fit: 0.4 },
    { name: '0.29 + pain points = 0.39 → D', input: lead({ leadScore: 0.29, ...PAINS }), grade: 'D', fit: 0.39 },
    { name: '0.39 → D', input: lead({ leadScore: 0.39 }), grade: 'D', fit: 0.39 },
    { name: '0.00 → D', input: lead({ leadScore: 0 }), grade: 'D', fit: 0 },
    {
      name: 'timeline 0 is absent',
      input: lead({ leadScore: 0.7, ...BUDGET, timelineMonths: 0 }),
      grade: 'B',
      fit: 0.9,
    },
    {
      name: 'blank budget is absent',
      input: lead({ leadScore: 0.4, budgetRange: '  ', ...TIMELINE }),
      grade: 'C',
      fit: 0.5,
    },
    { name: 'blank pain points are absent', input: lead({ leadScore: 0.5, painPoints: [' '] }), grade: 'C', fit: 0.5 },
    { name: 'fit caps at 1.00', input: lead({ leadScore: 0.9, ...BUDGET, ...TIMELINE, ...PAINS }), grade: 'A', fit: 1 },
  ];

  it.each(cases)('$name', ({ input, grade, fit }) => {
    // Prepare: the case's input
    // Act
    const result = gradeLead(input);
    // Assess
    expect(result.grade).toBe(grade);
    expect(result.fit).toBe(fit);
  });

  it('sums 0.55 + 0.20 + 0.10 to exactly 0.85 (no floating-point drift)', () => {
    // Prepare
    const input = lead({ leadScore: 0.55, ...BUDGET, ...TIMELINE });
    // Act
    const result = gradeLead(input);
    // Assess
    expect(result.fit).toBe(0.85);
    expect(result.grade).toBe('A');
  });

  it('computes engagement as 0.05 per tag, capped at 1.00', () => {
    // Prepare
    const three = lead({ tags: ['webinar', 'pricing-page', 'newsletter'] });
    const many = lead({ tags: Array.from({ length: 25 }, (_, i) => `tag-${i}`) });
    // Act
    const a = gradeLead(three);
    const b = gradeLead(many);
    // Assess
    expect(a.engagement).toBe(0.15);
    expect(b.engagement).toBe(1);
    expect(b.reasons.join(' ')).toContain('capped at 1.00');
  });

  it('computes conversionProbability as 0.7·fit + 0.3·engagement in hundredths', () => {
    // Prepare: fit 0.90, engagement 0.10 → 0.63 + 0.03
    const input = lead({ leadScore: 0.6, ...BUDGET, ...TIMELINE, tags: ['webinar', 'pricing-page'] });
    // Act
    const result = gradeLead(input);
    // Assess
    expect(result.conversionProbability).toBe(0.66);
  });

  it('rounds conversionProbability half up to a whole hundredth', () => {
    // Prepare: fit 0.55, engagement 0 → 0.385
    const input = lead({ leadScore: 0.55 });
    // Act
    const result = gradeLead(input);
    // Assess
    expect(result.conversionProbability).toBe(0.39);
  });

  it('explains the grade in plain words', () => {
    // Prepare
    const input = lead({ leadScore: 0.6, ...BUDGET });
    // Act
    const { reasons } = gradeLead(input);
    // Assess
    expect(reasons[0]).toBe('Fit 0.80 = lead score 0.60 + budget 0.20.');
    expect(reasons).toContain('No timeline, pain points given.');
    expect(reasons.some((r) => r.startsWith('Grade B:') && r.includes('timeline is missing'))).toBe(true);
  });

  it('rejects a lead score outside 0..1', () => {
    // Prepare
    const input = lead({ leadScore: 1.7 });
    // Act / Assess
    expect(() => gradeLead(input)).toThrow(RangeError);
  });
});

describe('gradeAtLeast', () => {
  it.each([
    ['A', 'C', true],
    ['C', 'C', true],
    ['D', 'C', false],
    ['B', 'A', false],
    ['D', 'D', true],
  ] as const)('%s at least %s → %s', (grade, min, expected) => {
    // Prepare / Act
    const result = gradeAtLeast(grade, min);
    // Assess
    expect(result).toBe(expected);
  });
});
