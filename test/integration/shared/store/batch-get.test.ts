import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDynamo } from '#local/dynamodb';
import { StoreUnavailableError } from '#shared/errors';
import { batchGetAll } from '#shared/store/batch-get';
import { documentClient } from '#shared/store/client';
import { findSuppressionsByKeys } from '#shared/store/suppression-checks';
import { tableName } from '#shared/store/tables';
import { useLocalDynamo } from '#test/support/local-dynamo';

let dynamo: LocalDynamo;
/** How many more BatchGetItem answers give back their last key as unprocessed, as a throttled DynamoDB does. */
let throttledAnswers = 0;
let batchGets = 0;

beforeAll(async () => {
  dynamo = await useLocalDynamo();
  // dynalite always processes every key; this holds the last key of each answer back, the real answer otherwise.
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if ((context as { commandName?: string }).commandName !== 'BatchGetItemCommand') return result;
      batchGets++;
      if (throttledAnswers === 0) return result;
      throttledAnswers--;
      const output = result.output as {
        Responses?: Record<string, Record<string, unknown>[]>;
        UnprocessedKeys?: Record<string, { Keys: Record<string, unknown>[] }>;
      };
      const request = (args.input as { RequestItems: Record<string, { Keys: Record<string, unknown>[] }> })
        .RequestItems;
      for (const [table, { Keys }] of Object.entries(request)) {
        const heldBack = Keys.at(-1);
        if (!heldBack) continue;
        output.Responses = {
          ...output.Responses,
          [table]: (output.Responses?.[table] ?? []).filter((item) => item.pk !== heldBack.pk),
        };
        output.UnprocessedKeys = { ...output.UnprocessedKeys, [table]: { Keys: [heldBack] } };
      }
      return result;
    },
    { step: 'initialize', name: 'throttleBatchGet' },
  );
  for (const pk of ['EMAIL#a@one.example', 'DOMAIN#two.example', 'LEAD#lead_three']) {
    await documentClient().send(
      new PutCommand({ TableName: tableName('suppressions'), Item: { pk, reason: 'unsubscribed', source: 'test' } }),
    );
  }
}, 60_000);

afterEach(() => {
  throttledAnswers = 0;
  batchGets = 0;
});

afterAll(async () => {
  await dynamo?.close();
});

describe('batchGetAll', () => {
  it('asks again for keys DynamoDB left unprocessed, so a suppression is never missed', async () => {
    // Prepare: the first two answers each hold back their last key.
    throttledAnswers = 2;

    // Act
    const found = await findSuppressionsByKeys(['LEAD#lead_other', 'EMAIL#a@one.example', 'DOMAIN#two.example']);

    // Assess
    expect(found.map((entry) => entry.key).sort()).toEqual(['DOMAIN#two.example', 'EMAIL#a@one.example']);
    expect(batchGets).toBe(3);
  });

  it('fails as StoreUnavailableError when keys stay unread, rather than answering "not there"', async () => {
    // Prepare
    throttledAnswers = 100;

    // Act / Assess
    await expect(batchGetAll(tableName('suppressions'), [{ pk: 'LEAD#lead_three' }])).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });

  it('splits more than 100 keys into requests of 100', async () => {
    // Prepare
    const keys = Array.from({ length: 250 }, (_, index) => ({ pk: `LEAD#lead_${index}` }));

    // Act
    const found = await batchGetAll(tableName('suppressions'), [...keys, { pk: 'LEAD#lead_three' }]);

    // Assess
    expect(found.map((item) => item.pk)).toEqual(['LEAD#lead_three']);
    expect(batchGets).toBe(3);
  });
});
