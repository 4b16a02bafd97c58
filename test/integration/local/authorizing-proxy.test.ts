import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as sesLocal from 'aws-ses-v2-local';
import libmime from 'libmime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthorizingProxy, startAuthorizingProxy } from '#local/authorizing-proxy';
import { describeRequest } from '#local/aws-requests';
import { type LocalDynamo, startDynalite } from '#local/dynamodb';
import { IamAuthorizer } from '#local/iam';
import { type S3Peer, startS3Peer } from '#local/s3';

const names = { accountId: '000000000000', region: 'us-east-1' };
const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:000000000000:${resource}`;

/**
 * The writer may put items in TableA only; the sender may send from example.com through one configuration set; the
 * mail reader may read objects under inbound/ of one bucket (as the InboundEmailFunction's role), the lister may list
 * that bucket under inbound/ only.
 */
const authorizer = new IamAuthorizer({
  ...names,
  roles: {
    WriterRole: {
      roleName: 'WriterRole',
      policies: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: [arn('dynamodb', 'table/TableA')] }],
        },
      ],
    },
    SenderRole: {
      roleName: 'SenderRole',
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'ses:SendEmail',
              Resource: [arn('ses', 'identity/example.com'), arn('ses', 'configuration-set/cascade')],
            },
          ],
        },
      ],
    },
    MailReaderRole: {
      roleName: 'MailReaderRole',
      policies: [
        {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::inboundmail/inbound/*' }],
        },
      ],
    },
    ListerRole: {
      roleName: 'ListerRole',
      policies: [
        {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 's3:ListBucket',
              Resource: 'arn:aws:s3:::inboundmail',
              Condition: { StringLike: { 's3:prefix': 'inbound/*' } },
            },
          ],
        },
      ],
    },
  },
  adminAccessKeys: ['admin'],
});

let dynamo: LocalDynamo;
let dynamoProxy: AuthorizingProxy;
let sesServer: Server;
let sesProxy: AuthorizingProxy;
let s3Peer: S3Peer;
let s3Proxy: AuthorizingProxy;
const clients: { destroy(): void }[] = [];

function documents(accessKeyId: string): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    endpoint: dynamoProxy.endpoint,
    region: names.region,
    credentials: { accessKeyId, secretAccessKey: 'local' },
  });
  clients.push(base);
  return DynamoDBDocumentClient.from(base);
}

function mail(accessKeyId: string): SESv2Client {
  const created = new SESv2Client({
    endpoint: sesProxy.endpoint,
    region: names.region,
    credentials: { accessKeyId, secretAccessKey: 'local' },
  });
  clients.push(created);
  return created;
}

function storage(accessKeyId: string): S3Client {
  const created = new S3Client({
    endpoint: s3Proxy.endpoint,
    region: names.region,
    credentials: { accessKeyId, secretAccessKey: 'local' },
  });
  clients.push(created);
  return created;
}

/** aws-ses-v2-local is CommonJS with an `exports.default` (as the embedded stack starts it). */
const startSesServer = ((sesLocal.default as unknown as { default?: typeof sesLocal.default }).default ??
  sesLocal.default) as typeof sesLocal.default;

beforeAll(async () => {
  dynamo = await startDynalite();
  dynamoProxy = await startAuthorizingProxy({ target: dynamo.endpoint, service: 'dynamodb', authorizer, names });
  const admin = new DynamoDBClient({
    endpoint: dynamoProxy.endpoint,
    region: names.region,
    credentials: { accessKeyId: 'admin', secretAccessKey: 'local' },
  });
  clients.push(admin);
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
  for (const client of clients) client.destroy();
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
      message:
        'User: arn:aws:sts::000000000000:assumed-role/WriterRole/local is not authorized to perform: ' +
        'dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/TableB ' +
        'because no identity-based policy allows the dynamodb:PutItem action',
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
    const read = await reader.send(new GetObjectCommand({ Bucket: 'inboundmail', Key: 'inbound/reply 1.eml' }));
    const body = await read.Body?.transformToString();
    const head = await reader.send(new HeadObjectCommand({ Bucket: 'inboundmail', Key: 'inbound/reply 1.eml' }));
    const other = await reader
      .send(new GetObjectCommand({ Bucket: 'inboundmail', Key: 'archive/old.eml' }))
      .catch((error: Error) => error);
    const write = await reader
      .send(new PutObjectCommand({ Bucket: 'inboundmail', Key: 'inbound/forged.eml', Body: 'x' }))
      .catch((error: Error) => error);
    const list = await reader
      .send(new ListObjectsV2Command({ Bucket: 'inboundmail', Prefix: 'inbound/' }))
      .catch((error: Error) => error);
    const forged = await storage('admin')
      .send(new HeadObjectCommand({ Bucket: 'inboundmail', Key: 'inbound/forged.eml' }))
      .catch((error: Error) => error);

    // Assess
    expect(body).toBe('Subject: Re: Hello\r\n\r\nYes.');
    expect(head.ContentLength).toBe(Buffer.byteLength(body ?? ''));
    expect(other).toMatchObject({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message:
        'User: arn:aws:sts::000000000000:assumed-role/MailReaderRole/local is not authorized to perform: ' +
        's3:GetObject on resource: "arn:aws:s3:::inboundmail/archive/old.eml" ' +
        'because no identity-based policy allows the s3:GetObject action',
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
      .send(new GetObjectCommand({ Bucket: 'inboundmail', Key: 'inbound/missing.eml' }))
      .catch((error: Error) => error);
    const headAsReader = await storage('MailReaderRole')
      .send(new HeadObjectCommand({ Bucket: 'inboundmail', Key: 'inbound/missing.eml' }))
      .catch((error: Error) => error);
    const asAdmin = await storage('admin')
      .send(new GetObjectCommand({ Bucket: 'inboundmail', Key: 'inbound/missing.eml' }))
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
    const inbound = await lister.send(new ListObjectsV2Command({ Bucket: 'inboundmail', Prefix: 'inbound/' }));
    const archive = await lister
      .send(new ListObjectsV2Command({ Bucket: 'inboundmail', Prefix: 'archive/' }))
      .catch((error: Error) => error);
    const everything = await lister
      .send(new ListObjectsV2Command({ Bucket: 'inboundmail' }))
      .catch((error: Error) => error);

    // Assess
    expect(inbound.Contents?.map((each) => each.Key)).toContain('inbound/reply 1.eml');
    expect(archive).toMatchObject({ name: 'AccessDenied' });
    expect(everything).toMatchObject({ name: 'AccessDenied' });
  });
});

describe('describeRequest (what each API call is authorized as)', () => {
  const wire = (target: string, body: unknown) => ({
    method: 'POST',
    path: '/',
    headers: { 'x-amz-target': target },
    body: Buffer.from(JSON.stringify(body)),
  });

  it('names every table of a batch or transaction, and an index by its own ARN', () => {
    // Act
    const batch = describeRequest(
      'dynamodb',
      wire('DynamoDB_20120810.BatchWriteItem', { RequestItems: { TableA: [], TableB: [] } }),
      names,
    );
    const transaction = describeRequest(
      'dynamodb',
      wire('DynamoDB_20120810.TransactWriteItems', {
        TransactItems: [{ Put: { TableName: 'TableA' } }, { ConditionCheck: { TableName: 'TableB' } }],
      }),
      names,
    );
    const query = describeRequest(
      'dynamodb',
      wire('DynamoDB_20120810.Query', { TableName: 'TableA', IndexName: 'byX' }),
      names,
    );
    const list = describeRequest('dynamodb', wire('DynamoDB_20120810.ListTables', {}), names);

    // Assess
    expect(batch).toEqual([
      { action: 'dynamodb:BatchWriteItem', resources: [arn('dynamodb', 'table/TableA')] },
      { action: 'dynamodb:BatchWriteItem', resources: [arn('dynamodb', 'table/TableB')] },
    ]);
    expect(transaction).toEqual([
      { action: 'dynamodb:PutItem', resources: [arn('dynamodb', 'table/TableA')] },
      { action: 'dynamodb:ConditionCheckItem', resources: [arn('dynamodb', 'table/TableB')] },
    ]);
    expect(query).toEqual([{ action: 'dynamodb:Query', resources: [arn('dynamodb', 'table/TableA/index/byX')] }]);
    expect(list).toEqual([{ action: 'dynamodb:ListTables', resources: ['*'] }]);
  });

  it('reads Step Functions, SSM and EventBridge resources from their bodies', () => {
    // Prepare
    const machine = arn('states', 'stateMachine:Outreach');

    // Act
    const start = describeRequest(
      'states',
      wire('AWSStepFunctions.StartExecution', { stateMachineArn: machine }),
      names,
    );
    const parameters = describeRequest(
      'ssm',
      wire('AmazonSSM.GetParameters', { Names: ['/cascade/a', 'b'], WithDecryption: true }),
      names,
    );
    const events = describeRequest(
      'events',
      wire('AWSEvents.PutEvents', { Entries: [{ Source: 'x' }, { EventBusName: 'custom' }] }),
      names,
    );

    // Assess
    expect(start).toEqual([{ action: 'states:StartExecution', resources: [machine] }]);
    expect(parameters).toEqual([
      { action: 'ssm:GetParameters', resources: [arn('ssm', 'parameter/cascade/a')] },
      { action: 'ssm:GetParameters', resources: [arn('ssm', 'parameter/b')] },
    ]);
    expect(events).toEqual([
      { action: 'events:PutEvents', resources: [arn('events', 'event-bus/default')] },
      { action: 'events:PutEvents', resources: [arn('events', 'event-bus/custom')] },
    ]);
  });

  it('takes the SES sending identity from a quoted or encoded display name, as the address or its domain', () => {
    // Prepare
    const body = {
      FromEmailAddress: '"Sales, Team" <team@example.com>',
      ConfigurationSetName: 'cascade',
      Destination: { ToAddresses: ['a@b.example'] },
      Content: { Simple: {} },
    };

    // Act
    const [send] = describeRequest(
      'ses',
      { method: 'POST', path: '/v2/email/outbound-emails', headers: {}, body: Buffer.from(JSON.stringify(body)) },
      names,
    );
    const account = describeRequest(
      'ses',
      { method: 'GET', path: '/v2/email/account', headers: {}, body: Buffer.alloc(0) },
      names,
    );
    const store = describeRequest('ses', { method: 'GET', path: '/store', headers: {}, body: Buffer.alloc(0) }, names);

    // Assess
    expect(send).toEqual({
      action: 'ses:SendEmail',
      resources: [arn('ses', 'configuration-set/cascade')],
      anyOf: [[arn('ses', 'identity/team@example.com')], [arn('ses', 'identity/example.com')]],
      context: {
        'ses:ApiVersion': '2',
        'ses:FromAddress': 'team@example.com',
        'ses:FromDisplayName': 'Sales, Team',
        'ses:Recipients': ['a@b.example'],
      },
    });
    expect(account).toEqual([{ action: 'ses:GetAccount', resources: ['*'] }]);
    // The simulator's own store is not an AWS API.
    expect(store).toEqual([]);
  });

  it('reads the S3 operation, bucket and key off the REST request, path style or virtual-hosted', () => {
    // Prepare
    const s3 = (method: string, path: string, headers: Record<string, string> = {}, body = '') =>
      describeRequest(
        's3',
        { method, path, headers: { host: '127.0.0.1:9000', ...headers }, body: Buffer.from(body) },
        names,
      );

    // Act
    const get = s3('GET', '/inboundmail/inbound/a%20b%2Bc.eml?x-id=GetObject');
    const head = s3('HEAD', '/inboundmail/inbound/a.eml');
    const put = s3('PUT', '/inboundmail/inbound/a.eml?x-id=PutObject', { 'x-amz-tagging': 'k=v' });
    const remove = s3('DELETE', '/inboundmail/inbound/a.eml?x-id=DeleteObject');
    const version = s3('GET', '/inboundmail/inbound/a.eml?versionId=3');
    const list = s3('GET', '/inboundmail?list-type=2&prefix=inbound%2F&delimiter=%2F');
    const copy = s3('PUT', '/inboundmail/archive/a.eml', { 'x-amz-copy-source': 'inboundmail/inbound/a%20b.eml' });
    const virtual = s3('GET', '/inbound/a.eml', { host: 'inboundmail.localhost:9000' });
    const buckets = s3('GET', '/');
    const deleteMany = s3(
      'POST',
      '/inboundmail?delete',
      {},
      '<Delete><Object><Key>inbound/a.eml</Key></Object><Object><Key>x&amp;y</Key></Object></Delete>',
    );

    // Assess
    expect(get).toEqual([{ action: 's3:GetObject', resources: ['arn:aws:s3:::inboundmail/inbound/a b+c.eml'] }]);
    expect(head).toEqual([{ action: 's3:GetObject', resources: ['arn:aws:s3:::inboundmail/inbound/a.eml'] }]);
    expect(put).toEqual([
      { action: 's3:PutObject', resources: ['arn:aws:s3:::inboundmail/inbound/a.eml'] },
      { action: 's3:PutObjectTagging', resources: ['arn:aws:s3:::inboundmail/inbound/a.eml'] },
    ]);
    expect(remove).toEqual([{ action: 's3:DeleteObject', resources: ['arn:aws:s3:::inboundmail/inbound/a.eml'] }]);
    expect(version).toEqual([{ action: 's3:GetObjectVersion', resources: ['arn:aws:s3:::inboundmail/inbound/a.eml'] }]);
    expect(list).toEqual([
      {
        action: 's3:ListBucket',
        resources: ['arn:aws:s3:::inboundmail'],
        context: { 's3:prefix': 'inbound/', 's3:delimiter': '/' },
      },
    ]);
    expect(copy).toEqual([
      { action: 's3:PutObject', resources: ['arn:aws:s3:::inboundmail/archive/a.eml'] },
      { action: 's3:GetObject', resources: ['arn:aws:s3:::inboundmail/inbound/a b.eml'] },
    ]);
    expect(virtual).toEqual([{ action: 's3:GetObject', resources: ['arn:aws:s3:::inboundmail/inbound/a.eml'] }]);
    expect(buckets).toEqual([{ action: 's3:ListAllMyBuckets', resources: ['*'] }]);
    expect(deleteMany).toEqual([
      { action: 's3:DeleteObject', resources: ['arn:aws:s3:::inboundmail/inbound/a.eml'] },
      { action: 's3:DeleteObject', resources: ['arn:aws:s3:::inboundmail/x&y'] },
    ]);
  });
});
