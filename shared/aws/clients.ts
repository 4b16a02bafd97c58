import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The one place AWS SDK clients are made: one of each per process (reused across warm invocations),
 * created on first use, each wrapped by the Tracer so every AWS call is an X-Ray subsegment. Region,
 * endpoints and credentials come from the SDK's default chain — in AWS the Lambda runtime's, locally the
 * embedded stack's (its peers' endpoints and credentials naming the function's role). Nothing else differs.
 */
export const tracer = new Tracer({ serviceName: 'cascade' });

const traced = <T>(client: T): T => tracer.captureAWSv3Client(client as never) as T;

/** A client getter that makes its client on first use and returns that one client from then on. */
function madeOnce<T>(make: () => T): () => T {
  let client: T | undefined;
  return () => {
    client ??= make();
    return client;
  };
}

export const documentClient = madeOnce(() =>
  DynamoDBDocumentClient.from(traced(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  }),
);
export const sfnClient = madeOnce(() => traced(new SFNClient({})));
export const sesClient = madeOnce(() => traced(new SESv2Client({})));
export const s3Client = madeOnce(() => traced(new S3Client({})));
export const ssmClient = madeOnce(() => traced(new SSMClient({})));
export const eventBridgeClient = madeOnce(() => traced(new EventBridgeClient({})));
export const sqsClient = madeOnce(() => traced(new SQSClient({})));
