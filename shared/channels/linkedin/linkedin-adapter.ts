import { type SettingName, setting as stackSetting } from '#shared/config/settings';
import type { ChannelConfig } from '#shared/domain/schemas';
import type { ChannelAdapter, StepContext } from '#shared/outreach/channel-adapter';
import { secretValue } from '#shared/secrets';
import { LinkedInProviderClient } from './provider-client';
import {
  checkMessageLength,
  checkNoteLength,
  decideLinkedInAction,
  LINKEDIN_FREE_NOTE_LIMIT,
  LINKEDIN_NOTE_LIMIT,
  type LinkedInAction,
  verdictForError,
  verdictForInvitationSent,
  verdictForMessageSent,
} from './verdict';

const clients = new Map<string, LinkedInProviderClient>();

/** A channel setting, else what the stack gives the function. */
const setting = (config: ChannelConfig, name: string, fallback: SettingName) =>
  String(config.settings[name] ?? stackSetting(fallback) ?? '');

/** Invitation note limit: configurable, else 200 characters for a free account and 300 otherwise. */
function noteLimit(config: ChannelConfig): number {
  if (config.settings.inviteNoteLimit !== undefined) return Number(config.settings.inviteNoteLimit);
  return config.settings.accountType === 'free' ? LINKEDIN_FREE_NOTE_LIMIT : LINKEDIN_NOTE_LIMIT;
}

/** Conservative pacing: a random 45–120 s gap between two actions of one LinkedIn account (configurable). */
function spacing(config: ChannelConfig) {
  return {
    minSeconds: Number(config.settings.minSpacingSeconds ?? 45),
    maxSeconds: Number(config.settings.maxSpacingSeconds ?? 120),
  };
}

/** Provider base URL, key and account from the channel settings, else the environment. One client per account. */
function providerClient(config: ChannelConfig): LinkedInProviderClient {
  const baseUrl = setting(config, 'providerBaseUrl', 'CASCADE_LINKEDIN_BASE_URL');
  const apiKey = String(config.settings.apiKey ?? secretValue('CASCADE_LINKEDIN_API_KEY') ?? '');
  const accountId = setting(config, 'accountId', 'CASCADE_LINKEDIN_ACCOUNT_ID');
  const cacheKey = `${baseUrl}|${accountId}|${apiKey}`;
  let client = clients.get(cacheKey);
  if (!client) {
    client = new LinkedInProviderClient({ baseUrl, apiKey, accountId });
    clients.set(cacheKey, client);
  }
  return client;
}

/** The step's `linkedinAction`, when the step runner passes the runtime step on the context; else `auto`. */
const actionOf = (context: StepContext): LinkedInAction =>
  (context as StepContext & { step?: { linkedinAction?: LinkedInAction } }).step?.linkedinAction ?? 'auto';

export const linkedInAdapter: ChannelAdapter = {
  channel: 'LINKEDIN',
  async prepare(context) {
    const { lead, config, content } = context;
    const identifier = lead.linkedinProviderId ?? lead.linkedinUrl;
    if (!identifier) return { verdict: { outcome: 'FALLBACK', reason: 'no_profile', delivered: false } };
    let profile: Awaited<ReturnType<LinkedInProviderClient['resolveProfile']>>;
    try {
      profile = await providerClient(config).resolveProfile(identifier);
    } catch (error) {
      return { verdict: verdictForError(error) };
    }
    // Keep the lead's view of the relation in step with the provider's.
    const leadUpdates = { linkedinProviderId: profile.providerId, linkedinConnectionStatus: profile.relation };
    const decision = decideLinkedInAction(actionOf(context), profile.relation);
    if (decision.action === 'none') return { verdict: decision.verdict, leadUpdates };
    const tooLong =
      decision.action === 'send_invitation'
        ? checkNoteLength(content.text, noteLimit(config))
        : checkMessageLength(content.text);
    if (tooLong) return { verdict: tooLong, leadUpdates };
    const plan = {
      recipient: profile.providerId,
      rateScope: `LINKEDIN:${setting(config, 'accountId', 'CASCADE_LINKEDIN_ACCOUNT_ID') || 'default'}`,
      spacing: spacing(config),
      data: { action: decision.action },
    };
    return { plan, leadUpdates };
  },
  async send(plan, { config, content }) {
    const client = providerClient(config);
    try {
      if (plan.data?.action === 'send_invitation') {
        const invitation = await client.sendInvitation(plan.recipient, content.text);
        return {
          verdict: verdictForInvitationSent(invitation),
          leadUpdates: { linkedinProviderId: plan.recipient, linkedinConnectionStatus: 'CONNECTION_REQUESTED' },
        };
      }
      return { verdict: verdictForMessageSent(await client.sendMessage(plan.recipient, content.text)) };
    } catch (error) {
      return { verdict: verdictForError(error) };
    }
  },
};
