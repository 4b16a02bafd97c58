import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Extra variables for the child; `undefined` removes one. */
export type EnvironmentChanges = Record<string, string | undefined>;

export interface CliRunOptions {
  /** Talk to this API (`--api URL --token TOKEN` after the arguments); without it, the embedded stack. */
  api?: { url: string; token: string };
  env?: EnvironmentChanges;
}

/** What the test process may have set for itself and a user's CLI would not inherit. */
const TEST_PROCESS_SETTINGS = [
  'CASCADE_API_URL',
  'CASCADE_API_TOKEN',
  'CASCADE_API_AUTH',
  'CASCADE_UNSUBSCRIBE_SECRET',
];

/** This process's environment without its CASCADE_ connection settings and signing secret, then `changes`. */
export function cliEnvironment(changes: EnvironmentChanges = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of TEST_PROCESS_SETTINGS) delete env[name];
  for (const [name, value] of Object.entries(changes))
    if (value === undefined) delete env[name];
    else env[name] = value;
  return env;
}

/** Starts `node bin/cascade.js …` as a user runs it, stdout and stderr piped. */
export function spawnCascade(
  args: string[],
  changes: EnvironmentChanges = {},
): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, ['bin/cascade.js', ...args], {
    env: cliEnvironment(changes),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Runs `node bin/cascade.js …` asynchronously (the API it talks to may live in the test's own event loop),
 * with a clean environment: no API, token, auth mode or signing secret leaks in from the test process.
 */
export function runCascade(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  const connection = options.api ? ['--api', options.api.url, '--token', options.api.token] : [];
  const child = spawnCascade([...args, ...connection], options.env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * `cascade(args)` against the API `api()` names (asked at each run: the test's server starts in beforeAll);
 * `cascade(args, { api: false })` runs it without, on the embedded stack.
 */
export function cascadeAgainst(api: () => { url: string; token: string }) {
  return (args: string[], options: { api?: boolean } = {}): Promise<CliRun> =>
    runCascade(args, options.api === false ? {} : { api: api() });
}

/** The CLI's one-line errors (`cascade: …`), without progress bars and Node's notices. */
export function errorLines(run: CliRun): string[] {
  return run.stderr.split('\n').filter((line) => line.startsWith('cascade:'));
}
