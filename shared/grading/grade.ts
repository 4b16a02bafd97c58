import type { Grade } from '../domain/schemas';

/** What grading needs from a lead (docs/product.md §5). */
export interface GradeInput {
  /** 0..1 */
  leadScore: number;
  budgetRange?: string | null;
  /** 0 (or absent) means no timeline. */
  timelineMonths?: number | null;
  painPoints: readonly string[];
  tags: readonly string[];
}

export interface GradeResult {
  grade: Grade;
  /** 0..1, two decimals. */
  fit: number;
  /** 0..1, two decimals. */
  engagement: number;
  /** 0.7·fit + 0.3·engagement, two decimals. */
  conversionProbability: number;
  /** Plain-language explanation of the grade. */
  reasons: string[];
}

const GRADE_RANK: Record<Grade, number> = { A: 4, B: 3, C: 2, D: 1 };

/** Thresholds and weights in whole hundredths, so no floating-point sum decides a grade. */
const BUDGET_BONUS = 20;
const TIMELINE_BONUS = 10;
const PAIN_POINTS_BONUS = 10;
const ENGAGEMENT_PER_TAG = 5;
const MAX = 100;
const GRADE_A_OR_B = 80;
const GRADE_B = 60;
const GRADE_C = 40;

const fmt = (hundredths: number): string => (hundredths / 100).toFixed(2);

/** Grades a lead exactly as §5 describes, computing in integers (hundredths). */
export function gradeLead(input: GradeInput): GradeResult {
  if (!Number.isFinite(input.leadScore) || input.leadScore < 0 || input.leadScore > 1) {
    throw new RangeError(`leadScore must be a number between 0 and 1, got ${String(input.leadScore)}`);
  }
  const score = Math.round(input.leadScore * 100);
  const hasBudget = typeof input.budgetRange === 'string' && input.budgetRange.trim() !== '';
  const hasTimeline =
    typeof input.timelineMonths === 'number' && Number.isFinite(input.timelineMonths) && input.timelineMonths > 0;
  const painPoints = input.painPoints.filter((p) => p.trim() !== '');
  const hasPainPoints = painPoints.length > 0;
  const tagCount = input.tags.filter((t) => t.trim() !== '').length;

  const rawFit =
    score +
    (hasBudget ? BUDGET_BONUS : 0) +
    (hasTimeline ? TIMELINE_BONUS : 0) +
    (hasPainPoints ? PAIN_POINTS_BONUS : 0);
  const fit = Math.min(MAX, rawFit);
  const engagement = Math.min(MAX, ENGAGEMENT_PER_TAG * tagCount);
  // 0.7·fit + 0.3·engagement in hundredths, rounded half up to a whole hundredth.
  const conversion = Math.round((7 * fit + 3 * engagement) / 10);

  const parts = [`lead score ${fmt(score)}`];
  if (hasBudget) parts.push(`budget ${fmt(BUDGET_BONUS)}`);
  if (hasTimeline) parts.push(`timeline ${fmt(TIMELINE_BONUS)}`);
  if (hasPainPoints) parts.push(`pain points ${fmt(PAIN_POINTS_BONUS)}`);
  const missing = [
    hasBudget ? undefined : 'budget range',
    hasTimeline ? undefined : 'timeline',
    hasPainPoints ? undefined : 'pain points',
  ].filter((m): m is string => m !== undefined);

  const reasons: string[] = [
    `Fit ${fmt(fit)} = ${parts.join(' + ')}${rawFit > MAX ? ` (${fmt(rawFit)}, capped at 1.00)` : ''}.`,
  ];
  if (missing.length > 0) reasons.push(`No ${missing.join(', ')} given.`);

  let grade: Grade;
  if (fit >= GRADE_A_OR_B && hasBudget && hasTimeline) {
    grade = 'A';
    reasons.push(`Grade A: fit is at least 0.80 and both budget and timeline are known.`);
  } else if (fit >= GRADE_A_OR_B) {
    grade = 'B';
    const lacking = [hasBudget ? undefined : 'budget', hasTimeline ? undefined : 'timeline']
      .filter(Boolean)
      .join(' and ');
    reasons.push(`Grade B: fit is at least 0.80 but the ${lacking} is missing, so not A.`);
  } else if (fit >= GRADE_B) {
    grade = 'B';
    reasons.push(`Grade B: fit is at least 0.60 but below 0.80.`);
  } else if (fit >= GRADE_C) {
    grade = 'C';
    reasons.push(`Grade C: fit is at least 0.40 but below 0.60.`);
  } else {
    grade = 'D';
    reasons.push(`Grade D: fit is below 0.40.`);
  }
  reasons.push(
    `Engagement ${fmt(engagement)} from ${tagCount} tag${tagCount === 1 ? '' : 's'}${
      ENGAGEMENT_PER_TAG * tagCount > MAX ? ' (capped at 1.00)' : ''
    }; conversion probability ${fmt(conversion)} = 0.7 × fit + 0.3 × engagement.`,
  );

  return {
    grade,
    fit: fit / 100,
    engagement: engagement / 100,
    conversionProbability: conversion / 100,
    reasons,
  };
}

/** True when `grade` is `minGrade` or better (A > B > C > D). */
export function gradeAtLeast(grade: Grade, minGrade: Grade): boolean {
  return GRADE_RANK[grade] >= GRADE_RANK[minGrade];
}
