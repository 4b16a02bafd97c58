import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient } from '#shared/store/client';
import { tableName } from '#shared/store/tables';
import { campaignBody, useApiStack } from '#test/integration/functions/api/gateway';

/**
 * A lead import retried after a timeout or a partial failure: the rows an earlier import stored come back
 * with the ids of their leads (on their "already in this campaign" row error), and nothing is written twice.
 */

const { call } = useApiStack();

const ROWS = [
  { firstName: 'Ann', email: 'ann@retry.example', leadScore: 0.9 },
  { firstName: 'Ben', email: 'ben@retry.example', leadScore: 0.5 },
  { firstName: 'Cat', email: 'cat@retry.example', leadScore: 0.2 },
];

async function newCampaign(campaignId: string) {
  const reply = await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody(campaignId) });
  expect(reply.status).toBe(201);
}

function importRows(campaignId: string, rows: unknown[]) {
  return call({ method: 'POST', path: `/v1/campaigns/${campaignId}/leads`, json: rows });
}

/** Every lead item and email claim the leads table holds for a campaign. */
async function storedFor(campaignId: string) {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({ TableName: tableName('leads'), ExclusiveStartKey: startKey }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const leads = items.filter((item) => item.sk === 'LEAD' && item.campaignId === campaignId);
  const claims = items.filter((item) => String(item.pk).startsWith(`CAMPAIGN#${campaignId}#EMAIL#`));
  return { leads, claims };
}

/** Row number → leadId, from the created leads and the rows already in the campaign. */
function idsByRow(body: {
  leads: { row: number; leadId: string }[];
  rejectedRows: { row: number; leadId?: string }[];
}) {
  return Object.fromEntries(
    [...body.leads, ...body.rejectedRows].map((entry) => [entry.row, 'leadId' in entry ? entry.leadId : undefined]),
  );
}

describe('POST /v1/campaigns/{id}/leads, retried', () => {
  it("answers every row of a repeated import with the first import's leadId and writes nothing twice", async () => {
    // Prepare
    await newCampaign('retry-all');
    const first = await importRows('retry-all', ROWS);
    const before = await storedFor('retry-all');

    // Act
    const again = await importRows('retry-all', ROWS);

    // Assess
    expect(first.body).toMatchObject({ imported: 3, rejected: 0 });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ rows: 3, imported: 0, rejected: 3, leads: [] });
    expect(idsByRow(again.body)).toEqual(idsByRow(first.body));
    expect(Object.values(idsByRow(again.body))).toEqual([
      expect.stringMatching(/^lead_/),
      expect.stringMatching(/^lead_/),
      expect.stringMatching(/^lead_/),
    ]);
    for (const row of again.body.rejectedRows)
      expect(row.errors).toEqual([{ field: 'email', message: 'already in this campaign' }]);
    const after = await storedFor('retry-all');
    expect(after.leads).toHaveLength(3);
    expect(after.claims).toHaveLength(3);
    expect(after).toEqual(before);
  });

  it('imports the rows an interrupted import left out and returns the ids of those it stored', async () => {
    // Prepare: the first import stored rows 1 and 3 only.
    await newCampaign('retry-part');
    const partial = await importRows('retry-part', [ROWS[0], ROWS[2]]);
    const [annId, catId] = partial.body.leads.map((lead: { leadId: string }) => lead.leadId);

    // Act
    const retry = await importRows('retry-part', ROWS);

    // Assess
    expect(retry.body).toMatchObject({ rows: 3, imported: 1, rejected: 2 });
    expect(retry.body.leads).toEqual([{ row: 2, leadId: expect.stringMatching(/^lead_/), grade: expect.any(String) }]);
    expect(retry.body.rejectedRows.map((row: { row: number; leadId?: string }) => [row.row, row.leadId])).toEqual([
      [1, annId],
      [3, catId],
    ]);
    expect((await storedFor('retry-part')).leads).toHaveLength(3);
  });

  it('names no lead for an address whose claim has no lead (an import stopped between the two writes)', async () => {
    // Prepare: the claim an import writes first, without the lead it was for.
    await newCampaign('retry-orphan');
    await documentClient().send(
      new PutCommand({
        TableName: tableName('leads'),
        Item: { pk: 'CAMPAIGN#retry-orphan#EMAIL#ann@retry.example', sk: 'CLAIM', leadId: 'lead_never_written' },
      }),
    );

    // Act
    const reply = await importRows('retry-orphan', [ROWS[0]]);

    // Assess
    expect(reply.body).toMatchObject({ imported: 0, rejected: 1 });
    expect(reply.body.rejectedRows[0].errors).toEqual([{ field: 'email', message: 'already in this campaign' }]);
    expect(reply.body.rejectedRows[0].leadId).toBeUndefined();
  });
});
