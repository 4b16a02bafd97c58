import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/store/client';
import { ALL_TABLES, type TableSpec } from '#shared/store/tables';

/**
 * Counts what the handlers ask of DynamoDB, as on-demand billing would: a middleware on the one document client
 * every handler shares adds `ReturnConsumedCapacity: TOTAL` to each request and reads the capacity dynalite
 * reports (reads, writes). What dynalite does not report is computed from item sizes with DynamoDB's rules:
 * a failed conditional write still costs its write units, and every write that puts, changes or removes an item
 * in a secondary index (all projections are ALL) costs ceil((item + 100 B) / 1 KB) per index touched, twice
 * when the index key changes. For that the meter reads the item before and after each write to a table with
 * indexes (with its own, unmetered client), so only use `indexes: true` where writes to one item do not race.
 */

export interface Usage {
  requests: number;
  /** Read capacity units (strongly consistent 4 KB = 1, eventually consistent = ½). */
  rcu: number;
  /** Write capacity units on base tables, including failed conditional writes. */
  wcu: number;
  /** Write capacity units on secondary indexes (GSI and LSI). */
  indexWcu: number;
  conditionalFailures: number;
  byOperation: Record<string, number>;
  /** Writes per shared item (keys that name no lead), windows and ids normalised: the hot-key candidates. */
  sharedWrites: Record<string, number>;
}

export const emptyUsage = (): Usage => ({
  requests: 0,
  rcu: 0,
  wcu: 0,
  indexWcu: 0,
  conditionalFailures: 0,
  byOperation: {},
  sharedWrites: {},
});

export function addUsage(into: Usage, from: Usage, factor = 1): Usage {
  into.requests += from.requests * factor;
  into.rcu += from.rcu * factor;
  into.wcu += from.wcu * factor;
  into.indexWcu += from.indexWcu * factor;
  into.conditionalFailures += from.conditionalFailures * factor;
  for (const [key, value] of Object.entries(from.byOperation))
    into.byOperation[key] = (into.byOperation[key] ?? 0) + value * factor;
  for (const [key, value] of Object.entries(from.sharedWrites))
    into.sharedWrites[key] = (into.sharedWrites[key] ?? 0) + value * factor;
  return into;
}

const scope = new AsyncLocalStorage<string>();

/** Runs `work` with its DynamoDB requests counted under `name` (requests outside any scope count as `execution`). */
export function inMeterScope<T>(name: string, work: () => T): T {
  return scope.run(name, work);
}

type Item = Record<string, unknown>;

function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') {
    const digits = String(value)
      .replace(/^-/, '')
      .replace(/e.*$/i, '')
      .replace('.', '')
      .replace(/^0+/, '')
      .replace(/0+$/, '');
    return Math.ceil(Math.max(1, digits.length) / 2) + 1;
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return [...value].reduce((sum: number, element) => sum + valueSize(element), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueSize(element), 0);
  if (typeof value === 'object') return 3 + itemSize(value as Item) + Object.keys(value as Item).length;
  return 0;
}

/** DynamoDB's item size: attribute names plus values (UTF-8 strings, ~½ byte per number digit, 3 B per map/list). */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name, 'utf8') + valueSize(value);
  }
  return size;
}

const writeUnits = (item: Item | undefined) => Math.max(1, Math.ceil(itemSize(item ?? {}) / 1024));
const indexUnits = (item: Item) => Math.max(1, Math.ceil((itemSize(item) + 100) / 1024));

interface IndexSpec {
  name: string;
  keys: string[];
}

function indexesOf(spec: TableSpec): IndexSpec[] {
  return [
    ...spec.globalIndexes.map((index) => ({
      name: index.indexName,
      keys: [index.partitionKey.name, ...(index.sortKey ? [index.sortKey.name] : [])],
    })),
    ...spec.localIndexes.map((index) => ({
      name: index.indexName,
      keys: [spec.partitionKey.name, (index.sortKey ?? index.partitionKey).name],
    })),
  ];
}

