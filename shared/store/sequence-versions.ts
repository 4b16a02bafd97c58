import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SequenceConfig } from '../domain/schemas';
import { nowIso } from '../time/clock';
import { documentClient, ifConditionHolds } from './client';
import { tableName } from './tables';

/**
 * Every version a campaign's sequence ever had, one item each beside the campaign item (`pk CAMPAIGN#<id>`,
 * `sk SEQUENCE#<version, 6 digits>` so they sort by version). A lead keeps the version it started with: a resume
 * restarts that version, never a newer one whose steps moved. Written with a conditional put and never
 * overwritten: a version number names one content for good (the campaign item changes version only through a
 * conditional update on the previous one).
 */

const VERSION_DIGITS = 6;

const versionKey = (campaignId: string, version: number) => ({
  pk: `CAMPAIGN#${campaignId}`,
  sk: `SEQUENCE#${String(version).padStart(VERSION_DIGITS, '0')}`,
});

/** Stores one version if it is not stored yet (a repeated or concurrent write of the same version is a no-op). */
export async function putSequenceVersion(campaignId: string, sequence: SequenceConfig): Promise<void> {
  await ifConditionHolds(() =>
    documentClient().send(
      new PutCommand({
        TableName: tableName('leads'),
        Item: { ...versionKey(campaignId, sequence.version), campaignId, sequence, storedAt: nowIso() },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
}

/**
 * Version `version` of a campaign's sequence: the stored item, else the campaign's own sequence when that is the
 * version asked for (a campaign created before versions were kept, or a crash between the campaign write and the
 * version's), else undefined (an old version that was replaced before versions were kept).
 */
export async function getSequenceVersion(
  campaignId: string,
  version: number,
  current?: SequenceConfig,
): Promise<SequenceConfig | undefined> {
  if (current?.version === version) return current;
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('leads'), Key: versionKey(campaignId, version) }),
  );
  return Item ? SequenceConfig.parse(Item.sequence) : undefined;
}
