import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { LocalLambdaService } from '../lambda-runtime';
import { LOCAL_NAMES, type TemplateResolver } from '../template';
import { s3EventFor } from './events';
import { notificationsFor, templateBucketNotifications, templateBuckets } from './notifications';
import { type S3Peer, startS3Peer } from './peer';

/**
 * S3 with the template's buckets; an object created invokes the functions its bucket notifications name.
 * `receiveMail` drops a mail where the receipt rule's S3 action would and resolves with what the
 * inbound-mail function answered.
 */
export async function startMailDrop(resolver: TemplateResolver, lambda: LocalLambdaService, dataDir?: string) {
  const notifications = templateBucketNotifications(resolver);
  const answers = new Map<string, (answer: unknown) => void>();
  const s3: S3Peer = await startS3Peer({
    buckets: templateBuckets(resolver),
    dataDir: dataDir && path.join(dataDir, 's3'),
    onObjectCreated: async (bucket, key, size, eTag) => {
      const invoked = notificationsFor(notifications, bucket, key, 'ObjectCreated:Put').map((notification) =>
        lambda.invoke(
          notification.functionArn,
          s3EventFor(bucket, key, size, eTag, LOCAL_NAMES, { configurationId: notification.id }),
        ),
      );
      const settled = await Promise.allSettled(invoked);
      answers.get(`${bucket}/${key}`)?.(settled[0]?.status === 'fulfilled' ? settled[0].value : settled[0]?.reason);
    },
  });
  const inbound = notifications.find(
    (notification) => lambda.function(notification.functionArn).constructId === 'InboundEmailFunction',
  );
  const receiveMail = async (raw: Buffer): Promise<unknown> => {
    if (!inbound) throw new Error('the template has no bucket notification for the inbound-mail function');
    const key = `${inbound.prefix ?? ''}${randomBytes(12).toString('hex')}`;
    const answer = new Promise<unknown>((resolve) => answers.set(`${inbound.bucket}/${key}`, resolve));
    await s3.put(inbound.bucket, key, raw, { contentType: 'message/rfc822' });
    try {
      const result = await answer;
      if (result instanceof Error) throw result;
      return result;
    } finally {
      answers.delete(`${inbound.bucket}/${key}`);
    }
  };
  return { s3, receiveMail };
}
