import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '#cli/serve';
import { cascadeAgainst, errorLines } from '#test/support/cli';

/** The CLI verbs as subprocesses (`node bin/cascade.js …`) against an API served by this process. */

const TOKEN = 'verbs-test-token';
let server: ApiServer;
const dataDir = mkdtempSync(path.join(tmpdir(), 'cascade-verbs-'));
const fileDir = mkdtempSync(path.join(tmpdir(), 'cascade-verbs-files-'));

const cascade = cascadeAgainst(() => ({ url: server.url, token: TOKEN }));

beforeAll(async () => {
  server = await startApiServer({ port: 0, token: TOKEN });
});

afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(fileDir, { recursive: true, force: true });
});

describe('cascade verbs against a served API', () => {
  let leadId = '';

  it('creates a campaign', async () => {
    // Act
    const run = await cascade([
      'campaigns',
      'create',
      '--id',
      'verbs',
      '--name',
      'Verbs',
      '--sender-name',
      'Ada Lovelace',
      '--sender-email',
      'ada@cascade-demo.example',
      '--json',
    ]);

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ campaignId: 'verbs', state: 'ACTIVE', name: 'Verbs' });
  });

  it('imports examples/leads.csv: 57 accepted, 3 rejected by row number', async () => {
    // Act
    const run = await cascade(['leads', 'import', 'examples/leads.csv', '--campaign', 'verbs']);

    // Assess
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('rejected row')).map((line) => line.split(':')[0])).toEqual([
      'rejected row 53',
      'rejected row 54',
      'rejected row 55',
    ]);
    expect(lines).toContain('rejected row 55: leadScore: must be between 0 and 1');
    expect(lines.at(-1)).toBe('57 accepted, 3 rejected (campaign verbs)');
    expect(run.stderr).toContain('importing leads');
  });

  it('runs a batch and waits until every started execution has ended', async () => {
    // Act
    const run = await cascade(['batch', 'run', '--campaign', 'verbs', '--limit', '8', '--json']);

    // Assess
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { started: number; executions: string[]; results: { status: string }[] };
    expect(report.started).toBe(8);
    expect(report.results).toHaveLength(8);
    for (const result of report.results) expect(['SUCCEEDED', 'FAILED']).toContain(result.status);
    leadId = report.executions[0]?.split('--')[1] ?? '';
    expect(leadId).toMatch(/^lead_/);
  });

  it("prints a lead's history, as a table and as JSON", async () => {
    // Act
    const [table, json] = await Promise.all([
      cascade(['history', leadId, '--limit', '20']),
      cascade(['history', leadId, '--json']),
    ]);

    // Assess
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^time\s+kind\s+channel\s+step\s+status\s+reason\s+id$/);
    const items = (JSON.parse(json.stdout) as { items: { kind: string }[] }).items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.map((item) => item.kind)).toContain('attempt');
  });

  it('prints the channel metrics as JSON', async () => {
    // Act
    const run = await cascade(['metrics', '--campaign', 'verbs', '--days', '7', '--json']);

    // Assess
    expect(run.code).toBe(0);
    const metrics = JSON.parse(run.stdout) as { campaignId: string; channels: Record<string, { sent: number }> };
    expect(metrics.campaignId).toBe('verbs');
    expect(Object.keys(metrics.channels).sort()).toEqual(['CONTACT_FORM', 'EMAIL', 'LINKEDIN']);
    expect(Object.values(metrics.channels).reduce((sum, channel) => sum + channel.sent, 0)).toBeGreaterThan(0);
  });

  it('adds, lists and removes a suppression', async () => {
    // Act
    const added = await cascade(['suppress', 'add', 'no@thanks.example', '--reason', 'asked']);
    const listed = await cascade(['suppress', 'list', '--json']);
    const removed = await cascade(['suppress', 'remove', 'no@thanks.example']);

    // Assess
    expect(added.stdout.trim()).toBe('suppressed EMAIL#no@thanks.example (asked)');
    expect((JSON.parse(listed.stdout) as { items: { key: string }[] }).items.map((item) => item.key)).toContain(
      'EMAIL#no@thanks.example',
    );
    expect(removed.stdout.trim()).toBe('removed EMAIL#no@thanks.example');
  });

  it("prints a channel's config as a field table, and with --json as the API's answer", async () => {
    // Act
    const set = await cascade(['config', 'set', 'email', '--campaign', 'verbs', '--per-hour', '7', '--per-day', '70']);
    const [got, json] = await Promise.all([
      cascade(['config', 'get', 'email', '--campaign', 'verbs']),
      cascade(['config', 'get', 'email', '--campaign', 'verbs', '--json']),
    ]);

    // Assess
    expect(set.code).toBe(0);
    const setLines = set.stdout.trim().split('\n');
    expect(setLines[0]).toBe('updated EMAIL config (campaign verbs)');
    expect(setLines[1]).toMatch(/^field\s+value$/);
    expect(setLines).toContainEqual(expect.stringMatching(/^rateLimits\.perHour\s+7$/));
    expect(got.code).toBe(0);
    const rows = Object.fromEntries(
      got.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(/\s{2,}/)),
    );
    expect(got.stdout.split('\n')[0]).toMatch(/^field\s+value$/);
    expect(rows).toMatchObject({
      channel: 'EMAIL',
      scope: 'verbs',
      source: 'campaign',
      enabled: 'true',
      'rateLimits.perHour': '7',
      'rateLimits.perDay': '70',
      'retryPolicy.maxRetries': '2',
      'retryPolicy.retryBackoffHours': '24, 48',
    });
    expect(got.stdout).not.toContain('{');
    expect(JSON.parse(json.stdout)).toMatchObject({
      channel: 'EMAIL',
      scope: 'verbs',
      source: 'campaign',
      rateLimits: { perHour: 7, perDay: 70 },
      retryPolicy: { maxRetries: 2, retryBackoffHours: [24, 48] },
    });
  });

  it('shows, on a repeated import, the lead each row already is', async () => {
    // Prepare
    const file = path.join(fileDir, 'retry.csv');
    writeFileSync(file, 'first_name,email\nRia,ria@retry.example\nSam,sam@retry.example\n');
    const first = await cascade(['leads', 'import', file, '--campaign', 'verbs', '--json']);
    const ids = (JSON.parse(first.stdout) as { leads: { leadId: string }[] }).leads.map((lead) => lead.leadId);

    // Act
    const again = await cascade(['leads', 'import', file, '--campaign', 'verbs', '--no-progress']);

    // Assess
    expect(ids).toHaveLength(2);
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split('\n')).toEqual([
      `rejected row 1: email: already in this campaign (lead ${ids[0]})`,
      `rejected row 2: email: already in this campaign (lead ${ids[1]})`,
      '0 accepted, 2 rejected, 2 of them already in the campaign (campaign verbs)',
    ]);
  });

  it('fails with one line on stderr and a non-zero exit', async () => {
    // Act
    const [unknown, invalid, noToken] = await Promise.all([
      cascade(['campaigns', 'get', 'no-such-campaign']),
      cascade(['campaigns', 'create', '--name', 'X', '--sender-email', 'not-an-address']),
      cascade(['campaigns', 'get', 'verbs', '--api', server.url], { api: false }),
    ]);

    // Assess
    expect(unknown.code).not.toBe(0);
    expect(errorLines(unknown)).toEqual(['cascade: not_found: campaign no-such-campaign does not exist']);
    expect(unknown.stdout).toBe('');
    expect(invalid.code).not.toBe(0);
    expect(errorLines(invalid)).toHaveLength(1);
    expect(errorLines(invalid)[0]).toMatch(
      /^cascade: validation_error: .+ \(.*sender\.name: [^;]+; sender\.email: [^)]+\)$/,
    );
    expect(noToken.code).not.toBe(0);
    expect(errorLines(noToken)).toEqual([
      'cascade: unauthorized: A valid bearer token is required (pass --token or set CASCADE_API_TOKEN)',
    ]);
  });
});

describe('cascade verbs without an API', () => {
  it('starts an embedded stack per command, keeping state between commands with --data', async () => {
    // Prepare
    const create = ['campaigns', 'create', '--id', 'kept', '--name', 'Kept', '--sender-name', 'Ada'];
    const sender = ['--sender-email', 'a@b.example'];

    // Act
    const [created, createdWithData] = await Promise.all([
      cascade([...create, ...sender], { api: false }),
      cascade([...create, ...sender, '--data', dataDir], { api: false }),
    ]);
    const [missing, read] = await Promise.all([
      cascade(['campaigns', 'get', 'kept'], { api: false }),
      cascade(['campaigns', 'get', 'kept', '--data', dataDir, '--json'], { api: false }),
    ]);

    // Assess
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('created campaign kept');
    expect(createdWithData.code).toBe(0);
    // Without --data a campaign lives only for the command that created it.
    expect(missing.code).not.toBe(0);
    expect(errorLines(missing)).toEqual(['cascade: not_found: campaign kept does not exist']);
    expect(read.code).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ campaignId: 'kept', name: 'Kept' });
  }, 60_000);
});
