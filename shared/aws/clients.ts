import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
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

let dynamo: DynamoDBDocumentClient | undefined;
let sfn: SFNClient | undefined;
let ses: SESv2Client | undefined;
let s3: S3Client | undefined;
let ssm: SSMClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  dynamo ??= DynamoDBDocumentClient.from(traced(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return dynamo;
}

export function sfnClient(): SFNClient {
  sfn ??= traced(new SFNClient({}));
  return sfn;
}

export function sesClient(): SESv2Client {
  ses ??= traced(new SESv2Client({}));
  return ses;
}

export function s3Client(): S3Client {
  s3 ??= traced(new S3Client({}));
  return s3;
}

export function ssmClient(): SSMClient {
  ssm ??= traced(new SSMClient({}));
  return ssm;
}
