import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { StoreUnavailableError } from '../errors';
import { documentClient } from './client';

type Key = Record<string, unknown>;
type Item = Record<string, unknown>;

/** DynamoDB's BatchGetItem limit per request. */
export const BATCH_GET_LIMIT = 100;
const MAX_ROUNDS = 6;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Every item that exists among `keys` of one table. BatchGetItem may answer with `UnprocessedKeys` (throttling,
 * 16 MB), and a key left unread must never read as "not there": a suppression check would then let a send
 * through. Unprocessed keys are asked again with exponential backoff and full jitter; when they are still
 * unread after a few rounds the read fails as StoreUnavailableError, which the state machine retries.
 */
export async function batchGetAll(
  table: string,
  keys: readonly Key[],
  options: { consistent?: boolean } = {},
): Promise<Item[]> {
  const items: Item[] = [];
  for (let index = 0; index < keys.length; index += BATCH_GET_LIMIT) {
    let pending: Key[] = keys.slice(index, index + BATCH_GET_LIMIT);
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_ROUNDS)
        throw new StoreUnavailableError(`BatchGetItem left ${pending.length} keys of ${table} unread`);
      if (round > 0) await pause(Math.random() * 25 * 2 ** round);
      const result = await documentClient().send(
        new BatchGetCommand({
          RequestItems: { [table]: { Keys: pending, ...(options.consistent && { ConsistentRead: true }) } },
        }),
      );
      items.push(...(result.Responses?.[table] ?? []));
      pending = result.UnprocessedKeys?.[table]?.Keys ?? [];
    }
  }
  return items;
}
