import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpAdapter, startHttpAdapter } from '#local/http-adapter/server';
import { type LocalStack, startLocalStack } from '#local/stack';
import { SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { putCampaign } from '#shared/store/leads';
import { testCampaign } from '#test/support/fixtures';

/**
 * Erasure and the embedded stack's data folder: after `DELETE /v1/leads/{id}` no file under `--data` (DynamoDB's
 * LevelDB files, the SES journal, the kept executions) holds the person's name, address or phone, and the
 * execution's audit through the API shows none of them either. The executions and the journal are scrubbed
 * before the erase answers; LevelDB's files are compacted then too, and for certain when the stack stops.
 */

const TOKEN = 'erase-folder-token';
const dataDir = mkdtempSync(path.join(tmpdir(), 'cascade-erase-'));
let stack: LocalStack;
let api: HttpAdapter;

const PERSON = {
  firstName: 'Wilhelmina',
  lastName: 'Fotheringay',
  email: 'success+wilhelmina.fotheringay@simulator.amazonses.com',
  phone: '+1 555 0199 8642',
  company: 'Acme Widgets',
  leadScore: 0.9,
};
const PERSONAL = [PERSON.firstName, PERSON.lastName, 'wilhelmina.fotheringay', PERSON.phone];

async function call(method: string, pathname: string, json?: unknown) {
  const response = await fetch(`${api.url}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(json !== undefined && { 'content-type': 'application/json' }) },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field in the assertions.
  return { status: response.status, text, body: (text ? JSON.parse(text) : undefined) as any };
}

/** Every file under `dir` (function logs aside: they are CloudWatch's twin, see the README), as raw text. */
function folderText(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) {
      if (name !== 'logs') for (const [inner, text] of folderText(file)) files.set(inner, text);
    } else files.set(file, readFileSync(file).toString('latin1'));
  }
  return files;
}

function leaks(values: string[]): string[] {
  const found: string[] = [];
  for (const [file, text] of folderText(dataDir))
    for (const value of values) if (text.includes(value)) found.push(`${path.relative(dataDir, file)}: ${value}`);
  return found;
}

beforeAll(async () => {
  stack = await startLocalStack({ dataDir, executionStoreDir: path.join(dataDir, 'executions') });
  api = await startHttpAdapter({ log: () => undefined });
  await putCampaign(
    testCampaign('folder', { sequence: SequenceConfig.parse({ steps: [{ channel: 'EMAIL', maxRetries: 0 }] }) }),
  );
}, 60_000);

let closed = false;

afterAll(async () => {
  if (!closed) {
    await api?.close();
    await stack?.close();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DELETE /v1/leads/{id} and the data folder', () => {
  let leadId = '';
  let executionName = '';

  it('sends to the person first: the folder then holds their data', async () => {
    // Prepare
    const imported = await call('POST', '/v1/campaigns/folder/leads', [PERSON]);
    leadId = imported.body.leads[0].leadId;

    // Act
    const report = await launchBatch({ campaignId: 'folder' });
    await stack.stepFunctions.drain();
    executionName = report.executions[0] ?? '';
    const outreach = await call('POST', `/v1/leads/${leadId}/outreach`, {
      body: `Dear ${PERSON.firstName} ${PERSON.lastName}, call me back on ${PERSON.phone}.`,
      subject: `For ${PERSON.lastName}`,
      forceChannel: 'EMAIL',
    });
    await stack.stepFunctions.drain();

    // Assess: the journal names the address, the operator's body is in an execution input, LevelDB holds it all.
    expect(report.started).toBe(1);
    expect(outreach.status).toBeLessThan(300);
    const before = leaks(PERSONAL);
    expect(before.some((leak) => leak.startsWith('ses-sent.jsonl'))).toBe(true);
    expect(before.some((leak) => leak.startsWith('executions'))).toBe(true);
    expect(before.some((leak) => leak.startsWith('dynamodb'))).toBe(true);
  });

  it('erases: the executions, the SES journal and the audit forget the person at once', async () => {
    // Act
    const erased = await call('DELETE', `/v1/leads/${leadId}`);
    const audit = await call('GET', `/v1/executions/${executionName}`);

    // Assess
    expect(erased.status).toBe(200);
    expect(leaks(PERSONAL).filter((leak) => !leak.startsWith('dynamodb'))).toEqual([]);
    expect(audit.status).toBe(200);
    for (const value of PERSONAL) expect(audit.text).not.toContain(value);
    expect(audit.text).toContain(leadId);
    // The journal still counts the sends, without the address.
    const journal = readFileSync(path.join(dataDir, 'ses-sent.jsonl'), 'utf8').trim().split('\n');
    expect(journal.length).toBeGreaterThanOrEqual(1);
    for (const line of journal) expect(JSON.parse(line).to).toEqual(['erased']);
  });

  it("leaves none of the person's values in any file of the folder once the stack has stopped", async () => {
    // Act: closing releases what pinned old versions in the running store (its open iterators) and compacts it.
    await api.close();
    await stack.close();
    closed = true;

    // Assess
    expect(leaks(PERSONAL)).toEqual([]);
  });
});
