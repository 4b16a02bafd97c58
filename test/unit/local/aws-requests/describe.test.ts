import { describe, expect, it } from 'vitest';
import { describeRequest } from '#local/aws-requests/describe';
import type { AwsService } from '#local/aws-requests/wire';
import { LOCAL_ACCOUNT as names } from '#test/support/local-peers';

const arn = (service: string, resource: string) => `arn:aws:${service}:us-east-1:000000000000:${resource}`;

describe('describeRequest (what each API call is authorized as)', () => {
  /** A JSON-protocol call: the operation in `X-Amz-Target`, the body as JSON. */
  const describeJson = (service: AwsService, target: string, body: unknown) =>
    describeRequest(
      service,
      { method: 'POST', path: '/', headers: { 'x-amz-target': target }, body: Buffer.from(JSON.stringify(body)) },
      names,
    );

  /** What a request touching several resources is authorized as: the action once per resource. */
  const onePerResource = (action: string, ...resources: string[]) =>
    resources.map((resource) => ({ action, resources: [resource] }));

  it('names every table of a batch or transaction, and an index by its own ARN', () => {
    // Act
    const batch = describeJson('dynamodb', 'DynamoDB_20120810.BatchWriteItem', {
      RequestItems: { TableA: [], TableB: [] },
    });
    const transaction = describeJson('dynamodb', 'DynamoDB_20120810.TransactWriteItems', {
      TransactItems: [{ Put: { TableName: 'TableA' } }, { ConditionCheck: { TableName: 'TableB' } }],
    });
    const query = describeJson('dynamodb', 'DynamoDB_20120810.Query', { TableName: 'TableA', IndexName: 'byX' });
    const list = describeJson('dynamodb', 'DynamoDB_20120810.ListTables', {});

    // Assess
    const [tableA, tableB] = [arn('dynamodb', 'table/TableA'), arn('dynamodb', 'table/TableB')];
    expect(batch).toEqual(onePerResource('dynamodb:BatchWriteItem', tableA, tableB));
    // A transaction is authorized as the item actions it is made of.
    expect(transaction).toEqual([
      ...onePerResource('dynamodb:PutItem', tableA),
      ...onePerResource('dynamodb:ConditionCheckItem', tableB),
    ]);
    expect(query).toEqual([{ action: 'dynamodb:Query', resources: [arn('dynamodb', 'table/TableA/index/byX')] }]);
    expect(list).toEqual([{ action: 'dynamodb:ListTables', resources: ['*'] }]);
  });

  it('reads Step Functions, SSM and EventBridge resources from their bodies', () => {
    // Prepare
    const machine = arn('states', 'stateMachine:Outreach');

    // Act
    const start = describeJson('states', 'AWSStepFunctions.StartExecution', { stateMachineArn: machine });
    const parameters = describeJson('ssm', 'AmazonSSM.GetParameters', {
      Names: ['/cascade/a', 'b'],
      WithDecryption: true,
    });
    const events = describeJson('events', 'AWSEvents.PutEvents', {
      Entries: [{ Source: 'x' }, { EventBusName: 'custom' }],
    });

    // Assess
    expect(start).toEqual([{ action: 'states:StartExecution', resources: [machine] }]);
    expect(parameters).toEqual(
      onePerResource('ssm:GetParameters', arn('ssm', 'parameter/cascade/a'), arn('ssm', 'parameter/b')),
    );
    expect(events).toEqual(
      onePerResource('events:PutEvents', arn('events', 'event-bus/default'), arn('events', 'event-bus/custom')),
    );
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
    const object = (key: string) => `arn:aws:s3:::inboundmail/${key}`;
    expect(get).toEqual(onePerResource('s3:GetObject', object('inbound/a b+c.eml')));
    expect(head).toEqual(onePerResource('s3:GetObject', object('inbound/a.eml')));
    // Setting tags with the write needs its own action.
    expect(put).toEqual([
      ...onePerResource('s3:PutObject', object('inbound/a.eml')),
      ...onePerResource('s3:PutObjectTagging', object('inbound/a.eml')),
    ]);
    expect(remove).toEqual(onePerResource('s3:DeleteObject', object('inbound/a.eml')));
    expect(version).toEqual(onePerResource('s3:GetObjectVersion', object('inbound/a.eml')));
    expect(list).toEqual([
      {
        action: 's3:ListBucket',
        resources: ['arn:aws:s3:::inboundmail'],
        context: { 's3:prefix': 'inbound/', 's3:delimiter': '/' },
      },
    ]);
    // A copy reads its source.
    expect(copy).toEqual([
      ...onePerResource('s3:PutObject', object('archive/a.eml')),
      ...onePerResource('s3:GetObject', object('inbound/a b.eml')),
    ]);
    expect(virtual).toEqual(onePerResource('s3:GetObject', object('inbound/a.eml')));
    expect(buckets).toEqual([{ action: 's3:ListAllMyBuckets', resources: ['*'] }]);
    expect(deleteMany).toEqual(onePerResource('s3:DeleteObject', object('inbound/a.eml'), object('x&y')));
  });
});
