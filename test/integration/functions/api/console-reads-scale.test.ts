import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Lead } from '#shared/domain/schemas';
import { documentClient } from '#shared/store/client';
import { createLead } from '#shared/store/leads';
import { tableName } from '#shared/store/tables';
import { campaignBody, useApiStack } from '#test/integration/functions/api/gateway';
import { testLead } from '#test/support/fixtures';

/**
 * The campaign list stays cheap however many leads a campaign has: its funnel is COUNT queries on the status index
 * (one per status, plus a page per MB of index), never the leads themselves. Counted in requests, not time.
 */
const local = useApiStack();
const { call } = local;

const LEADS = 10_000;
const CONCURRENCY = 8;
/** Items per BatchWriteItem (its maximum). */
const BATCH = 25;

interface Seen {
  queries: number;
  itemsReturned: number;
  otherCommands: string[];
}
const seen: Seen = { queries: 0, itemsReturned: 0, otherCommands: [] };
let counting = false;

beforeAll(() => {
  // Every request the store client sends while `counting`: what the route costs DynamoDB.
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (!counting) return result;
      const command = (context as { commandName?: string }).commandName ?? '?';
      if (command === 'QueryCommand') {
        seen.queries++;
        seen.itemsReturned += ((result.output as { Items?: unknown[] }).Items ?? []).length;
      } else seen.otherCommands.push(command);
      return result;
    },
    { step: 'initialize', name: 'countConsoleReads' },
  );
});

/**
 * `count` leads in `status`: one lead written by createLead (the import's writer), its stored item copied for the
 * rest with their own ids and status (BatchWrite: 400 requests instead of 10,000 conditional puts).
 */
async function seed(campaignId: string, status: Lead['status'], count: number, offset: number) {
  const first = testLead({
    leadId: `${campaignId}-${offset}`,
    campaignId,
    status,
    company: 'Scale Co',
    painPoints: ['a lead item of a realistic size: a few hundred bytes of firmographics and tags'],
  });
  await createLead(first);
  const { Item: stored = {} } = await documentClient().send(
    new GetCommand({ TableName: tableName('leads'), Key: { pk: `LEAD#${first.leadId}`, sk: 'LEAD' } }),
  );
  const copies = Array.from({ length: count - 1 }, (_, index) => {
    const leadId = `${campaignId}-${offset + index + 1}`;
    return { ...stored, pk: `LEAD#${leadId}`, leadId, gradeCreated: `A#${first.createdAt}#${leadId}` };
  });
  for (let start = 0; start < copies.length; start += BATCH * CONCURRENCY) {
    const batches = Array.from({ length: CONCURRENCY }, (_, index) =>
      copies.slice(start + index * BATCH, start + (index + 1) * BATCH),
    ).filter((batch) => batch.length > 0);
    await Promise.all(
      batches.map((batch) =>
        documentClient().send(
          new BatchWriteCommand({
            RequestItems: { [tableName('leads')]: batch.map((Item) => ({ PutRequest: { Item } })) },
          }),
        ),
      ),
    );
  }
}

describe('GET /v1/campaigns with a 10,000-lead campaign', () => {
  it('counts the funnel with a few COUNT queries that return no lead', async () => {
    // Prepare
    const created = await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('big') });
    expect(created.status).toBe(201);
    await call({ method: 'POST', path: '/v1/campaigns', json: campaignBody('small') });
    await seed('big', 'NEW', 6_000, 0);
    await seed('big', 'CONTACTED', 2_500, 6_000);
    await seed('big', 'REPLIED', 500, 8_500);
    await seed('big', 'EXHAUSTED', 1_000, 9_000);
    await seed('small', 'NEW', 3, 0);

    // Act
    counting = true;
    const reply = await call({ method: 'GET', path: '/v1/campaigns' });
    counting = false;

    // Assess: 3 campaign-state queries + 2 campaigns × 8 statuses, a few more pages for the big partitions.
    expect(reply.status).toBe(200);
    const big = reply.body.items.find((item: { campaignId: string }) => item.campaignId === 'big');
    expect(big.funnel).toMatchObject({
      total: LEADS,
      new: 6_000,
      enrolled: 4_000,
      contacted: 3_000,
      replied: 500,
      exhausted: 1_000,
    });
    expect(seen.otherCommands).toEqual([]);
    expect(seen.itemsReturned).toBe(2); // the two campaign items; no lead
    expect(seen.queries).toBeGreaterThanOrEqual(3 + 2 * 8);
    expect(seen.queries).toBeLessThanOrEqual(3 + 2 * 8 + 20);
  }, 300_000);
});
