import {
  paginateQuery,
  paginateScan,
  type QueryCommandInput,
  type QueryCommandOutput,
  type ScanCommandInput,
  type ScanCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from './client';

/**
 * The one way Cascade reads past DynamoDB's 1 MB page: the SDK's paginators on the store client, following
 * `LastEvaluatedKey` until the last page. The input is copied because the paginator writes the page key into it.
 */
export function queryPages(input: QueryCommandInput): AsyncIterable<QueryCommandOutput> {
  return paginateQuery({ client: documentClient() }, { ...input });
}

export function scanPages(input: ScanCommandInput): AsyncIterable<ScanCommandOutput> {
  return paginateScan({ client: documentClient() }, { ...input });
}

/** Every item a query matches, all pages read. */
export async function queryAll<T = Record<string, unknown>>(input: QueryCommandInput): Promise<T[]> {
  const items: T[] = [];
  for await (const page of queryPages(input)) items.push(...((page.Items ?? []) as T[]));
  return items;
}
