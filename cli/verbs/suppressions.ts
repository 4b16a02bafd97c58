import type { Command } from 'commander';
import type { ApiClient } from '../api-client';
import { type ApiCommandOptions, withApi } from '../api-session';
import { table, writeJson, writeLines } from '../output';
import { asRecord, type Json, listFrom, str } from './answers';
import { apiOptions, positiveInteger, segment } from './options';

/** `cascade suppress add|remove|list`: the do-not-contact list (docs/product.md §7). */

/** The API answers up to this many entries a page. */
const PAGE_SIZE = 500;

/** An address has a local part: `ada@x.example`; `x.example` and `@x.example` are domains. */
const isAddress = (value: string) => /^[^@\s]+@/.test(value.trim());

/** `ada@x.example` → `EMAIL#ada@x.example`, `x.example` → `DOMAIN#x.example`; a key (`EMAIL#…`) as is. */
export function suppressionKey(value: string): string {
  if (/^(EMAIL|DOMAIN|HASH)#/.test(value)) return value;
  return isAddress(value)
    ? `EMAIL#${value.trim().toLowerCase()}`
    : `DOMAIN#${value.trim().replace(/^@/, '').toLowerCase()}`;
}

function suppressionBody(value: string, reason?: string): Json {
  const body: Json = isAddress(value) ? { email: value.trim() } : { domain: value.trim().replace(/^@/, '') };
  if (reason) body.reason = reason;
  return body;
}

/** Every page, up to `limit` entries. */
async function listSuppressions(client: ApiClient, limit: number): Promise<Json[]> {
  const all: Json[] = [];
  let cursor: string | undefined;
  do {
    const page = asRecord(
      await client.get('/suppressions', { limit: Math.min(PAGE_SIZE, limit - all.length), cursor }),
    );
    all.push(...listFrom(page.items));
    cursor = str(page.nextCursor);
  } while (cursor && all.length < limit);
  return all;
}

function registerAdd(suppress: Command): void {
  apiOptions(
    suppress
      .command('add')
      .description('suppress an email address or a domain (POST /v1/suppressions)')
      .argument('<emailOrDomain>', 'ada@example.com, or example.com for the whole domain')
      .option('--reason <reason>', 'why (kept with the entry)', 'operator'),
  ).action(async (value: string, options: ApiCommandOptions & { reason?: string }) => {
    const response = await withApi(options, ({ client }) =>
      client.post('/suppressions', suppressionBody(value, options.reason)),
    );
    if (options.json) return writeJson(response);
    const entry = asRecord(asRecord(response).suppression ?? response);
    writeLines([`suppressed ${str(entry.key) ?? value}${entry.reason ? ` (${str(entry.reason)})` : ''}`]);
  });
}

function registerRemove(suppress: Command): void {
  apiOptions(
    suppress
      .command('remove')
      .description('lift a suppression (DELETE /v1/suppressions/{key})')
      .argument('<emailOrDomain>', 'the address or domain, or the entry key (EMAIL#…, DOMAIN#…)'),
  ).action(async (value: string, options: ApiCommandOptions) => {
    const key = suppressionKey(value);
    const response = await withApi(options, ({ client }) => client.delete(`/suppressions/${segment(key)}`));
    if (options.json) return writeJson(response ?? { removed: key });
    writeLines([`removed ${key}`]);
  });
}

function registerList(suppress: Command): void {
  apiOptions(
    suppress
      .command('list')
      .description('list suppressions (GET /v1/suppressions)')
      .option('--limit <n>', 'at most n entries'),
  ).action(async (options: ApiCommandOptions & { limit?: string }) => {
    const limit = positiveInteger(options.limit, '--limit') ?? Number.POSITIVE_INFINITY;
    const items = await withApi(options, ({ client }) => listSuppressions(client, limit));
    if (options.json) return writeJson({ items });
    if (items.length === 0) return writeLines(['no suppressions']);
    writeLines(
      table(
        ['key', 'reason', 'source', 'since'],
        items.map((entry) => [str(entry.key), str(entry.reason), str(entry.source), str(entry.createdAt)]),
      ),
    );
  });
}

export function registerSuppress(program: Command): void {
  const suppress = program
    .command('suppress')
    .description('the do-not-contact list: addresses and whole domains no channel ever writes to');
  registerAdd(suppress);
  registerRemove(suppress);
  registerList(suppress);
}
