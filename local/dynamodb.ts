import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ALL_TABLES, createTableInput, type TableSpec } from '#shared/store/tables';

export interface LocalDynamo {
  endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite (the DynamoDB API over LevelDB) on loopback; in memory unless `path` is given. */
export async function startDynalite(options: { port?: number; path?: string } = {}): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, path: options.path });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Table names for a stack prefix, exported as the env vars the store reads. */
export function tableEnvironment(prefix: string): Record<string, string> {
  return Object.fromEntries(ALL_TABLES.map((spec) => [spec.envVar, `${prefix}-${spec.id}`]));
}

/** Creates the tables that do not exist yet (kept when they do: a `--data` dir), each from its shared spec. */
export async function createMissingTables(
  endpoint: string,
  tables: { spec: TableSpec; name: string }[],
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const existing = new Set((await client.send(new ListTablesCommand({}))).TableNames ?? []);
    for (const { spec, name } of tables) {
      if (!existing.has(name)) await client.send(new CreateTableCommand(createTableInput(spec, name)));
    }
  } finally {
    client.destroy();
  }
}

/** Creates every Cascade table from the shared definition (the one CDK also reads); existing ones are kept. */
export async function createTables(endpoint: string, prefix: string): Promise<void> {
  await createMissingTables(
    endpoint,
    ALL_TABLES.map((spec) => ({ spec, name: `${prefix}-${spec.id}` })),
  );
}
