import { requiredSetting, type SettingName } from '../config/settings';

/**
 * The one definition of Cascade's DynamoDB tables: the CDK construct and the embedded stack's table
 * creation both read it, so local tables cannot drift from deployed ones.
 */
export interface KeySpec {
  name: string;
  type: 'S' | 'N';
}

export interface IndexSpec {
  indexName: string;
  partitionKey: KeySpec;
  sortKey?: KeySpec;
}

export interface TableSpec {
  /** Stable id used for the CDK construct id and the env var carrying the physical name. */
  id: 'Config' | 'Leads' | 'Outreach' | 'RateCounters' | 'Suppressions';
  envVar: string;
  purpose: string;
  partitionKey: KeySpec;
  sortKey?: KeySpec;
  globalIndexes: IndexSpec[];
  localIndexes: IndexSpec[];
  ttlAttribute?: string;
}

/** Every key attribute Cascade defines is a string. */
const text = (name: string): KeySpec => ({ name, type: 'S' });
const index = (indexName: string, partitionKey: KeySpec, sortKey?: KeySpec): IndexSpec => ({
  indexName,
  partitionKey,
  ...(sortKey && { sortKey }),
});
const pk = text('pk');
const sk = text('sk');

export const TABLES = {
  config: {
    id: 'Config',
    envVar: 'CASCADE_CONFIG_TABLE',
    purpose:
      'Channel configuration per campaign (pk CAMPAIGN#id) with account-wide defaults (pk ACCOUNT); idempotency records',
    partitionKey: pk,
    sortKey: sk,
    globalIndexes: [],
    localIndexes: [],
    ttlAttribute: 'expiresAt',
  },
  leads: {
    id: 'Leads',
    envVar: 'CASCADE_LEADS_TABLE',
    purpose: 'Campaigns, leads, per-campaign email claims and manual tasks',
    partitionKey: pk,
    sortKey: sk,
    globalIndexes: [index('byCampaignStatus', text('campaignStatus'), text('gradeCreated'))],
    localIndexes: [],
  },
  outreach: {
    id: 'Outreach',
    envVar: 'CASCADE_OUTREACH_TABLE',
    purpose: "Messages and attempts, partitioned by lead so a lead's history is one query",
    partitionKey: pk,
    sortKey: sk,
    globalIndexes: [
      index('byChannelDay', text('channelDay'), text('createdAt')),
      index('byProviderMessageId', text('providerMessageId')),
    ],
    localIndexes: [index('byTime', pk, text('timeSort'))],
  },
  rateCounters: {
    id: 'RateCounters',
    envVar: 'CASCADE_RATE_TABLE',
    purpose: 'Atomic rate-limit counters per window; expired windows are removed by TTL',
    partitionKey: pk,
    globalIndexes: [],
    localIndexes: [],
    ttlAttribute: 'expiresAt',
  },
  suppressions: {
    id: 'Suppressions',
    envVar: 'CASCADE_SUPPRESSIONS_TABLE',
    purpose: 'Do-not-contact entries by address, domain or hashed address of an erased lead',
    partitionKey: pk,
    globalIndexes: [],
    localIndexes: [],
  },
} as const satisfies Record<string, TableSpec>;

export type TableKey = keyof typeof TABLES;
export const ALL_TABLES: TableSpec[] = Object.values(TABLES);

export function tableName(table: TableKey): string {
  const spec = TABLES[table];
  return requiredSetting(spec.envVar as SettingName);
}

/** CreateTable input for the embedded stack (dynalite) and for tests. */
export function createTableInput(spec: TableSpec, name: string) {
  const keyNames = new Map<string, KeySpec>();
  for (const key of [
    spec.partitionKey,
    spec.sortKey,
    ...spec.globalIndexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]) {
    if (key) keyNames.set(key.name, key);
  }
  for (const index of spec.localIndexes) if (index.sortKey) keyNames.set(index.sortKey.name, index.sortKey);
  const keySchema = (partition: KeySpec, sort?: KeySpec) => [
    { AttributeName: partition.name, KeyType: 'HASH' as const },
    ...(sort ? [{ AttributeName: sort.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...keyNames.values()].map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
    KeySchema: keySchema(spec.partitionKey, spec.sortKey),
    ...(spec.globalIndexes.length > 0 && {
      GlobalSecondaryIndexes: spec.globalIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: 'ALL' as const },
      })),
    }),
    ...(spec.localIndexes.length > 0 && {
      LocalSecondaryIndexes: spec.localIndexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: keySchema(index.partitionKey, index.sortKey),
        Projection: { ProjectionType: 'ALL' as const },
      })),
    }),
  };
}
