import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3 } from '@aws-sdk/client-s3';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as sesLocal from 'aws-ses-v2-local';
import libmime from 'libmime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthorizingProxy, startAuthorizingProxy } from '#local/authorizing-proxy';
import { type LocalDynamo, startDynalite } from '#local/dynamodb';
import { IamAuthorizer } from '#local/iam';
import { type S3Peer, startS3Peer } from '#local/s3/peer';
import { implicitDenialMessage, LOCAL_ACCOUNT as names, PeerClients, roleGranting } from '#test/support/local-peers';

const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:000000000000:${resource}`;

/**
 * The writer may put items in TableA only; the sender may send from example.com through one configuration set; the
 * mail reader may read objects under inbound/ of one bucket (as the InboundEmailFunction's role), the lister may list
 * that bucket under inbound/ only.
 */
const authorizer = new IamAuthorizer({
  ...names,
  roles: {
    WriterRole: roleGranting('WriterRole', {
      Effect: 'Allow',
      Action: 'dynamodb:PutItem',
      Resource: [arn('dynamodb', 'table/TableA')],
    }),
    SenderRole: roleGranting('SenderRole', {
      Effect: 'Allow',
      Action: 'ses:SendEmail',
      Resource: [arn('ses', 'identity/example.com'), arn('ses', 'configuration-set/cascade')],
    }),
    MailReaderRole: roleGranting('MailReaderRole', {
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::inboundmail/inbound/*',
    }),
    ListerRole: roleGranting('ListerRole', {
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::inboundmail',
      Condition: { StringLike: { 's3:prefix': 'inbound/*' } },
    }),
  },
  adminAccessKeys: ['admin'],
});

let dynamo: LocalDynamo;
let dynamoProxy: AuthorizingProxy;
let sesServer: Server;
let sesProxy: AuthorizingProxy;
let s3Peer: S3Peer;
let s3Proxy: AuthorizingProxy;
const clients = new PeerClients();

const documents = (accessKeyId: string) =>
  DynamoDBDocumentClient.from(clients.make(DynamoDBClient, dynamoProxy.endpoint, accessKeyId));
const mail = (accessKeyId: string) => clients.make(SESv2Client, sesProxy.endpoint, accessKeyId);
/** The aggregated S3 client: its methods name the operations the grants are about. */
const storage = (accessKeyId: string) => clients.make(S3, s3Proxy.endpoint, accessKeyId);

/** aws-ses-v2-local is CommonJS with an `exports.default` (as the embedded stack starts it). */
const startSesServer = ((sesLocal.default as unknown as { default?: typeof sesLocal.default }).default ??
  sesLocal.default) as typeof sesLocal.default;

beforeAll(async () => {
  dynamo = await startDynalite();
  dynamoProxy = await startAuthorizingProxy({ target: dynamo.endpoint, service: 'dynamodb', authorizer, names });
  const admin = clients.make(DynamoDBClient, dynamoProxy.endpoint, 'admin');
  for (const TableName of ['TableA', 'TableB'])
    await admin.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  sesServer = await startSesServer({ host: '127.0.0.1', port: 0 });
  const sesEndpoint = `http://127.0.0.1:${(sesServer.address() as AddressInfo).port}`;
  sesProxy = await startAuthorizingProxy({ target: sesEndpoint, service: 'ses', authorizer, names });
  s3Peer = await startS3Peer({ buckets: ['inboundmail'] });
  s3Proxy = await startAuthorizingProxy({ target: s3Peer.endpoint, service: 's3', authorizer, names });
});

afterAll(async () => {
  clients.destroyAll();
  await dynamoProxy?.close();
  await sesProxy?.close();
  await s3Proxy?.close();
  await s3Peer?.close();
  await dynamo?.close();
  sesServer?.closeAllConnections();
  await new Promise<void>((resolve) => (sesServer ? sesServer.close(() => resolve()) : resolve()));
});