/** Index write units for one base-table write from `before` to `after` (undefined: no item). */
export function indexWriteUnits(indexes: IndexSpec[], before: Item | undefined, after: Item | undefined): number {
  let units = 0;
  for (const index of indexes) {
    const inBefore = before !== undefined && index.keys.every((key) => before[key] !== undefined);
    const inAfter = after !== undefined && index.keys.every((key) => after[key] !== undefined);
    if (!inBefore && inAfter && after) units += indexUnits(after);
    else if (inBefore && !inAfter && before) units += indexUnits(before);
    else if (inBefore && inAfter && before && after) {
      const keyChanged = index.keys.some((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
      if (keyChanged) units += indexUnits(before) + indexUnits(after);
      else if (JSON.stringify(before) !== JSON.stringify(after))
        units += Math.max(indexUnits(before), indexUnits(after));
    }
  }
  return units;
}

const WRITE_OPERATIONS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

function capacityOf(output: { ConsumedCapacity?: unknown } | undefined): number | undefined {
  const consumed = output?.ConsumedCapacity as { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;
  if (!consumed) return undefined;
  const list = Array.isArray(consumed) ? consumed : [consumed];
  return list.reduce((sum, entry) => sum + Number(entry.CapacityUnits ?? 0), 0);
}

export interface DynamoMeter {
  readonly usage: Map<string, Usage>;
  reset(): void;
  take(): Map<string, Usage>;
  /** Stop counting (setup work) or count again. */
  pause(paused: boolean): void;
}

/** The key attributes of the item a write names (its Key, or the Item of a put). */
function keyOf(spec: TableSpec, input: Record<string, unknown>): Item | undefined {
  const source = (input.Key ?? input.Item) as Item | undefined;
  if (!source) return undefined;
  const key: Item = { [spec.partitionKey.name]: source[spec.partitionKey.name] };
  if (spec.sortKey) key[spec.sortKey.name] = source[spec.sortKey.name];
  return key;
}

/** Counts a write to an item no lead owns under its key's pattern: the hot-key candidates. */
function noteSharedWrite(
  entry: Usage,
  table: string,
  spec: TableSpec | undefined,
  key: Item,
  pattern: (key: string) => string,
) {
  const pk = String(key[spec?.partitionKey.name ?? 'pk'] ?? '');
  const sk = spec?.sortKey ? `|${String(key[spec.sortKey.name] ?? '')}` : '';
  // Items of one lead (its record, attempts, messages, cooldown, LinkedIn index entry, email claim) are cold.
  if (pk.startsWith('LEAD#') || sk.includes('LEAD#') || pk.includes('#EMAIL#')) return;
  const name = `${spec?.id ?? table}:${pattern(`${pk}${sk}`)}`;
  entry.sharedWrites[name] = (entry.sharedWrites[name] ?? 0) + 1;
}

type ReadItem = (table: string, key: Item) => Promise<Item | undefined>;

/** What the meter needs to know of one request before it goes out (for a tracked write, the item before it). */
async function profileRequest(
  operation: string,
  input: Record<string, unknown>,
  spec: TableSpec | undefined,
  options: { indexes: boolean },
  read: ReadItem,
) {
  const table = String(input.TableName ?? '');
  const isWrite = WRITE_OPERATIONS.has(operation);
  const key = spec && isWrite ? keyOf(spec, input) : undefined;
  const indexes = spec ? indexesOf(spec) : [];
  const tracksIndexes = options.indexes && isWrite && key !== undefined && indexes.length > 0;
  const before = tracksIndexes && key ? await read(table, key) : undefined;
  return { operation, table, spec, isWrite, key, indexes, tracksIndexes, before };
}

/** Charges an answered request: reads at the capacity reported, writes by item sizes when their indexes are tracked. */
async function chargeAnswer(
  entry: Usage,
  request: Awaited<ReturnType<typeof profileRequest>>,
  output: { ConsumedCapacity?: unknown } | undefined,
  read: ReadItem,
) {
  if (!request.isWrite) {
    entry.rcu += capacityOf(output) ?? 0;
  } else if (request.tracksIndexes && request.key) {
    const after = request.operation === 'DeleteItemCommand' ? undefined : await read(request.table, request.key);
    entry.wcu += Math.max(writeUnits(request.before), writeUnits(after));
    entry.indexWcu += indexWriteUnits(request.indexes, request.before, after);
  } else {
    entry.wcu += capacityOf(output) ?? 1;
  }
}

/**
 * Installs the meter on the shared document client (once per process). `normaliseKey` turns a shared item's key
 * into its pattern (e.g. a campaign id into `<campaign>`); keys naming a lead are not recorded.
 */
export function installDynamoMeter(options: { indexes: boolean; normaliseKey?: (key: string) => string }): DynamoMeter {
  const byName = new Map(ALL_TABLES.map((spec) => [process.env[spec.envVar] ?? spec.id, spec]));
  const raw = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  let usage = new Map<string, Usage>();
  let paused = false;
  const normalise = options.normaliseKey ?? ((key: string) => key);
  const usageFor = () => {
    const name = scope.getStore() ?? 'execution';
    let entry = usage.get(name);
    if (!entry) {
      entry = emptyUsage();
      usage.set(name, entry);
    }
    return entry;
  };
  // The item before and after a write, read with an unmetered client.
  const read: ReadItem = async (table, key) =>
    (await raw.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;

  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (paused) return next(args);
      const operation = String((context as { commandName?: string }).commandName ?? 'Unknown');
      const input: Record<string, unknown> = {
        ...(args.input as Record<string, unknown>),
        ReturnConsumedCapacity: 'TOTAL',
      };
      const request = await profileRequest(operation, input, byName.get(String(input.TableName ?? '')), options, read);
      const entry = usageFor();
      entry.requests++;
      entry.byOperation[operation] = (entry.byOperation[operation] ?? 0) + 1;
      if (request.isWrite && request.key) noteSharedWrite(entry, request.table, request.spec, request.key, normalise);
      try {
        const result = await next({ ...args, input });
        await chargeAnswer(entry, request, result.output as { ConsumedCapacity?: unknown } | undefined, read);
        return result;
      } catch (error) {
        if ((error as { name?: string }).name === 'ConditionalCheckFailedException') {
          entry.conditionalFailures++;
          if (request.isWrite) entry.wcu += writeUnits(request.before);
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'benchDynamoMeter', priority: 'low' },
  );

  return {
    get usage() {
      return usage;
    },
    reset() {
      usage = new Map();
    },
    take() {
      const taken = usage;
      usage = new Map();
      return taken;
    },
    pause(value: boolean) {
      paused = value;
    },
  };
}
