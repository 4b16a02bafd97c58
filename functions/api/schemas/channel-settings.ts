import * as z from 'zod';
import { CONSENT_POLICIES } from '#shared/channels/contact-form/submission-plan';
import { LINKEDIN_NOTE_LIMIT } from '#shared/channels/linkedin/verdict';
import type { ChannelType } from '#shared/domain/schemas';
import { type ErrorDetail, zodDetails } from '../errors';

/**
 * What each channel reads from its config's `settings` (README "Channel settings"; the readers are
 * shared/channels/email/ses-adapter.ts, linkedin/linkedin-adapter.ts and contact-form/contact-form-adapter.ts):
 * a setting of the wrong type or unknown to the channel would be silently ignored when sending
 * (`mxCheck: "true"` is not `true`), so the API refuses it, naming `settings.<key>`.
 */

/** Seconds between two LinkedIn actions of one account: at most a day. */
const spacingSeconds = () => z.number().int('must be whole seconds').min(0).max(86_400);

/** A provider base URL: http(s), and no credentials (they would be echoed into history and logs). */
const providerBaseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2_000)
  .refine((value) => {
    const url = new URL(value);
    return url.username === '' && url.password === '';
  }, 'must not hold credentials (user:password@); give apiKey instead');

const EmailSettings = z.strictObject({
  configurationSet: z.string(),
  replyDomain: z.string(),
  rejectRoleAddresses: z.boolean(),
  rejectDisposableAddresses: z.boolean(),
  mxCheck: z.boolean(),
  mxTimeoutMs: z.number().int('must be whole milliseconds').min(1).max(30_000),
});

const LinkedInSettings = z
  .strictObject({
    providerBaseUrl,
    apiKey: z.string().min(1),
    accountId: z.string().min(1).max(200),
    accountType: z.enum(['free', 'premium']),
    inviteNoteLimit: z.number().int().min(0).max(LINKEDIN_NOTE_LIMIT),
    minSpacingSeconds: spacingSeconds(),
    maxSpacingSeconds: spacingSeconds(),
  })
  .partial()
  .refine(
    ({ minSpacingSeconds: min = 45, maxSpacingSeconds: max = 120 }) => min <= max,
    // The defaults count: min 200 alone is above the default max of 120.
    { path: ['maxSpacingSeconds'], message: 'must be at least minSpacingSeconds (defaults 45 and 120)' },
  );

const ContactFormSettings = z.strictObject({ consentPolicy: z.enum(CONSENT_POLICIES) });

/** The settings each channel accepts, every one optional. PHONE reads none. */
export const CHANNEL_SETTINGS: Record<ChannelType, z.ZodType> = {
  EMAIL: EmailSettings.partial(),
  LINKEDIN: LinkedInSettings,
  CONTACT_FORM: ContactFormSettings.partial(),
  PHONE: z.strictObject({}),
};

/** Field-level problems of a channel's settings (`settings.mxCheck`, …); none when they fit its schema. */
export function channelSettingsDetails(channel: ChannelType, settings: Record<string, unknown>): ErrorDetail[] {
  const result = CHANNEL_SETTINGS[channel].safeParse(settings);
  if (result.success) return [];
  return zodDetails(result.error, 'settings').map((detail) => ({
    ...detail,
    field: detail.field === 'settings' ? detail.field : `settings.${detail.field}`,
  }));
}
