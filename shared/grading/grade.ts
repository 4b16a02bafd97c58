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

/** What the grade is computed from: the lead score in hundredths and which signals the lead carries. */
interface Signals {
  score: number;
  hasBudget: boolean;
  hasTimeline: boolean;
  hasPainPoints: boolean;
  tagCount: number;
}

function signalsOf(input: GradeInput): Signals {
  if (!Number.isFinite(input.leadScore) || input.leadScore < 0 || input.leadScore > 1) {
    throw new RangeError(`leadScore must be a number between 0 and 1, got ${String(input.leadScore)}`);
  }
  return {
    score: Math.round(input.leadScore * 100),
    hasBudget: typeof input.budgetRange === 'string' && input.budgetRange.trim() !== '',
    hasTimeline:
      typeof input.timelineMonths === 'number' && Number.isFinite(input.timelineMonths) && input.timelineMonths > 0,
    hasPainPoints: input.painPoints.filter((p) => p.trim() !== '').length > 0,
    tagCount: input.tags.filter((t) => t.trim() !== '').length,
  };
}

/** How the fit adds up, and which signals are missing. */
function fitReasons({ score, hasBudget, hasTimeline, hasPainPoints }: Signals, fit: number, rawFit: number) {
  const parts = [`lead score ${fmt(score)}`];
  if (hasBudget) parts.push(`budget ${fmt(BUDGET_BONUS)}`);
  if (hasTimeline) parts.push(`timeline ${fmt(TIMELINE_BONUS)}`);
  if (hasPainPoints) parts.push(`pain points ${fmt(PAIN_POINTS_BONUS)}`);
  const missing = [
    hasBudget ? undefined : 'budget range',
    hasTimeline ? undefined : 'timeline',
    hasPainPoints ? undefined : 'pain points',
  ].filter((m): m is string => m !== undefined);
  const reasons = [`Fit ${fmt(fit)} = ${parts.join(' + ')}${rawFit > MAX ? ` (${fmt(rawFit)}, capped at 1.00)` : ''}.`];
  if (missing.length > 0) reasons.push(`No ${missing.join(', ')} given.`);
  return reasons;
}

/** The grade the fit earns (A also needs both budget and timeline), with the sentence that says why. */
function gradeFor(fit: number, { hasBudget, hasTimeline }: Signals): { grade: Grade; reason: string } {
  if (fit >= GRADE_A_OR_B && hasBudget && hasTimeline) {
    return { grade: 'A', reason: `Grade A: fit is at least 0.80 and both budget and timeline are known.` };
  }
  if (fit >= GRADE_A_OR_B) {
    const lacking = [hasBudget ? undefined : 'budget', hasTimeline ? undefined : 'timeline']
      .filter(Boolean)
      .join(' and ');
    return { grade: 'B', reason: `Grade B: fit is at least 0.80 but the ${lacking} is missing, so not A.` };
  }
  if (fit >= GRADE_B) return { grade: 'B', reason: `Grade B: fit is at least 0.60 but below 0.80.` };
  if (fit >= GRADE_C) return { grade: 'C', reason: `Grade C: fit is at least 0.40 but below 0.60.` };
  return { grade: 'D', reason: `Grade D: fit is below 0.40.` };
}

/** Grades a lead exactly as §5 describes, computing in integers (hundredths). */
export function gradeLead(input: GradeInput): GradeResult {
  const signals = signalsOf(input);
  const { score, hasBudget, hasTimeline, hasPainPoints, tagCount } = signals;
  const rawFit =
    score +
    (hasBudget ? BUDGET_BONUS : 0) +
    (hasTimeline ? TIMELINE_BONUS : 0) +
    (hasPainPoints ? PAIN_POINTS_BONUS : 0);
  const fit = Math.min(MAX, rawFit);
  const engagement = Math.min(MAX, ENGAGEMENT_PER_TAG * tagCount);
  // 0.7·fit + 0.3·engagement in hundredths, rounded half up to a whole hundredth.
  const conversion = Math.round((7 * fit + 3 * engagement) / 10);
  const { grade, reason } = gradeFor(fit, signals);
  const engagementCap = ENGAGEMENT_PER_TAG * tagCount > MAX ? ' (capped at 1.00)' : '';
  const reasons = [
    ...fitReasons(signals, fit, rawFit),
    reason,
    `Engagement ${fmt(engagement)} from ${tagCount} tag${tagCount === 1 ? '' : 's'}${engagementCap}; conversion probability ${fmt(conversion)} = 0.7 × fit + 0.3 × engagement.`,
  ];
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
