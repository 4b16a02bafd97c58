import { z } from 'zod';
import { StepId } from '../domain/step-id';

/**
 * One A/B variant of a step's content (docs/product.md §9): the fields of a channel template plus an `id` (same
 * rules as a step id, so it can sit in keys and metric dimensions) and a relative `weight`.
 */
export const StepVariant = z.object({
  id: StepId,
  weight: z.number().positive().default(1),
  subject: z.string().optional(),
  body: z.string().min(1),
  html: z.string().optional(),
});
export type StepVariant = z.infer<typeof StepVariant>;

export const MIN_VARIANTS = 2;
export const MAX_VARIANTS = 5;

/** A step's variants: 2–5 of them, each id used once (a lead's variant is recorded by id). */
export const StepVariants = z
  .array(StepVariant)
  .min(MIN_VARIANTS)
  .max(MAX_VARIANTS)
  .superRefine((variants, context) => {
    const seen = new Set<string>();
    variants.forEach((variant, index) => {
      if (seen.has(variant.id))
        context.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicates the variant id "${variant.id}"` });
      seen.add(variant.id);
    });
  });
export type StepVariants = z.infer<typeof StepVariants>;
