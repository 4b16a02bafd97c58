import { RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { SettingName } from '#shared/config/settings';
import { ALL_TABLES, type TableSpec } from '#shared/store/tables';

export type TableId = TableSpec['id'];

/** How much of a table a function may use: its items read, or read and written. */
export type TableAccess = 'read' | 'readWrite';

/** The tables a function uses, each with its access; a table not named is not granted at all. */
export type TableGrants = Partial<Record<TableId, TableAccess>>;

/** Tables that hold personal data (leads, the messages sent to them, their addresses): encrypted with our own key. */
export const PERSONAL_DATA_TABLES: readonly TableId[] = ['Leads', 'Outreach', 'Suppressions'];

const DYNAMODB_READ = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const DYNAMODB_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
/** What DynamoDB asks of the caller's key permissions for a customer managed table key (reads decrypt, writes also encrypt). */
const KMS_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KMS_WRITE = [
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

/**
 * The DynamoDB tables of shared/store/tables.ts (the one definition the embedded stack reads too) and the key
 * that encrypts the personal-data ones.
 *
 * Not a construct of its own: the key and the tables are the stack's direct children, so their logical ids stay
 * the ones already deployed (under a construct of their own they would be renamed, and CloudFormation would
 * replace the tables, retained and orphaned with their data).
 */
export class DataTables {
  readonly tables: Record<TableId, dynamodb.TableV2>;
  /** Encrypts the personal-data tables (rotated yearly); retained with them. */
  readonly personalDataKey: kms.Key;

  constructor(private readonly stack: Stack) {
    this.personalDataKey = new kms.Key(stack, 'PersonalDataKey', {
      description: 'Cascade: encrypts the Leads, Outreach and Suppressions tables (personal data)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.tables = Object.fromEntries(ALL_TABLES.map((spec) => [spec.id, this.table(spec)])) as Record<
      TableId,
      dynamodb.TableV2
    >;
  }

  /** The settings naming the tables (CASCADE_*_TABLE), as the functions' environments give them. */
  tableNameSettings(): Partial<Record<SettingName, string>> {
    return Object.fromEntries(ALL_TABLES.map((spec) => [spec.envVar, this.tables[spec.id].tableName]));
  }

  /**
   * Least-privilege table access: the item actions of `access` on the table and on each of its indexes by
   * name (no `index/*`), and for an encrypted table the key actions DynamoDB needs, only through DynamoDB.
   */
  grant(grantee: lambda.IFunction, grants: TableGrants): void {
    let keyAccess: TableAccess | undefined;
    for (const spec of ALL_TABLES) {
      const access = grants[spec.id];
      if (!access) continue;
      grantee.addToRolePolicy(this.itemStatement(spec, access));
      if (PERSONAL_DATA_TABLES.includes(spec.id) && keyAccess !== 'readWrite') keyAccess = access;
    }
    if (keyAccess) grantee.addToRolePolicy(this.keyStatement(keyAccess));
  }

  /** Every table with the one access (the operator API reads and writes them all). */
  static everyTable(access: TableAccess): TableGrants {
    return Object.fromEntries(ALL_TABLES.map((spec) => [spec.id, access]));
  }

  private itemStatement(spec: TableSpec, access: TableAccess): iam.PolicyStatement {
    const table = this.tables[spec.id];
    const indexes = [...spec.globalIndexes, ...spec.localIndexes].map(
      (index) => `${table.tableArn}/index/${index.indexName}`,
    );
    return new iam.PolicyStatement({
      actions: access === 'read' ? DYNAMODB_READ : [...DYNAMODB_READ, ...DYNAMODB_WRITE],
      resources: [table.tableArn, ...indexes],
    });
  }

  private keyStatement(access: TableAccess): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions: access === 'read' ? KMS_READ : [...KMS_READ, ...KMS_WRITE],
      resources: [this.personalDataKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.stack.region}.amazonaws.com` } },
    });
  }

  private table(spec: TableSpec): dynamodb.TableV2 {
    const table = new dynamodb.TableV2(this.stack, `${spec.id}Table`, {
      partitionKey: attribute(spec.partitionKey),
      sortKey: spec.sortKey && attribute(spec.sortKey),
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: spec.ttlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: spec.globalIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: index.sortKey && attribute(index.sortKey),
      })),
      localSecondaryIndexes: spec.localIndexes.map((index) => ({
        indexName: index.indexName,
        sortKey: attribute(index.sortKey ?? index.partitionKey),
      })),
    });
    if (PERSONAL_DATA_TABLES.includes(spec.id)) {
      // Encrypted with our key. TableV2's `customerManagedKey` renders only in a stack with a concrete region
      // (for replica keys); this template stays region-agnostic, so the key goes on the one (primary) replica.
      const cfn = table.node.defaultChild as dynamodb.CfnGlobalTable;
      cfn.addPropertyOverride('SSESpecification', { SSEEnabled: true, SSEType: 'KMS' });
      cfn.addPropertyOverride('Replicas.0.SSESpecification', { KMSMasterKeyId: this.personalDataKey.keyArn });
    }
    return table;
  }
}

function attribute(key: { name: string; type: 'S' | 'N' }): dynamodb.Attribute {
  return { name: key.name, type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER };
}
