import { ChannelConfig, type ChannelType } from '#shared/domain/schemas';
import { ACCOUNT_SCOPE, defaultChannelConfig, getChannelConfig, putChannelConfig } from '#shared/store/config';
import { nowMs } from '#shared/time/clock';
import { metricsReport } from '#shared/tracking/metrics-aggregates';
import { validationError } from '../errors';
import { redactSettings } from '../redact';
import { defineRoute } from '../route';
import { channelSettingsDetails } from '../schemas/channel-settings';
import {
  ChannelConfigInput,
  ChannelConfigQuery,
  ChannelConfigResponse,
  ChannelParams,
  MetricsQuery,
  MetricsResponse,
} from '../schemas/channels';
import { MAX_TEMPLATE_BYTES } from '../schemas/common';
import { sampleContext, templateDetails, templateSizeDetails } from '../template-check';
import { requireCampaign } from './campaigns';

/** The effective config of a scope: the campaign's, else the account-wide one, else the built-in defaults. */
async function effectiveConfig(channel: ChannelType, campaignId: string | undefined) {
  const scoped = campaignId ? await getChannelConfig(campaignId, channel) : undefined;
  if (scoped) return { ...scoped, source: 'campaign' as const };
  const account = await getChannelConfig(ACCOUNT_SCOPE, channel);
  if (account) return { ...account, source: 'account' as const };
  return { ...defaultChannelConfig(channel), source: 'default' as const };
}

export const channelRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/channels/{channel}/config',
    operationId: 'getChannelConfig',
    tag: 'Channels',
    summary: "A channel's effective configuration",
    description: 'With campaignId: the campaign config over the account-wide default over the built-in defaults.',
    params: ChannelParams,
    query: ChannelConfigQuery,
    responses: { 200: { description: 'The effective config and where it comes from', schema: ChannelConfigResponse } },
    async handle({ params, query }) {
      if (query.campaignId) await requireCampaign(query.campaignId);
      return { status: 200, body: redactSettings(await effectiveConfig(params.channel, query.campaignId)) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/v1/channels/{channel}/config',
    operationId: 'putChannelConfig',
    tag: 'Channels',
    summary: "Replace a channel's configuration for a campaign or account-wide",
    description:
      'Rate limits are whole numbers ≥ 0 (perHour ≤ perDay), `settings` only those the channel reads, each of its type (EMAIL: configurationSet, replyDomain, rejectRoleAddresses, rejectDisposableAddresses, mxCheck, mxTimeoutMs; LINKEDIN: providerBaseUrl, apiKey, accountId, accountType, inviteNoteLimit, minSpacingSeconds ≤ maxSpacingSeconds; CONTACT_FORM: consentPolicy), the retry backoff a list of positive hours, and the template must compile and render against a sample lead.',
    params: ChannelParams,
    query: ChannelConfigQuery,
    body: ChannelConfigInput,
    responses: { 200: { description: 'The stored config', schema: ChannelConfigResponse } },
    async handle({ params, query, body }) {
      const settingsProblems = channelSettingsDetails(params.channel, body.settings);
      if (settingsProblems.length > 0) throw validationError(settingsProblems);
      const campaign = query.campaignId ? await requireCampaign(query.campaignId) : undefined;
      const config = ChannelConfig.parse({
        ...body,
        channel: params.channel,
        scope: campaign?.campaignId ?? ACCOUNT_SCOPE,
      });
      if (config.template) {
        const tooLarge = templateSizeDetails({ template: config.template }, '', MAX_TEMPLATE_BYTES);
        if (tooLarge.length > 0) throw validationError(tooLarge, 'The template is too large');
        const problems = templateDetails(config.template, 'template', sampleContext(campaign), config.channel);
        if (problems.length > 0) throw validationError(problems, 'The template does not compile');
      }
      await putChannelConfig(config);
      return { status: 200, body: redactSettings({ ...config, source: campaign ? 'campaign' : 'account' }) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/metrics/channels',
    operationId: 'getChannelMetrics',
    tag: 'Metrics',
    summary: 'Per-channel delivery, reply and bounce rates',
    description:
      'Counters of the last `days` UTC days (today included), read in O(days × channels). Rates with a zero denominator are 0.',
    query: MetricsQuery,
    responses: { 200: { description: 'Counts and rates per channel', schema: MetricsResponse } },
    async handle({ query }) {
      if (query.campaignId) await requireCampaign(query.campaignId);
      // Counters kept as events are written: days × channels items whatever the message volume.
      const { itemsRead: _itemsRead, ...report } = await metricsReport(query.campaignId, query.days, nowMs());
      return { status: 200, body: report };
    },
  }),
];
