import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { s3Client } from '#shared/aws/clients';
import { handleInboundEmail } from '#shared/tracking/inbound-email';
import { lambdaEntry, logger } from '../commons/entry';

/** SES receipt rule → S3 → this handler: each stored mail is matched to the message it answers. */
export const handler = lambdaEntry({
  async handle(event: S3Event) {
    const results = [];
    for (const record of event.Records) {
      const object = await s3Client().send(
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
  },
});
