import type { Command } from 'commander';
import type { ApiClient } from '../api-client';
import { type ApiCommandOptions, withApi } from '../api-session';
import { type Cell, table, writeJson, writeLines } from '../output';
import { asRecord, type Json } from './answers';
import { apiOptions, CHANNELS, channelArgument, readJsonFile } from './options';

/** `cascade config get|set`: a channel's configuration, account-wide or for one campaign (docs/product.md §7). */

interface ConfigSetOptions extends ApiCommandOptions {
  campaign?: string;
  file?: string;
  enabled?: boolean;
  perHour?: string;
  perDay?: string;
  setting?: string[];
}

/** The field changes the flags ask for, checked before any request. */
interface ConfigChanges {
  enabled?: boolean;
  perHour?: number;
  perDay?: number;
  settings: Json;
}

function settingValue(text: string): string | number | boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

function rateLimit(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a whole number ≥ 0`);
  return n;
}

function configChanges(options: ConfigSetOptions): ConfigChanges {
  const perHour = rateLimit(options.perHour, '--per-hour');
  const perDay = rateLimit(options.perDay, '--per-day');
  const settings = Object.fromEntries(
    (options.setting ?? []).map((entry) => {
      const at = entry.indexOf('=');
      if (at < 1) throw new Error(`--setting "${entry}" is not key=value`);
      return [entry.slice(0, at), settingValue(entry.slice(at + 1))];
    }),
  );
  const changes = options.enabled !== undefined || perHour !== undefined || perDay !== undefined;
  if (!options.file && !changes && Object.keys(settings).length === 0)
    throw new Error('nothing to set: pass --file, --enabled/--no-enabled, --per-hour, --per-day or --setting');
  return { enabled: options.enabled, perHour, perDay, settings };
}

/** The config to PUT: `--file`, else the current one, with the flags' changes laid over it. */
async function configBody(
  client: ApiClient,
  path: string,
  query: { campaignId?: string },
  file: string | undefined,
  { enabled, perHour, perDay, settings }: ConfigChanges,
): Promise<Json> {
  let body: Json;
  if (file) body = { ...asRecord(readJsonFile(file)) };
  else {
    const current = asRecord(await client.get(path, query));
    body = { ...asRecord(current.config ?? current) };
  }
  // Where a config applies is the request's (path and campaignId), not the body's.
  delete body.channel;
  delete body.scope;
  delete body.source;
  if (enabled !== undefined) body.enabled = enabled;
  if (perHour !== undefined || perDay !== undefined)
    body.rateLimits = {
      ...asRecord(body.rateLimits),
      ...(perHour !== undefined && { perHour }),
      ...(perDay !== undefined && { perDay }),
    };
  if (Object.keys(settings).length > 0) body.settings = { ...asRecord(body.settings), ...settings };
  return body;
}

/** Where a config's fields are shown first; any other field follows in the order the API gives it. */
const FIELD_ORDER = ['channel', 'scope', 'source', 'enabled', 'rateLimits', 'retryPolicy', 'template', 'settings'];

/**
 * A config as `field`/`value` rows: nested parts under dotted names (`rateLimits.perHour`), a list as one
 * comma-separated cell (`retryPolicy.retryBackoffHours` → `24, 48`), an empty part as one row with a dash.
 */
export function configRows(config: Json): Cell[][] {
  const rows: Cell[][] = [];
  const add = (field: string, value: unknown): void => {
    if (Array.isArray(value)) rows.push([field, value.map((item) => String(item)).join(', ')]);
    else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      if (entries.length === 0) rows.push([field, undefined]);
      for (const [key, nested] of entries) add(`${field}.${key}`, nested);
    } else rows.push([field, value as Cell]);
  };
  const fields = Object.keys(config).sort((a, b) => rank(a) - rank(b));
  for (const field of fields) if (config[field] !== undefined) add(field, config[field]);
  return rows;
}

function rank(field: string): number {
  const at = FIELD_ORDER.indexOf(field);
  return at === -1 ? FIELD_ORDER.length : at;
}

/** A field table of the config, or with `--json` the whole answer; `heading` says what `set` did. */
function printConfig(options: ApiCommandOptions, response: unknown, heading?: string) {
  if (options.json) return writeJson(response);
  if (heading) writeLines([heading]);
  writeLines(table(['field', 'value'], configRows(asRecord(asRecord(response).config ?? response))));
}

export function registerConfig(program: Command): void {
  const config = program
    .command('config')
    .description('channel configuration: enabled, rate limits, retry policy, template, settings');

  apiOptions(
    config
      .command('get')
      .description('show the configuration of a channel (GET /v1/channels/{channel}/config)')
      .argument('<channel>', CHANNELS.join(' | '))
      .option('--campaign <campaignId>', "the campaign's configuration (default: account-wide)"),
  ).action(async (channel: string, options: ApiCommandOptions & { campaign?: string }) => {
    const name = channelArgument(channel);
    const response = await withApi(options, ({ client }) =>
      client.get(`/channels/${name}/config`, { campaignId: options.campaign }),
    );
    printConfig(options, response);
  });

  apiOptions(
    config
      .command('set')
      .description(
        'change the configuration of a channel (PUT /v1/channels/{channel}/config): --file replaces it, the flags change fields of the current one',
      )
      .argument('<channel>', CHANNELS.join(' | '))
      .option('--campaign <campaignId>', "the campaign's configuration (default: account-wide)")
      .option('--file <json>', 'ChannelConfig JSON; - reads stdin')
      .option('--enabled', 'enable the channel')
      .option('--no-enabled', 'disable the channel')
      .option('--per-hour <n>', 'rate limit per hour')
      .option('--per-day <n>', 'rate limit per day')
      .option(
        '--setting <key=value>',
        'a channel setting (repeatable), e.g. consentPolicy=tick_required',
        (value: string, all: string[] = []) => [...all, value],
      ),
  ).action(async (channel: string, options: ConfigSetOptions) => {
    const name = channelArgument(channel);
    const path = `/channels/${name}/config`;
    const changes = configChanges(options);
    const query = { campaignId: options.campaign };
    const response = await withApi(options, async ({ client }) =>
      client.put(path, await configBody(client, path, query, options.file, changes), query),
    );
    printConfig(
      options,
      response,
      `updated ${name} config (${options.campaign ? `campaign ${options.campaign}` : 'account-wide'})`,
    );
  });
}
