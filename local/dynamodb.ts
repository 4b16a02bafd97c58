import { existsSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { ALL_TABLES, createTableInput, type TableSpec } from '#shared/store/tables';

export interface LocalDynamo {
  endpoint: string;
  /**
   * Rewrites the LevelDB store so values deleted or overwritten are gone from its files (a full compaction:
   * the write-ahead log is flushed, older versions and tombstones dropped), as far as open iterators let it
   * (see `compactClosedStore`: closing compacts again). A no-op in memory.
   */
  compact(): Promise<void>;
  close(): Promise<void>;
}

export interface DynaliteOptions {
  port?: number;
  path?: string;
  /**
   * Called once an erasure has completed (the `erasureCompletedAt` write on a `LEAD#<id>` suppression, the
   * last write of `eraseLead`), before that write is answered: the stack scrubs what its other peers keep of
   * the lead, so the API's answer to the erase comes after every local copy is gone.
   */
  onErasureCompleted?: (leadId: string) => Promise<void>;
}

/** The part of dynalite's LevelDB (classic-level) the compaction uses. */
interface LevelStore {
  db: {
    put(key: string, value: unknown): Promise<void>;
    close(): Promise<void>;
    compactRange(start: Buffer, end: Buffer, options: { keyEncoding: 'buffer' }): Promise<void>;
  };
}

/**
 * Two keys below and above every key dynalite writes (its keys start with a `!sublevel!` prefix, so it never
 * reads these). Rewriting them before a compaction gives LevelDB a fresh table spanning the whole key space:
 * it cannot be moved down a level untouched, so the compaction merges every table, dropping old versions.
 * Without them a flushed table that overlaps nothing is placed at a deeper level as it is, with the
 * overwritten values it holds.
 */
const COMPACTION_BOUNDS = ['\u0000cascade-compaction', '\uffff\uffff\uffffcascade-compaction'];

/**
 * A full compaction of a running store: the bounds rewritten, then every level merged into the last. Twice:
 * the first pass may only flush the write-ahead log to a table placed deep as it is (nothing to overlap yet);
 * the second pass's table then lands above it and the merge drops the old versions it holds.
 */
async function compactStore(store: LevelStore): Promise<void> {
  for (let pass = 0; pass < 2; pass++) {
    for (const key of COMPACTION_BOUNDS) await store.db.put(key, Date.now());
    await store.db.compactRange(Buffer.alloc(0), Buffer.alloc(32, 0xff), { keyEncoding: 'buffer' });
  }
}

type StoreFactory = { create: (options: unknown) => LevelStore };
const dynaliteDb = () => createRequire(import.meta.url)('dynalite/db') as StoreFactory;

/**
 * Compacts a store no process has open (dynalite's own LevelDB module opens it). A running store may keep
 * old versions: an iterator dynalite leaves open (a query that stopped at its limit) pins the versions it can
 * see until the store is closed, so the stack compacts again when it closes and before it opens the store.
 */
export async function compactClosedStore(dir: string): Promise<void> {
  const store = dynaliteDb().create({ path: dir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  try {
    await compactStore(store);
  } finally {
    await store.db.close();
  }
}

/**
 * dynalite keeps its LevelDB private; its `db` module's `create` is wrapped for the duration of one
 * `dynalite()` call to keep a handle on the store it makes (the only way to compact a running store).
 */
function dynaliteWithStore(options: Record<string, unknown>): { server: Server; store?: LevelStore } {
  const db = dynaliteDb();
  const create = db.create;
  let store: LevelStore | undefined;
  db.create = (storeOptions: unknown) => {
    store = create(storeOptions);
    return store;
  };
  try {
    return { server: dynalite(options) as unknown as Server, store };
  } finally {
    db.create = create;
  }
}

/** The lead whose erasure an UpdateItem request completes, if it is one (see `onErasureCompleted`). */
export function erasureCompletedBy(target: string | undefined, body: string): string | undefined {
  if (!target?.endsWith('.UpdateItem')) return undefined;
  try {
    const request = JSON.parse(body) as {
      Key?: { pk?: { S?: string } };
      UpdateExpression?: string;
      ExpressionAttributeNames?: Record<string, string>;
    };
    const pk = request.Key?.pk?.S;
    const names = [request.UpdateExpression ?? '', ...Object.values(request.ExpressionAttributeNames ?? {})];
    if (!pk?.startsWith('LEAD#') || !names.some((name) => name.includes('erasureCompletedAt'))) return undefined;
    return pk.slice('LEAD#'.length);
  } catch {
    return undefined;
  }
}

/**
 * Holds the answer to an erasure's completing write until `onErasureCompleted` has run (the write itself is
 * already applied when dynalite answers). Listens to the request body alongside dynalite.
 */
function observeErasures(server: Server, onErasureCompleted: (leadId: string) => Promise<void>): void {
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const target = request.headers['x-amz-target'];
    if (typeof target !== 'string' || !target.endsWith('.UpdateItem')) return;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
    response.end = ((...args: unknown[]) => {
      const leadId = response.statusCode === 200 ? erasureCompletedBy(target, Buffer.concat(chunks).toString()) : '';
      if (!leadId) return end(...args);
      onErasureCompleted(leadId)
        .catch((error: unknown) => console.error(`local erasure sweep of ${leadId} failed:`, error))
        .finally(() => end(...args));
      return response;
    }) as ServerResponse['end'];
  });
}

/** Starts dynalite (the DynamoDB API over LevelDB) on loopback; in memory unless `path` is given. */
export async function startDynalite(options: DynaliteOptions = {}): Promise<LocalDynamo> {
  if (options.path && existsSync(path.join(options.path, 'CURRENT'))) await compactClosedStore(options.path);
  const { server, store } = dynaliteWithStore({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    path: options.path,
  });
  if (options.onErasureCompleted) observeErasures(server, options.onErasureCompleted);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async compact() {
      if (options.path && store) await compactStore(store);
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (options.path) await compactClosedStore(options.path);
    },
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
