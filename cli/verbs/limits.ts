import type { Command } from 'commander';
import { type ApiCommandOptions, withApi } from '../api-session';
import { type Cell, table, writeJson, writeLines } from '../output';
import { asRecord, type Json, num, str } from './answers';
import { apiOptions } from './options';

/** `cascade limits get|set`: the account-wide limits (`GET|PUT /v1/limits`, docs/product.md §4, §7). */

/** Each `set` flag and the limit it changes, in the order `get` lists them. */
const LIMIT_FLAGS = [
  { flag: '--global-per-day', option: 'globalPerDay', field: 'globalPerDay', help: 'sends per UTC day, all campaigns' },
  {
    flag: '--per-domain-per-day',
    option: 'perDomainPerDay',
    field: 'perDomainPerDay',
    help: 'emails per UTC day to one recipient domain',
  },
  {
    flag: '--lead-cooldown-hours',
    option: 'leadCooldownHours',
    field: 'leadCooldownHours',
    help: 'hours between two touches of one lead (0: none)',
  },
  {
    flag: '--max-active-sequences',
    option: 'maxActiveSequences',
    field: 'maxActiveSequencesPerPerson',
    help: 'running sequences one person may be in, across campaigns',
  },
] as const;

type LimitsSetOptions = ApiCommandOptions & Partial<Record<(typeof LIMIT_FLAGS)[number]['option'], string>>;

/** The limits the flags set, checked before any request; the API checks each one's bounds. */
export function limitChanges(options: LimitsSetOptions): Json {
  const changes: Json = {};
  for (const { flag, option, field } of LIMIT_FLAGS) {
    const text = options[option];
    if (text === undefined) continue;
    const value = Number(text);
    if (text.trim() === '' || !Number.isInteger(value) || value < 0)
      throw new Error(`${flag} "${text}" is not a whole number ≥ 0`);
    changes[field] = value;
  }
  if (Object.keys(changes).length === 0)
    throw new Error(`nothing to set: pass ${LIMIT_FLAGS.map(({ flag }) => flag).join(', ')}`);
  return changes;
}

/** The account limits as `limit`/`value` rows, then the channels' own rate limits (changed with `cascade config`). */
export function limitsTables(response: unknown): string[] {
  const limits = asRecord(response);
  const rows: Cell[][] = LIMIT_FLAGS.map(({ field }) => [field, num(limits[field])]);
  const channels = Object.entries(asRecord(limits.channels)).map(([channel, value]): Cell[] => {
    const rates = asRecord(value);
    return [channel, num(rates.perHour), num(rates.perDay), str(rates.source)];
  });
  return [
    ...table(['limit', 'value'], rows),
    '',
    'channels (account-wide; change with cascade config set <channel> --per-hour/--per-day):',
    ...table(['channel', 'per hour', 'per day', 'source'], channels),
  ];
}

export function registerLimits(program: Command): void {
  const limits = program
    .command('limits')
    .description('account-wide limits: global per day, per recipient domain, lead cooldown, sequences per person');

  apiOptions(limits.command('get').description('show every account-wide limit (GET /v1/limits)')).action(
    async (options: ApiCommandOptions) => {
      const response = await withApi(options, ({ client }) => client.get('/limits'));
      if (options.json) return writeJson(response);
      writeLines(limitsTables(response));
    },
  );

  const set = limits
    .command('set')
    .description('change the account-wide limits given; the others keep their value (PUT /v1/limits)');
  for (const { flag, help } of LIMIT_FLAGS) set.option(`${flag} <n>`, help);
  apiOptions(set).action(async (options: LimitsSetOptions) => {
    const changes = limitChanges(options);
    const response = await withApi(options, ({ client }) => client.put('/limits', changes));
    if (options.json) return writeJson(response);
    const changed = Object.entries(changes).map(([field, value]) => `${field} ${value}`);
    writeLines([`updated account limits: ${changed.join(', ')}`, ...limitsTables(response)]);
  });
}
