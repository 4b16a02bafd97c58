import { DeleteCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { expect } from 'vitest';
import { documentClient } from '#shared/store/client';
import { TABLES, type TableKey, tableName } from '#shared/store/tables';

/**
 * Shared pieces of the property-based bad-input suites: a fixed seed (override with CASCADE_FC_SEED to explore),
 * a snapshot of every table, and the one assertion every invalid request must pass.
 */
export const FC_SEED = Number(process.env.CASCADE_FC_SEED ?? 20_260_601);

/** fast-check parameters: reproducible by default, every failure reported with its seed and path. */
export const runs = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, seed: FC_SEED, endOnFailure: true });

type Item = Record<string, unknown>;
export type Snapshot = Record<string, Item[]>;

async function scanAll(table: TableKey): Promise<Item[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: tableName(table), ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...((page.Items ?? []) as Item[]));
    startKey = page.LastEvaluatedKey as Item | undefined;
  } while (startKey);
  return items;
}

/** Every item of every table, sorted by key, as plain JSON (binary attributes as base64). */
export async function snapshotTables(): Promise<Snapshot> {
  const snapshot: Snapshot = {};
  for (const table of Object.keys(TABLES) as TableKey[]) {
    snapshot[table] = (await scanAll(table))
      .map((item) => JSON.parse(JSON.stringify(item, binaryAsBase64)) as Item)
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  }
  return snapshot;
}

/** The raw items of every table, to put back with `restoreTables`. */
export async function rawTables(): Promise<Snapshot> {
  const raw: Snapshot = {};
  for (const table of Object.keys(TABLES) as TableKey[]) raw[table] = await scanAll(table);
  return raw;
}

/**
 * Puts the tables back as `raw` had them, so one failing case does not make every later one fail too
 * (the failure itself is still reported).
 */
export async function restoreTables(raw: Snapshot): Promise<void> {
  for (const table of Object.keys(TABLES) as TableKey[]) {
    const keep = new Set((raw[table] ?? []).map(keyOf));
    for (const item of await scanAll(table)) {
      if (keep.has(keyOf(item))) continue;
      const key: Item = { pk: item.pk };
      if (item.sk !== undefined) key.sk = item.sk;
      await documentClient().send(new DeleteCommand({ TableName: tableName(table), Key: key }));
    }
    for (const item of raw[table] ?? [])
      await documentClient().send(new PutCommand({ TableName: tableName(table), Item: item }));
  }
}

/**
 * The tables as a suite's seed left them. `compare()` snapshots every table after one case; when anything
 * changed, the tables are put back at once (so the next case starts from the same data) and the returned
 * assertion fails the case, after the case's own assertions.
 */
export class TableBaseline {
  #snapshot: Snapshot = {};
  #raw: Snapshot = {};

  async record(): Promise<void> {
    this.#snapshot = await snapshotTables();
    this.#raw = await rawTables();
  }

  async compare(): Promise<(context: string) => void> {
    const now = await snapshotTables();
    if (JSON.stringify(now) !== JSON.stringify(this.#snapshot)) await restoreTables(this.#raw);
    return (context) => expect(now, `${context}: tables changed`).toEqual(this.#snapshot);
  }
}

const keyOf = (item: Item) => `${String(item.pk)}\u0000${String(item.sk ?? '')}`;

function binaryAsBase64(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Set) return [...value].sort();
  return value;
}

/** Tallies of one suite: how many invalid inputs were tried and how many answers were 5xx. */
export class Tally {
  tried = 0;
  serverErrors = 0;
  readonly byKind = new Map<string, number>();

  count(kind: string, status?: number): void {
    this.tried++;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    if (status !== undefined && status >= 500) this.serverErrors++;
  }

  report(suite: string, http = true): string {
    const kinds = [...this.byKind.entries()].map(([kind, n]) => `${kind} ${n}`).join(', ');
    return `${suite}: ${this.tried} invalid inputs${http ? `, ${this.serverErrors} 5xx` : ''} (${kinds})`;
  }
}

export interface ErrorDetail {
  field: string;
  message: string;
}

/** `field` names the expected field or one inside it (`sender` covers `sender.email`). */
export const coversField = (details: ErrorDetail[], field: string) =>
  details.some((detail) => detail.field === field || detail.field.startsWith(`${field}.`));

/**
 * The contract for a refused request: a 4xx in the one error shape, with at least one field-level detail
 * (a non-empty field name and message), naming `field` when the generator knows which field it broke.
 */
export function expectRefused(
  reply: { status: number; body: unknown },
  context: string,
  field?: string,
): asserts reply is { status: number; body: { error: { code: string; message: string; details: ErrorDetail[] } } } {
  expect(reply.status, `${context}: status`).toBeGreaterThanOrEqual(400);
  expect(reply.status, `${context}: status`).toBeLessThan(500);
  const error = (reply.body as { error?: { code?: unknown; message?: unknown; details?: unknown } })?.error;
  expect(error, `${context}: error body`).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  const details = error?.details as ErrorDetail[];
  expect(Array.isArray(details) && details.length > 0, `${context}: field-level details`).toBe(true);
  for (const detail of details) {
    expect(typeof detail.field === 'string' && detail.field.length > 0, `${context}: detail field`).toBe(true);
    expect(typeof detail.message === 'string' && detail.message.length > 0, `${context}: detail message`).toBe(true);
  }
  if (field !== undefined)
    expect(coversField(details, field), `${context}: details ${JSON.stringify(details)} name ${field}`).toBe(true);
}

// ---- unicode building blocks

/** Any printable text, most of it far from ASCII (combining marks, emoji, RTL, CJK). */
export const unicodeText = (constraints: { minLength?: number; maxLength?: number } = {}) =>
  fc.oneof(
    fc.string({ unit: 'grapheme', ...constraints }),
    fc.string({ unit: 'binary', ...constraints }),
    fc.string({ unit: 'grapheme-composite', ...constraints }),
  );

/** Strings that tend to break parsers, templates and key builders. */
export const nastyStrings = fc.constantFrom(
  '',
  ' ',
  '\u0000',
  '\u200b',
  '\ufeff',
  '\u202e\u0041\u0042',
  'Z\u0351\u0360\u0346a\u0352\u0357l\u0350g\u0351o\u0310',
  '👩‍👩‍👧‍👦',
  '𝕳𝖊𝖑𝖑𝖔',
  'ÅÅ',
  'İstanbul',
  '田中太郎',
  'مرحبا',
  '{{ lead.email }}',
  '{% raw %}',
  "'; DROP TABLE leads; --",
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '%00%2e%2e',
  'null',
  'undefined',
  '__proto__',
  'constructor',
);

/** A JSON value of any shape, unicode keys and strings included. */
export const anyJson = fc.jsonValue({ maxDepth: 3 });

/** Values of the wrong type for a field of type `kind`. */
export function wrongType(kind: 'string' | 'number' | 'boolean' | 'object' | 'array'): fc.Arbitrary<unknown> {
  const all: Record<string, fc.Arbitrary<unknown>> = {
    string: unicodeText({ maxLength: 20 }),
    number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    boolean: fc.boolean(),
    object: fc.dictionary(unicodeText({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
    array: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
    null: fc.constant(null),
  };
  return fc.oneof(...Object.entries(all).flatMap(([name, arbitrary]) => (name === kind ? [] : [arbitrary])));
}

/** `[[[…]]]` (arrays) or `{"a":{"a":…}}` (objects) nested `depth` levels, built without recursion. */
export function deeplyNestedJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}
