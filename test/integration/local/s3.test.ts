import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { s3EventFor } from '#local/s3/events';
import {
  type BucketNotification,
  notificationsFor,
  templateBucketNotifications,
  templateBuckets,
} from '#local/s3/notifications';
import { type S3Peer, startS3Peer } from '#local/s3/peer';
import { LOCAL_DEPLOY_CONTEXT, synthesizeTemplate } from '#local/synth';
import { localFunctionArn, TemplateResolver } from '#local/template';
import { LOCAL_ACCOUNT as names, PeerClients } from '#test/support/local-peers';

const md5 = (text: string | Buffer) => createHash('md5').update(text).digest('hex');

const opened: { close(): Promise<void> }[] = [];
const clients = new PeerClients();
const directories: string[] = [];

async function peer(options: Parameters<typeof startS3Peer>[0]): Promise<S3Peer> {
  const started = await startS3Peer(options);
  opened.push(started);
  return started;
}

/** A client of the peer at `endpoint`; without one, the SDK's own endpoint resolution (`AWS_ENDPOINT_URL_S3`). */
const client = (endpoint?: string) => clients.make(S3Client, endpoint);

/** The first two pages of a listing, one key or common prefix a page. */
async function firstTwoPages(s3: S3Client, input: ListObjectsV2CommandInput) {
  const first = await s3.send(new ListObjectsV2Command({ ...input, MaxKeys: 1 }));
  const second = await s3.send(
    new ListObjectsV2Command({ ...input, MaxKeys: 1, ContinuationToken: first.NextContinuationToken }),
  );
  return [first, second];
}

afterEach(async () => {
  clients.destroyAll();
  await Promise.all(opened.splice(0).map((each) => each.close()));
});

afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

