import { ALL_TABLES } from '#shared/store/tables';
import { createMissingTables } from './dynamodb';
import type { TemplateResolver } from './template';

/**
 * Creates the template's tables in dynalite under their local names (kept when they exist: a `--data` dir).
 * Keys and indexes come from shared/store/tables.ts, which the CDK construct also reads; a table in the
 * template without a spec there is an error.
 */
export async function deployTables(resolver: TemplateResolver, endpoint: string): Promise<void> {
  const tables = resolver.ofType('AWS::DynamoDB::GlobalTable').map(([logicalId]) => {
    const spec = ALL_TABLES.find((candidate) => logicalId.startsWith(`${candidate.id}Table`));
    if (!spec) throw new Error(`table ${logicalId} of the template has no spec in shared/store/tables.ts`);
    return { spec, name: resolver.resolveString({ Ref: logicalId }) };
  });
  await createMissingTables(endpoint, tables);
}
