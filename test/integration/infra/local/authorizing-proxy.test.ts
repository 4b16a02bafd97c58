import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as sesLocal from 'aws-ses-v2-local';
import libmime from 'libmime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthorizingProxy, startAuthorizingProxy } from '../../../../infra/local/authorizing-proxy';
import { describeRequest } from '../../../../infra/local/aws-requests';
import { type LocalDynamo, startDynalite } from '../../../../infra/local/dynamodb';
import { IamAuthorizer } from '../../../../infra/local/iam';

const names = { accountId: '000000000000', region: 'us-east-1' };
const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:000000000000:${resource}`;

/** The writer may put items in TableA only; the sender may send from example.com through one configuration set. */
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
  },
  adminAccessKeys: ['admin'],
});

let dynamo: LocalDynamo;
let dynamoProxy: AuthorizingProxy;
let sesServer: Server;
let sesProxy: AuthorizingProxy;
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
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await dynamoProxy?.close();
  await sesProxy?.close();
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
});
