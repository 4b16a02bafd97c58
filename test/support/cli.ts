import { spawn } from 'node:child_process';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node bin/cascade.js …` asynchronously (the API it talks to may live in the test's own event loop),
 * with a clean environment: no API, token or signing secret leaks in from the test process.
 */
export function runCascade(args: string[], api?: { url: string; token: string }): Promise<CliRun> {
  const env = { ...process.env };
  delete env.CASCADE_API_URL;
  delete env.CASCADE_API_TOKEN;
  delete env.CASCADE_UNSUBSCRIBE_SECRET;
  const connection = api ? ['--api', api.url, '--token', api.token] : [];
  const child = spawn(process.execPath, ['bin/cascade.js', ...args, ...connection], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

/** The CLI's one-line errors (`cascade: …`), without progress bars and Node's notices. */
export function errorLines(run: CliRun): string[] {
  return run.stderr.split('\n').filter((line) => line.startsWith('cascade:'));
}
