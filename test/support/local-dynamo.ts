import { randomBytes } from 'node:crypto';
import { createTables, type LocalDynamo, startDynalite, tableEnvironment } from '#local/dynamodb';

/** Starts dynalite with every Cascade table (names under `prefix`) and points the AWS SDK and the store at it. */
export async function useLocalDynamo(prefix = `test-${randomBytes(3).toString('hex')}`): Promise<LocalDynamo> {
  const dynamo = await startDynalite();
  await createTables(dynamo.endpoint, prefix);
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...tableEnvironment(prefix),
  });
  return dynamo;
}