describe('the S3 peer with the SDK S3Client', () => {
  it('puts, gets, heads, lists and deletes objects, then answers NoSuchKey as S3 does', async () => {
    // Prepare
    const s3 = client((await peer({ buckets: ['mail'] })).endpoint);
    const key = 'inbound/Re: Zoë (1).eml';
    const mail = 'From: lead@customer.example\r\nSubject: Re: Hello\r\n\r\nSounds good.\r\n';

    // Act
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'mail',
        Key: key,
        Body: mail,
        ContentType: 'message/rfc822',
        Metadata: { source: 'ses' },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'mail', Key: 'inbound/b.eml', Body: 'b' }));
    await s3.send(new PutObjectCommand({ Bucket: 'mail', Key: 'archive/c.eml', Body: 'c' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'mail', Key: key }));
    const body = await got.Body?.transformToString();
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'mail', Key: key }));
    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'mail', Delimiter: '/' }));
    const [topFirst, topSecond] = await firstTwoPages(s3, { Bucket: 'mail', Delimiter: '/' });
    const [firstPage, secondPage] = await firstTwoPages(s3, { Bucket: 'mail', Prefix: 'inbound/' });
    await s3.send(new DeleteObjectCommand({ Bucket: 'mail', Key: key }));
    const missing = await s3.send(new GetObjectCommand({ Bucket: 'mail', Key: key })).catch((error: Error) => error);
    const headMissing = await s3
      .send(new HeadObjectCommand({ Bucket: 'mail', Key: key }))
      .catch((error: Error) => error);
    const noBucket = await s3
      .send(new GetObjectCommand({ Bucket: 'elsewhere', Key: key }))
      .catch((error: Error) => error);
    const afterDelete = await s3.send(new ListObjectsV2Command({ Bucket: 'mail', Prefix: 'inbound/' }));

    // Assess
    expect(put.ETag).toBe(`"${md5(mail)}"`);
    expect(body).toBe(mail);
    expect(got).toMatchObject({
      ContentType: 'message/rfc822',
      ContentLength: Buffer.byteLength(mail),
      ETag: `"${md5(mail)}"`,
      Metadata: { source: 'ses' },
      ServerSideEncryption: 'AES256',
    });
    expect(head).toMatchObject({ ContentLength: Buffer.byteLength(mail), ETag: `"${md5(mail)}"` });
    expect(top.CommonPrefixes?.map((each) => each.Prefix)).toEqual(['archive/', 'inbound/']);
    expect(top.Contents).toBeUndefined();
    // A common prefix counts once toward max-keys; the next page resumes after every key under it.
    expect(topFirst).toMatchObject({ IsTruncated: true, CommonPrefixes: [{ Prefix: 'archive/' }] });
    expect(topSecond).toMatchObject({ IsTruncated: false, KeyCount: 1, CommonPrefixes: [{ Prefix: 'inbound/' }] });
    expect(firstPage).toMatchObject({
      IsTruncated: true,
      KeyCount: 1,
      Contents: [{ Key: key, Size: Buffer.byteLength(mail) }],
    });
    expect(secondPage).toMatchObject({ IsTruncated: false, Contents: [{ Key: 'inbound/b.eml', Size: 1 }] });
    expect(missing).toMatchObject({
      name: 'NoSuchKey',
      message: 'The specified key does not exist.',
      $metadata: { httpStatusCode: 404 },
    });
    // A HEAD answer has no body: the SDK names a 404 NotFound, as with S3.
    expect(headMissing).toMatchObject({ name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    expect(noBucket).toMatchObject({ name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
    expect(afterDelete.Contents?.map((each) => each.Key)).toEqual(['inbound/b.eml']);
  });

  it('is reached path style by a default client given only AWS_ENDPOINT_URL_S3, streaming uploads included', async () => {
    // Prepare
    const local = await peer({ buckets: ['inboundmailda244c94'] });
    const previous = process.env.AWS_ENDPOINT_URL_S3;
    process.env.AWS_ENDPOINT_URL_S3 = local.endpoint;
    const s3 = client();

    // Act
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: 'inboundmailda244c94',
          Key: 'inbound/streamed.eml',
          Body: Readable.from([Buffer.from('Subject: part one, '), Buffer.from('part two')]),
          ContentLength: 27,
        }),
      );
      const got = await s3.send(new GetObjectCommand({ Bucket: 'inboundmailda244c94', Key: 'inbound/streamed.eml' }));
      const body = await got.Body?.transformToString();

      // Assess
      expect(body).toBe('Subject: part one, part two');
      expect(got.ETag).toBe(`"${md5('Subject: part one, part two')}"`);
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_S3;
      else process.env.AWS_ENDPOINT_URL_S3 = previous;
    }
  });

  it('keeps objects in one file each under dataDir, across a restart', async () => {
    // Prepare
    const dataDir = mkdtempSync(path.join(tmpdir(), 'cascade-s3-'));
    directories.push(dataDir);
    const first = await peer({ buckets: ['mail'], dataDir });
    await first.put('mail', 'inbound/kept.eml', Buffer.from('kept'), { contentType: 'message/rfc822' });
    await first.put('mail', 'inbound/dropped.eml', Buffer.from('dropped'));
    await client(first.endpoint).send(new DeleteObjectCommand({ Bucket: 'mail', Key: 'inbound/dropped.eml' }));
    await first.close();

    // Act
    const second = await peer({ buckets: ['mail'], dataDir });
    const s3 = client(second.endpoint);
    const kept = await s3.send(new GetObjectCommand({ Bucket: 'mail', Key: 'inbound/kept.eml' }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'mail' }));

    // Assess
    expect(await kept.Body?.transformToString()).toBe('kept');
    expect(kept.ContentType).toBe('message/rfc822');
    expect(listed.Contents?.map((each) => each.Key)).toEqual(['inbound/kept.eml']);
    expect(readdirSync(path.join(dataDir, 'mail'))).toHaveLength(1);
  });
});

