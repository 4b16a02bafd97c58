import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { logger } from '../../shared/observability';
import { handleInboundEmail } from '../../shared/tracking/inbound-email';

const s3 = new S3Client({});

/** SES receipt rule → S3 → this handler: each stored mail is matched to the message it answers. */
export const handler = middy(async (event: S3Event) => {
  const results = [];
  for (const record of event.Records) {
    const object = await s3.send(
      new GetObjectCommand({
        Bucket: record.s3.bucket.name,
        Key: decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')),
      }),
    );
    const raw = Buffer.from(await (object.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
    results.push(await handleInboundEmail(raw));
  }
  logger.info('inbound mail handled', { results });
  return results;
}).use(injectLambdaContext(logger, { resetKeys: true }));