describe('the authorizing proxy in front of dynalite', () => {
  it("forwards a call the role's policy allows, and answers AccessDeniedException for the same call on another table", async () => {
    // Prepare
    const writer = documents('WriterRole');

    // Act
    const allowed = await writer.send(new PutCommand({ TableName: 'TableA', Item: { id: 'lead-1', name: 'Ada' } }));
    const denied = await writer
      .send(new PutCommand({ TableName: 'TableB', Item: { id: 'lead-1', name: 'Ada' } }))
      .catch((error: Error) => error);
    const read = await writer
      .send(new GetCommand({ TableName: 'TableA', Key: { id: 'lead-1' } }))
      .catch((error) => error);

    // Assess
    expect(allowed.$metadata.httpStatusCode).toBe(200);
    expect(denied).toMatchObject({
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: implicitDenialMessage('WriterRole', 'dynamodb:PutItem', arn('dynamodb', 'table/TableB')),
    });
    // PutItem does not grant GetItem.
    expect(read).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('lets the administrator do anything, and shows the denied write never reached the table', async () => {
    // Prepare
    const admin = documents('admin');
    await documents('WriterRole')
      .send(new PutCommand({ TableName: 'TableB', Item: { id: 'sneaky' } }))
      .catch(() => undefined);

    // Act
    const stored = await admin.send(new GetCommand({ TableName: 'TableA', Key: { id: 'lead-1' } }));
    const sneaky = await admin.send(new GetCommand({ TableName: 'TableB', Key: { id: 'sneaky' } }));
    await admin.send(new PutCommand({ TableName: 'TableB', Item: { id: 'by-admin' } }));
    const own = await admin.send(new GetCommand({ TableName: 'TableB', Key: { id: 'by-admin' } }));

    // Assess
    expect(stored.Item).toEqual({ id: 'lead-1', name: 'Ada' });
    expect(sneaky.Item).toBeUndefined();
    expect(own.Item).toEqual({ id: 'by-admin' });
  });

  it('denies a key that names no role', async () => {
    // Act
    const denied = await documents('nobody')
      .send(new PutCommand({ TableName: 'TableA', Item: { id: 'x' } }))
      .catch((error: Error) => error);

    // Assess
    expect(denied).toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('the authorizing proxy in front of aws-ses-v2-local (SES v2 REST)', () => {
  it('allows a send from the granted domain, display name RFC 2047-encoded; answers 403 AccessDeniedException otherwise', async () => {
    // Prepare
    const sender = mail('SenderRole');
    const send = (from: string, configurationSet = 'cascade') =>
      sender.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: ['lead@customer.example'] },
          ConfigurationSetName: configurationSet,
          Content: { Simple: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Hi' } } } },
        }),
      );

    // Act
    const allowed = await send(`${libmime.encodeWord('Zoë Sales', 'B')} <zoe@example.com>`);
    const otherDomain = await send('Mallory <m@elsewhere.example>').catch((error: Error) => error);
    const otherSet = await send('zoe@example.com', 'unmonitored').catch((error: Error) => error);

    // Assess
    expect(allowed.MessageId).toBeTruthy();
    expect(otherDomain).toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
      message:
        "User `arn:aws:sts::000000000000:assumed-role/SenderRole/local' is not authorized to perform " +
        "`ses:SendEmail' on resource `arn:aws:ses:us-east-1:000000000000:identity/m@elsewhere.example'",
    });
    expect(otherSet).toMatchObject({ name: 'AccessDeniedException' });
    expect((otherSet as Error).message).toContain('configuration-set/unmonitored');
  });
});

describe('the authorizing proxy in front of the S3 peer', () => {
  it('lets a role allowed s3:GetObject on inbound/* read inbound mail, and answers AccessDenied for another key', async () => {
    // Prepare
    await s3Peer.put('inboundmail', 'inbound/reply 1.eml', Buffer.from('Subject: Re: Hello\r\n\r\nYes.'));
    await s3Peer.put('inboundmail', 'archive/old.eml', Buffer.from('old'));
    const reader = storage('MailReaderRole');

    // Act
    const read = await reader.getObject({ Bucket: 'inboundmail', Key: 'inbound/reply 1.eml' });
    const body = await read.Body?.transformToString();
    const head = await reader.headObject({ Bucket: 'inboundmail', Key: 'inbound/reply 1.eml' });
    const other = await reader
      .getObject({ Bucket: 'inboundmail', Key: 'archive/old.eml' })
      .catch((error: Error) => error);
    const write = await reader
      .putObject({ Bucket: 'inboundmail', Key: 'inbound/forged.eml', Body: 'x' })
      .catch((error: Error) => error);
    const list = await reader
      .listObjectsV2({ Bucket: 'inboundmail', Prefix: 'inbound/' })
      .catch((error: Error) => error);
    const forged = await storage('admin')
      .headObject({ Bucket: 'inboundmail', Key: 'inbound/forged.eml' })
      .catch((error: Error) => error);

    // Assess
    expect(body).toBe('Subject: Re: Hello\r\n\r\nYes.');
    expect(head.ContentLength).toBe(Buffer.byteLength(body ?? ''));
    expect(other).toMatchObject({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      // S3 quotes the resource.
      message: implicitDenialMessage('MailReaderRole', 's3:GetObject', '"arn:aws:s3:::inboundmail/archive/old.eml"'),
    });
    expect(write).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect((write as Error).message).toContain(
      's3:PutObject on resource: "arn:aws:s3:::inboundmail/inbound/forged.eml"',
    );
    expect(list).toMatchObject({ name: 'AccessDenied' });
    // The denied write never reached the bucket.
    expect(forged).toMatchObject({ name: 'NotFound' });
  });

  it('answers a missing key with AccessDenied to a caller that may not list the bucket, NoSuchKey to one that may', async () => {
    // Act
    const asReader = await storage('MailReaderRole')
      .getObject({ Bucket: 'inboundmail', Key: 'inbound/missing.eml' })
      .catch((error: Error) => error);
    const headAsReader = await storage('MailReaderRole')
      .headObject({ Bucket: 'inboundmail', Key: 'inbound/missing.eml' })
      .catch((error: Error) => error);
    const asAdmin = await storage('admin')
      .getObject({ Bucket: 'inboundmail', Key: 'inbound/missing.eml' })
      .catch((error: Error) => error);

    // Assess
    expect(asReader).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect((asReader as Error).message).toContain('s3:ListBucket on resource: "arn:aws:s3:::inboundmail"');
    // A HEAD answer has no body: S3's 403 reaches the SDK as a bare status.
    expect(headAsReader).toMatchObject({ $metadata: { httpStatusCode: 403 } });
    expect(asAdmin).toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  });

  it("evaluates s3:prefix conditions on ListBucket from the request's prefix", async () => {
    // Prepare
    const lister = storage('ListerRole');

    // Act
    const inbound = await lister.listObjectsV2({ Bucket: 'inboundmail', Prefix: 'inbound/' });
    const archive = await lister
      .listObjectsV2({ Bucket: 'inboundmail', Prefix: 'archive/' })
      .catch((error: Error) => error);
    const everything = await lister.listObjectsV2({ Bucket: 'inboundmail' }).catch((error: Error) => error);

    // Assess
    expect(inbound.Contents?.map((each) => each.Key)).toContain('inbound/reply 1.eml');
    expect(archive).toMatchObject({ name: 'AccessDenied' });
    expect(everything).toMatchObject({ name: 'AccessDenied' });
  });
});