describe('bucket notifications from the synthesized template', () => {
  let notifications: BucketNotification[];
  let buckets: string[];
  let inboundFunctionArn: string;

  beforeAll(() => {
    const template = synthesizeTemplate({ ...LOCAL_DEPLOY_CONTEXT });
    const resolver = new TemplateResolver(template, { apiUrl: 'http://127.0.0.1' });
    notifications = templateBucketNotifications(resolver);
    buckets = templateBuckets(resolver);
    const inboundFunction = resolver
      .ofType('AWS::Lambda::Function')
      .find(([logicalId]) => logicalId.startsWith('InboundEmailFunction'));
    inboundFunctionArn = localFunctionArn(inboundFunction?.[0] ?? 'missing');
  });

  it("reads the inbound bucket's notification: ObjectCreated under inbound/ to the InboundEmailFunction", () => {
    // Assess
    expect(notifications).toEqual([
      {
        id: expect.stringMatching(/^InboundMailNotifications/),
        bucket: expect.stringMatching(/^inboundmail[0-9a-f]{8}$/),
        events: ['s3:ObjectCreated:*'],
        prefix: 'inbound/',
        functionArn: inboundFunctionArn,
      },
    ]);
    expect(buckets).toContain(notifications[0]?.bucket);
  });

  it('fires an S3 event as S3 sends it for an inbound/ key, and none for another prefix', async () => {
    // Prepare
    const bucket = notifications[0]?.bucket as string;
    const delivered: { functionArn: string; event: S3Event }[] = [];
    const local = await peer({
      buckets,
      onObjectCreated: (createdIn, key, size, eTag) => {
        for (const notification of notificationsFor(notifications, createdIn, key, 'ObjectCreated:Put'))
          delivered.push({
            functionArn: notification.functionArn,
            event: s3EventFor(createdIn, key, size, eTag, names, { configurationId: notification.id }),
          });
      },
    });
    const s3 = client(local.endpoint);
    const mail = 'Subject: Re: Hello\r\n\r\nYes.\r\n';

    // Act
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'inbound/Re: Hello (1).eml', Body: mail }));
    await local.put(bucket, 'outbound/copy.eml', Buffer.from(mail));
    await local.put(bucket, 'inbound', Buffer.from(mail));
    const record = delivered[0]?.event.Records[0];
    // What the InboundEmailFunction does with the record.
    const read = await s3.send(
      new GetObjectCommand({
        Bucket: record?.s3.bucket.name,
        Key: decodeURIComponent((record?.s3.object.key ?? '').replace(/\+/g, ' ')),
      }),
    );

    // Assess
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.functionArn).toBe(inboundFunctionArn);
    expect(delivered[0]?.event).toEqual({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: expect.any(String) },
          requestParameters: { sourceIPAddress: expect.any(String) },
          responseElements: { 'x-amz-request-id': expect.any(String), 'x-amz-id-2': expect.any(String) },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: notifications[0]?.id,
            bucket: { name: bucket, ownerIdentity: { principalId: expect.any(String) }, arn: `arn:aws:s3:::${bucket}` },
            object: {
              key: 'inbound/Re%3A+Hello+%281%29.eml',
              size: Buffer.byteLength(mail),
              eTag: md5(mail),
              sequencer: expect.stringMatching(/^[0-9A-F]+$/),
            },
          },
        },
      ],
    });
    expect(await read.Body?.transformToString()).toBe(mail);
  });

  it('matches event types, prefixes and suffixes as S3 filters do', () => {
    // Prepare
    const configured: BucketNotification[] = [
      { id: 'a', bucket: 'b', events: ['s3:ObjectCreated:*'], prefix: 'inbound/', functionArn: 'fa' },
      { id: 'b', bucket: 'b', events: ['s3:ObjectCreated:Copy'], suffix: '.eml', functionArn: 'fb' },
      { id: 'c', bucket: 'other', events: ['s3:ObjectCreated:*'], functionArn: 'fc' },
    ];
    const ids = (key: string, eventName: string, bucket = 'b') =>
      notificationsFor(configured, bucket, key, eventName).map((each) => each.id);

    // Act
    const put = ids('inbound/x.eml', 'ObjectCreated:Put');
    const copy = ids('inbound/x.eml', 's3:ObjectCreated:Copy');
    const removed = ids('inbound/x.eml', 'ObjectRemoved:Delete');
    const elsewhere = ids('outbound/x.txt', 'ObjectCreated:Put');
    const otherBucket = ids('inbound/x.eml', 'ObjectCreated:Put', 'other');

    // Assess
    expect(put).toEqual(['a']);
    expect(copy).toEqual(['a', 'b']);
    expect(removed).toEqual([]);
    expect(elsewhere).toEqual([]);
    expect(otherBucket).toEqual(['c']);
  });
});
