import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ChannelConfig, type ChannelType } from '../domain/schemas';
import { documentClient } from './client';
import { tableName } from './tables';

/** docs/product.md §4 defaults, used when neither the campaign nor the account configures a channel. */
export const DEFAULT_CHANNEL_LIMITS: Record<ChannelType, { perHour: number; perDay: number }> = {
  EMAIL: { perHour: 50, perDay: 200 },
  LINKEDIN: { perHour: 5, perDay: 20 },
  CONTACT_FORM: { perHour: 20, perDay: 100 },
  PHONE: { perHour: 1000, perDay: 10000 },
};

export interface AccountLimits {
  globalPerDay: number;
  perDomainPerDay: number;
  leadCooldownHours: number;
  /**
   * A person (address, else LinkedIn profile) is in at most this many running sequences across campaigns (default
   * 1). Optional so limits stored before it existed still read as complete.
   */
  maxActiveSequencesPerPerson?: number;
}

export const DEFAULT_ACCOUNT_LIMITS: Required<AccountLimits> = {
  globalPerDay: 500,
  perDomainPerDay: 20,
  leadCooldownHours: 24,
  maxActiveSequencesPerPerson: 1,
};

export const ACCOUNT_SCOPE = 'ACCOUNT';
const configKey = (scope: string, channel: ChannelType) => ({
  pk: scope === ACCOUNT_SCOPE ? ACCOUNT_SCOPE : `CAMPAIGN#${scope}`,
  sk: `CHANNEL#${channel}`,
});

export function defaultChannelConfig(channel: ChannelType, scope = ACCOUNT_SCOPE): ChannelConfig {
  return ChannelConfig.parse({ channel, scope, rateLimits: DEFAULT_CHANNEL_LIMITS[channel] });
}

export async function putChannelConfig(config: ChannelConfig): Promise<void> {
  await documentClient().send(
    new PutCommand({ TableName: tableName('config'), Item: { ...configKey(config.scope, config.channel), ...config } }),
  );
}

/** The campaign's config for a channel, else the account-wide one, else the built-in defaults. */
export async function resolveChannelConfig(campaignId: string, channel: ChannelType): Promise<ChannelConfig> {
  const client = documentClient();
  for (const scope of [campaignId, ACCOUNT_SCOPE]) {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName('config'), Key: configKey(scope, channel) }),
    );
    if (Item) {
      const { pk: _pk, sk: _sk, ...config } = Item;
      return ChannelConfig.parse(config);
    }
  }
  return defaultChannelConfig(channel);
}

export async function resolveAccountLimits(): Promise<AccountLimits> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('config'), Key: { pk: ACCOUNT_SCOPE, sk: 'LIMITS' } }),
  );
  return { ...DEFAULT_ACCOUNT_LIMITS, ...(Item?.limits as Partial<AccountLimits> | undefined) };
}

export async function putAccountLimits(limits: AccountLimits): Promise<void> {
  await documentClient().send(
    new PutCommand({ TableName: tableName('config'), Item: { pk: ACCOUNT_SCOPE, sk: 'LIMITS', limits } }),
  );
}

/** Exactly the config stored for one scope (a campaign id or `ACCOUNT`), without falling back. */
export async function getChannelConfig(scope: string, channel: ChannelType): Promise<ChannelConfig | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('config'), Key: configKey(scope, channel) }),
  );
  if (!Item) return undefined;
  const { pk: _pk, sk: _sk, ...config } = Item;
  return ChannelConfig.parse(config);
}
