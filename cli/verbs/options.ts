import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ChannelType } from '#shared/domain/schemas';

/**
 * What an operator types to the API verbs: the connection options every verb takes, and the flags, arguments
 * and files read before any request is made (a bad one is a one-line error naming it).
 */

export const CHANNELS: readonly string[] = ChannelType.options;

/** A user-given id as one URL path segment. */
export const segment = encodeURIComponent;

/** `--token` of every command that can talk to an API (`--auth` is the program's global option). */
export const TOKEN_OPTION_HELP = 'operator bearer token, sent when --auth is token (default: $CASCADE_API_TOKEN)';

/** Adds the connection options every API verb takes. */
export function apiOptions(command: Command): Command {
  return command
    .option('--api <url>', 'operator API base URL (default: $CASCADE_API_URL, else an embedded stack for this command)')
    .option('--token <token>', TOKEN_OPTION_HELP)
    .option('--data <dir>', 'embedded stack only: keep and reuse its state in this directory')
    .option('--json', 'print JSON for scripts instead of tables');
}

export function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} "${value}" is not a positive whole number`);
  return n;
}

/** `email`, `contact-form`… → `EMAIL`, `CONTACT_FORM`. */
export function channelArgument(value: string): string {
  const channel = value.toUpperCase().replace(/-/g, '_');
  if (!CHANNELS.includes(channel)) throw new Error(`channel "${value}" is not one of ${CHANNELS.join(', ')}`);
  return channel;
}

/** A file's bytes; `-` reads stdin where the command says so (`stdin: true`). */
export function readInputFile(file: string, { stdin }: { stdin: boolean }): Buffer {
  try {
    return stdin && file === '-' ? readFileSync(0) : readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** A JSON file (`-` reads stdin). */
export function readJsonFile(file: string): unknown {
  const text = readInputFile(file, { stdin: true }).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`);
  }
}
