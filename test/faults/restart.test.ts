import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ANY_HOUR_SCHEDULE } from '#shared/schedule/schema';

/**
 * Kill `cascade serve --data DIR` in the middle of a batch, start it again on the same DIR: every lead
 * finishes, none is sent twice (checked in the SES peer's own send journal, which outlives the process),
 * no execution is lost.
 */
const TOKEN = 'restart-test-token';
const LEADS = 24;
const dir = mkdtempSync(path.join(tmpdir(), 'cascade-restart-'));
const journal = path.join(dir, 'ses-sent.jsonl');
let server: ChildProcess | undefined;

async function serve(): Promise<{ url: string; process: ChildProcess }> {
  // One process (tsx as a loader, no wrapper or child), so SIGKILL takes the whole server down as a crash would.
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/cascade.ts', 'serve', '--data', dir, '--port', '0'], {
    env: { ...process.env, CASCADE_API_TOKEN: TOKEN, CASCADE_LOCAL_PAUSE_MS: '150', CASCADE_API_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${output}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/CASCADE_API_URL=(http:\/\/127\.0\.0\.1:\d+)/);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}): ${output}`)));
  });
  return { url, process: child };
}

async function call(url: string, method: string, pathname: string, body?: unknown) {
  const response = await fetch(`${url}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const journalLines = () =>
  existsSync(journal)
    ? readFileSync(journal, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { to: string[] })
    : [];

afterAll(async () => {
  server?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('killing cascade serve in the middle of a batch', () => {
  it('finishes every lead after a restart, with no lead sent twice and no execution lost', async () => {
    // Prepare: 24 email leads and a tight hourly limit, so the batch is still sending when the process dies.
    const first = await serve();
    server = first.process;
    expect(
      (
        await call(first.url, 'POST', '/v1/campaigns', {
          campaignId: 'restart',
          name: 'Restart',
          sender: { name: 'Ada', email: 'ada@cascade-demo.example' },
          // Any hour: this test is about the sequence, not the send window (a closed one would hold it).
          schedule: ANY_HOUR_SCHEDULE,
        })
      ).status,
    ).toBe(201);
    await call(first.url, 'PUT', '/v1/channels/EMAIL/config?campaignId=restart', {
      rateLimits: { perHour: 4, perDay: 200 },
    });
    const leads = Array.from({ length: LEADS }, (_, index) => ({
      firstName: `R${index}`,
      email: `r${index}@restart${index}.example`,
      leadScore: 0.9,
    }));
    expect((await call(first.url, 'POST', '/v1/campaigns/restart/leads', leads)).status).toBeLessThan(300);
    const batch = await call(first.url, 'POST', '/v1/campaigns/restart/batches', {});
    const executions = batch.body.executions as string[];
    expect(executions).toHaveLength(LEADS);
    while (journalLines().length < 6) await new Promise((resolve) => setTimeout(resolve, 20));

    // Act: kill -9 mid-batch, then start again on the same data directory.
    first.process.kill('SIGKILL');
    await new Promise((resolve) => first.process.once('exit', resolve));
    const sentBeforeKill = journalLines().length;
    const second = await serve();
    server = second.process;
    const statuses = new Map<string, string>();
    const outputs = new Map<string, string>();
    for (const deadline = Date.now() + 240_000; Date.now() < deadline; ) {
      for (const name of executions) {
        const audit = (await call(second.url, 'GET', `/v1/executions/${name}`)).body;
        statuses.set(name, String(audit.status));
        outputs.set(name, JSON.stringify(audit));
      }
      if ([...statuses.values()].every((status) => status !== 'RUNNING')) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    // Assess
    const sends = journalLines().flatMap((line) => line.to);
    const ambiguous = [...outputs.values()].filter((audit) => audit.includes('ambiguous_send')).length;
    console.info(
      `restart: ${sentBeforeKill} mails before the kill, ${sends.length} in all, ${new Set(sends).size} distinct, ${ambiguous} ambiguous (caught mid-call, never resent)`,
    );
    expect(sentBeforeKill).toBeLessThan(LEADS);
    expect([...statuses.values()]).toEqual(executions.map(() => 'SUCCEEDED'));
    expect(new Set(sends).size).toBe(sends.length);
    // Every lead was mailed at most once; a lead never mailed is one whose try the kill caught mid-call
    // (recorded ambiguous_send and never resent — a mid-call kill may also have let the mail through).
    expect(LEADS - sends.length).toBeLessThanOrEqual(ambiguous);
    expect(sends.length).toBeGreaterThan(LEADS / 2);
  });
});
