import * as z from 'zod';
import { ChannelTemplate } from '#shared/domain/schemas';
import { isSingleLine, SINGLE_LINE_MESSAGE } from '#shared/mail/header';

/**
 * Pieces every resource's request and response schemas share: the bounds of what one request may store,
 * the error shape, ids, cursors and pages. Requests are validated with the schemas of this folder; the
 * OpenAPI document is generated from them (`.meta({ id })` names a component), so the two cannot drift.
 */

// ---- bounds: what one request may store (a DynamoDB item holds 400 KB, a key 2 KB)

/** At most `max` bytes of UTF-8 (a key attribute; zod's `.max()` counts characters). */
export const maxBytes = (max: number) => (value: string) => Buffer.byteLength(value, 'utf8') <= max;

/** RFC 5321: an address is at most 254 characters; RFC 1035: a domain name at most 253. */
const MAX_EMAIL_LENGTH = 254;
export const MAX_DOMAIN_LENGTH = 253;
const HOURS_PER_YEAR = 8_760;

export const boundedEmail = () => z.email().max(MAX_EMAIL_LENGTH);

/** Hours of at most a year: a wait before a step. */
export const hoursWithinYear = () => z.number().nonnegative().max(HOURS_PER_YEAR);

/** A retry backoff: 1 to 10 waits, each positive and at most a year. */
export const backoffHours = () => z.array(z.number().positive().max(HOURS_PER_YEAR)).min(1).max(10);

/**
 * Text that reaches a mail header, directly (the From name) or through a template (`{{ sender.company }}`
 * in a subject): one line without control characters, or a CR/LF would start a header of its own.
 */
export const singleLine = (text: z.ZodString) => text.refine(isSingleLine, SINGLE_LINE_MESSAGE);

/** A template as requests give it: subject one mail header line (RFC 5322), parts bounded. */
export const ChannelTemplateInput = ChannelTemplate.extend({
  subject: singleLine(z.string().max(998)).optional(),
  body: z.string().min(1).max(100_000),
  html: z.string().max(100_000).optional(),
}).meta({ id: 'ChannelTemplateInput' });

/** Stored templates of one campaign or channel config, together, as UTF-8 (the rest of the item is small). */
export const MAX_TEMPLATE_BYTES = 300 * 1024;

// ---- errors

export const ErrorDetail = z
  .object({
    field: z.string().meta({ description: 'The input field: `sender.email`, `limit`, `templates.EMAIL.body`, …' }),
    message: z.string(),
    rule: z
      .string()
      .optional()
      .meta({ description: 'The policy rule that refused the value (a webhook URL: `private_network`, …)' }),
  })
  .meta({ id: 'ErrorDetail' });

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable machine-readable code, e.g. `validation_error`, `not_found`.' }),
      message: z.string(),
      details: z.array(ErrorDetail),
    }),
  })
  .meta({ id: 'Error', description: 'Every error: `{"error":{"code","message","details"}}`.' });

// ---- ids, headers, pages

/** A path or query id: 1 to 200 characters. */
export const id = (description: string) => z.string().min(1).max(200).meta({ description });

/** The `cursor` query parameter of a paged listing. */
export const cursor = z.string().min(1).max(2_000).optional().meta({ description: 'Opaque cursor from `nextCursor`' });

/** The query of a paged listing: `limit` (1 to `max`, default `byDefault`) and `cursor`. */
export const pageQuery = (max: number, byDefault: number) =>
  z.object({ limit: z.coerce.number().int().min(1).max(max).default(byDefault), cursor });

/** One page of a listing; `nextCursor` is absent on the last page. */
export const pageOf = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().optional() });

export const IdempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'Replays the first response for the same key and body; 409 for another body (24 h)' }),
});

export const OpenApiDocumentResponse = z
  .record(z.string(), z.unknown())
  .meta({ id: 'OpenApiDocument', description: 'This document' });
