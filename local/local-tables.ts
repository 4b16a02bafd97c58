import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ALL_TABLES, createTableInput } from '#shared/store/tables';
import type { TemplateResolver } from './template';

/**
 * Creates the template's tables in dynalite under their local names (kept when they exist: a `--data` dir).
 * Keys and indexes come from shared/store/tables.ts, which the CDK construct also reads; a table in the
 * template without a spec there is an error.
 */
export async function deployTables(resolver: TemplateResolver, endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const [logicalId] of resolver.ofType('AWS::DynamoDB::GlobalTable')) {
      const spec = ALL_TABLES.find((candidate) => logicalId.startsWith(`${candidate.id}Table`));
      if (!spec) throw new Error(`table ${logicalId} of the template has no spec in shared/store/tables.ts`);
      const name = resolver.resolveString({ Ref: logicalId });
      if (!existing.has(name)) await client.send(new CreateTableCommand(createTableInput(spec, name)));
    }
  } finally {
    client.destroy();
  }
}
