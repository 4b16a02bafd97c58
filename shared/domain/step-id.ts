import * as z from 'zod';

/**
 * A step's stable id (`step-<n>` when absent, 1-based): other steps refer to it, and a variant id follows the same
 * rules. Its own module so the step's parts (variants) can use it without a cycle through schemas.ts.
 */
export const StepId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, - or _');
