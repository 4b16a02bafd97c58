import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ChannelConfig, type ChannelType } from '../domain/schemas';
import { documentClient, ifConditionHolds } from './client';
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
  /** A sender is paused when its 7-day bounce rate exceeds this (PRODUCT.md §10; default 0.05). */
  senderMaxBounceRate?: number;
  /** … or its 7-day complaint rate exceeds this (default 0.003). */
  senderMaxComplaintRate?: number;
  /** … judged only from this many sends in the 7 days (default 20). */
  senderHealthMinSends?: number;
}

export const DEFAULT_ACCOUNT_LIMITS: Required<AccountLimits> = {
  globalPerDay: 500,
  perDomainPerDay: 20,
  leadCooldownHours: 24,
  maxActiveSequencesPerPerson: 1,
  senderMaxBounceRate: 0.05,
  senderMaxComplaintRate: 0.003,
  senderHealthMinSends: 20,
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

/** The account limits an operator may change (`PUT /v1/limits`): each one given is set, the others are kept. */
export type AccountLimitChanges = Partial<Required<AccountLimits>>;

const LIMITS_KEY = { pk: ACCOUNT_SCOPE, sk: 'LIMITS' };

/**
 * Sets only the given account limits, in one conditional write without a read, and returns the full set (defaults
 * filled). Concurrency: each field is its own `SET limits.<field>` of an UpdateItem, so two operators changing
 * different limits both keep their change and the same limit is last-writer-wins — no lost update, no version to
 * retry on. The nested SET needs the `limits` map to exist: where it does not yet (no limits stored), the changes
 * are put as the new map under `attribute_not_exists`; if another writer created it meanwhile, the SET is tried
 * again and now holds.
 */
export async function updateAccountLimits(changes: AccountLimitChanges): Promise<Required<AccountLimits>> {
  const entries = Object.entries(changes).filter(([, value]) => value !== undefined);
  if (entries.length === 0) return { ...DEFAULT_ACCOUNT_LIMITS, ...(await resolveAccountLimits()) };
  const client = documentClient();
  const names = Object.fromEntries(entries.map(([field], at) => [`#f${at}`, field]));
  const values = Object.fromEntries(entries.map(([, value], at) => [`:v${at}`, value]));
  const setFields = () =>
    client.send(
      new UpdateCommand({
        TableName: tableName('config'),
        Key: LIMITS_KEY,
        UpdateExpression: `SET ${entries.map((_, at) => `#limits.#f${at} = :v${at}`).join(', ')}`,
        ConditionExpression: 'attribute_type(#limits, :map)',
        ExpressionAttributeNames: { '#limits': 'limits', ...names },
        ExpressionAttributeValues: { ':map': 'M', ...values },
        ReturnValues: 'ALL_NEW',
      }),
    );
  const createMap = () =>
    client.send(
      new PutCommand({
        TableName: tableName('config'),
        Item: { ...LIMITS_KEY, limits: Object.fromEntries(entries) },
        ConditionExpression: 'attribute_not_exists(#limits)',
        ExpressionAttributeNames: { '#limits': 'limits' },
      }),
    );
  const updated = await ifConditionHolds(setFields);
  if (updated) return { ...DEFAULT_ACCOUNT_LIMITS, ...(updated.Attributes?.limits as AccountLimitChanges) };
  if (await ifConditionHolds(createMap)) return { ...DEFAULT_ACCOUNT_LIMITS, ...Object.fromEntries(entries) };
  // Created by a concurrent writer between the two attempts; the map exists now, so this SET holds.
  const retried = await setFields();
  return { ...DEFAULT_ACCOUNT_LIMITS, ...(retried.Attributes?.limits as AccountLimitChanges) };
}
