import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '#cli/serve';
import type { Lead } from '#shared/domain/schemas';
import { createLead, putCampaign } from '#shared/store/leads';
import { putMessage } from '#shared/store/outreach';
import { cascadeAgainst, errorLines } from '#test/support/cli';
import { testCampaign, testLead } from '#test/support/fixtures';

/** `cascade leads list|export` and `cascade campaigns leads [--csv]` against an API served by this process. */

const TOKEN = 'leads-listing-test-token';
const CAMPAIGN = 'leads-cli';
let server: ApiServer;
const cascade = cascadeAgainst(() => ({ url: server.url, token: TOKEN }));
const fileDir = mkdtempSync(path.join(tmpdir(), 'cascade-leads-export-'));

const seed = (name: string, fields: Partial<Lead> = {}) =>
  createLead(testLead({ leadId: `${CAMPAIGN}-${name}`, campaignId: CAMPAIGN, firstName: name, ...fields }));

/** The export as the API itself answers it, read without the CLI. */
async function apiCsv(): Promise<string> {
  const response = await fetch(`${server.url}/v1/campaigns/${CAMPAIGN}/leads.csv`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.status).toBe(200);
  return response.text();
}

const ids = (stdout: string) => (JSON.parse(stdout).items as Lead[]).map((lead) => lead.leadId).sort();

beforeAll(async () => {
  server = await startApiServer({ port: 0, token: TOKEN });
  await putCampaign(testCampaign(CAMPAIGN));
  await seed('ann', { status: 'CONTACTED', email: 'ann@listing.example', company: 'Ann, Ltd.' });
  await seed('bob', { status: 'CONTACTED', lastName: '=cmd' });
  await seed('cy');
  await putMessage({
    messageId: 'msg_listing_1',
    leadId: `${CAMPAIGN}-ann`,
    campaignId: CAMPAIGN,
    channel: 'EMAIL',
    status: 'DELIVERED',
    body: 'Hello',
    executionName: `${CAMPAIGN}--${CAMPAIGN}-ann`,
    attemptKey: `${CAMPAIGN}--${CAMPAIGN}-ann#0#1`,
    createdAt: '2026-11-24T09:00:00.000Z',
    sentAt: '2026-11-24T09:00:01.000Z',
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(fileDir, { recursive: true, force: true });
});

describe('cascade leads list', () => {
  it('prints one page as a table with the next cursor, a status as JSON, and campaigns leads the same', async () => {
    // Act
    const first = await cascade(['leads', 'list', CAMPAIGN, '--limit', '2']);
    const cursor = /^more: --cursor (\S+)$/m.exec(first.stdout)?.[1] ?? '';
    const rest = await cascade(['leads', 'list', CAMPAIGN, '--limit', '2', '--cursor', cursor, '--json']);
    const contacted = await cascade(['leads', 'list', CAMPAIGN, '--status', 'contacted', '--json']);
    const older = await cascade(['campaigns', 'leads', CAMPAIGN, '--status', 'CONTACTED', '--json']);
    const none = await cascade(['leads', 'list', CAMPAIGN, '--status', 'REPLIED']);

    // Assess
    expect(first.code).toBe(0);
    const lines = first.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^leadId\s+name\s+email\s+company\s+grade\s+status\s+stopReason\s+updatedAt$/);
    expect(lines).toHaveLength(4);
    expect(cursor).not.toBe('');
    expect(ids(rest.stdout)).toHaveLength(1);
    expect(ids(contacted.stdout)).toEqual([`${CAMPAIGN}-ann`, `${CAMPAIGN}-bob`]);
    expect(JSON.parse(older.stdout)).toEqual(JSON.parse(contacted.stdout));
    expect(none.stdout.trim()).toBe(`no leads in REPLIED in campaign ${CAMPAIGN}`);
  });
});

describe('cascade leads export', () => {
  it("writes exactly the API's CSV, touch columns included, to stdout or --out", async () => {
    // Prepare
    const file = path.join(fileDir, 'leads.csv');
    const expected = await apiCsv();

    // Act
    const stdout = await cascade(['leads', 'export', CAMPAIGN]);
    const toFile = await cascade(['leads', 'export', CAMPAIGN, '--out', file]);
    const older = await cascade(['campaigns', 'leads', CAMPAIGN, '--csv']);

    // Assess
    expect(stdout.code).toBe(0);
    expect(stdout.stdout).toBe(expected);
    expect(toFile.stdout.trim()).toBe(`exported 3 lead(s) of campaign ${CAMPAIGN} to ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(expected);
    expect(older.stdout).toBe(expected);
    const rows = parse(stdout.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.find((row) => row.leadId === `${CAMPAIGN}-ann`)).toMatchObject({
      company: 'Ann, Ltd.',
      channelUsed: 'EMAIL',
      touches: '1',
      lastTouchAt: '2026-11-24T09:00:01.000Z',
    });
    expect(rows.find((row) => row.leadId === `${CAMPAIGN}-bob`)).toMatchObject({ lastName: "'=cmd", touches: '0' });
  });

  it("keeps one status's rows as the API wrote them (--status), and --json says where they went", async () => {
    // Prepare
    const file = path.join(fileDir, 'contacted.csv');
    const [header, ...rows] = (await apiCsv()).split('\r\n');

    // Act
    const run = await cascade(['leads', 'export', CAMPAIGN, '--status', 'CONTACTED', '--out', file, '--json']);

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ campaignId: CAMPAIGN, file, leads: 2 });
    const kept = rows.filter((row) => row.includes(',CONTACTED,'));
    expect(kept).toHaveLength(2);
    expect(readFileSync(file, 'utf8')).toBe([header, ...kept, ''].join('\r\n'));
  });

  it('fails with one line for a campaign that does not exist or a status it does not know', async () => {
    // Act
    const missing = await cascade(['leads', 'export', 'nowhere']);
    const badStatus = await cascade(['leads', 'export', CAMPAIGN, '--status', 'later']);

    // Assess
    expect(missing.code).not.toBe(0);
    expect(errorLines(missing)).toEqual(['cascade: not_found: campaign nowhere does not exist']);
    expect(missing.stdout).toBe('');
    expect(badStatus.code).not.toBe(0);
    expect(errorLines(badStatus)).toEqual([expect.stringContaining('--status "later" is not one of')]);
  });
});
