import { ChannelType } from '#shared/domain/schemas';
import {
  ACCOUNT_SCOPE,
  type AccountLimits,
  DEFAULT_ACCOUNT_LIMITS,
  DEFAULT_CHANNEL_LIMITS,
  getChannelConfig,
  resolveAccountLimits,
  updateAccountLimits,
} from '#shared/store/config';
import { defineRoute } from '../route';
import { AccountLimitsInput, AccountLimitsResponse } from '../schemas/limits';

/** The stored account-wide rate limits of each channel, else the built-in defaults (read-only here). */
async function accountChannelLimits() {
  const entries = await Promise.all(
    ChannelType.options.map(async (channel) => {
      const config = await getChannelConfig(ACCOUNT_SCOPE, channel);
      const { perHour, perDay } = config?.rateLimits ?? DEFAULT_CHANNEL_LIMITS[channel];
      return [channel, { perHour, perDay, source: config ? 'account' : 'default' }] as const;
    }),
  );
  return Object.fromEntries(entries);
}

/** What both routes answer: every account limit (defaults filled), then the channels' own. */
async function limitsBody(limits: AccountLimits) {
  return { ...DEFAULT_ACCOUNT_LIMITS, ...limits, channels: await accountChannelLimits() };
}

export const limitRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/limits',
    operationId: 'getAccountLimits',
    tag: 'Limits',
    summary: 'Every account-wide limit with its current value',
    description:
      'Global sends per day, emails per recipient domain per day, lead cooldown hours and running sequences per person (defaults filled), and, read-only, the account-wide rate limits of each channel.',
    responses: { 200: { description: 'The account-wide limits', schema: AccountLimitsResponse } },
    async handle() {
      return { status: 200, body: await limitsBody(await resolveAccountLimits()) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/v1/limits',
    operationId: 'putAccountLimits',
    tag: 'Limits',
    summary: 'Change some account-wide limits',
    description:
      'Sets only the limits given (each in one atomic write: concurrent changes of other limits are kept) and answers the full set. Sends already counted stay counted; the next send is checked against the new values.',
    body: AccountLimitsInput,
    responses: { 200: { description: 'The account-wide limits after the change', schema: AccountLimitsResponse } },
    async handle({ body }) {
      return { status: 200, body: await limitsBody(await updateAccountLimits(body)) };
    },
  }),
];
