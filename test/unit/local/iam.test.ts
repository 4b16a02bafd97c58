import { describe, expect, it } from 'vitest';
import { accessKeyIdOf, IamAuthorizer, type PolicyDocument } from '#local/iam';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const table = (name: string) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
const identity = (name: string) => `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${name}`;

/** Shaped as CDK synthesizes `grantReadWriteData` plus `addToRolePolicy` statements (after resolution). */
const senderPolicy: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:BatchWriteItem'],
      Effect: 'Allow',
      Resource: [table('Leads'), `${table('Leads')}/index/*`],
    },
    // Granted on the table alone: its indexes are not covered.
    { Action: ['dynamodb:GetItem', 'dynamodb:Query'], Effect: 'Allow', Resource: table('Config') },
    { Action: ['ses:GetAccount', 'dynamodb:ListTables'], Effect: 'Allow', Resource: '*' },
    {
      Action: 'ses:SendEmail',
      Effect: 'Allow',
      Resource: [identity('example.com'), `arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/cascade`],
    },
  ],
};
const guardedPolicy: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Action: 'dynamodb:*', Effect: 'Allow', Resource: '*' },
    { Action: 'dynamodb:DeleteItem', Effect: 'Deny', Resource: table('Suppressions') },
  ],
};

function authorizer(): IamAuthorizer {
  return new IamAuthorizer({
    accountId: ACCOUNT,
    region: REGION,
    roles: {
      SenderRoleKey: { roleName: 'SendEmailRole', policies: [senderPolicy] },
      GuardedKey: { roleName: 'GuardedRole', policies: [guardedPolicy] },
    },
    adminAccessKeys: ['admin'],
  });
}

describe('IamAuthorizer', () => {
  it('allows an action the role is granted on that resource', async () => {
    // Act
    const decision = await authorizer().authorize('SenderRoleKey', [
      { action: 'dynamodb:PutItem', resources: [table('Leads')] },
    ]);

    // Assess
    expect(decision).toEqual({ allowed: true });
  });

  it('denies the same action on another table, worded as AWS words it', async () => {
    // Act
    const decision = await authorizer().authorize('SenderRoleKey', [
      { action: 'dynamodb:PutItem', resources: [table('Leads')] },
      { action: 'dynamodb:PutItem', resources: [table('Config')] },
    ]);

    // Assess
    expect(decision).toMatchObject({
      allowed: false,
      message:
        'User: arn:aws:sts::000000000000:assumed-role/SendEmailRole/local is not authorized to perform: ' +
        'dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/Config ' +
        'because no identity-based policy allows the dynamodb:PutItem action',
      denial: { action: 'dynamodb:PutItem', resource: table('Config'), reason: 'implicit' },
    });
  });

  it('allows a query of an index the grant covers, not of an index of a table granted without its indexes', async () => {
    // Act
    const leadsIndex = await authorizer().authorize('SenderRoleKey', [
      { action: 'dynamodb:Query', resources: [`${table('Leads')}/index/byStatus`] },
    ]);
    const configTable = await authorizer().authorize('SenderRoleKey', [
      { action: 'dynamodb:Query', resources: [table('Config')] },
    ]);
    const configIndex = await authorizer().authorize('SenderRoleKey', [
      { action: 'dynamodb:Query', resources: [`${table('Config')}/index/byName`] },
    ]);

    // Assess
    expect(leadsIndex.allowed).toBe(true);
    expect(configTable.allowed).toBe(true);
    expect(configIndex).toMatchObject({ allowed: false, denial: { resource: `${table('Config')}/index/byName` } });
  });

  it('allows an action granted on every resource, and requires that grant when the request names no resource', async () => {
    // Act
    const listTables = await authorizer().authorize('SenderRoleKey', [
      { action: 'dynamodb:ListTables', resources: ['*'] },
    ]);
    const account = await authorizer().authorize('SenderRoleKey', [{ action: 'ses:GetAccount', resources: ['*'] }]);
    const unnamedTable = await authorizer().authorize('SenderRoleKey', [
      { action: 'dynamodb:PutItem', resources: ['*'] },
    ]);
    const anyTable = await authorizer().authorize('GuardedKey', [{ action: 'dynamodb:PutItem', resources: ['*'] }]);

    // Assess
    expect(listTables.allowed).toBe(true);
    expect(account.allowed).toBe(true);
    // A grant on Leads does not cover "any table"; only `Resource: "*"` does.
    expect(unnamedTable.allowed).toBe(false);
    expect(anyTable.allowed).toBe(true);
  });

  it('lets an explicit Deny win over an Allow', async () => {
    // Act
    const other = await authorizer().authorize('GuardedKey', [
      { action: 'dynamodb:DeleteItem', resources: [table('Leads')] },
    ]);
    const denied = await authorizer().authorize('GuardedKey', [
      { action: 'dynamodb:DeleteItem', resources: [table('Suppressions')] },
    ]);

    // Assess
    expect(other.allowed).toBe(true);
    expect(denied).toMatchObject({
      allowed: false,
      message:
        'User: arn:aws:sts::000000000000:assumed-role/GuardedRole/local is not authorized to perform: ' +
        'dynamodb:DeleteItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/Suppressions ' +
        'with an explicit deny in an identity-based policy',
      denial: { reason: 'explicit' },
    });
  });

  it('allows a send from an address whose domain identity is granted, and names the address identity otherwise', async () => {
    // Prepare
    const send = (address: string) => ({
      action: 'ses:SendEmail',
      resources: [`arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/cascade`],
      anyOf: [[identity(address)], [identity(address.split('@')[1] as string)]],
    });

    // Act
    const ours = await authorizer().authorize('SenderRoleKey', [send('sales@example.com')]);
    const theirs = await authorizer().authorize('SenderRoleKey', [send('sales@other.example')]);

    // Assess
    expect(ours.allowed).toBe(true);
    expect(theirs).toMatchObject({
      allowed: false,
      denial: { action: 'ses:SendEmail', resource: identity('sales@other.example') },
    });
  });

  it('denies a key that names no role, and an unsigned request', async () => {
    // Act
    const unknown = await authorizer().authorize('local', [{ action: 'dynamodb:ListTables', resources: ['*'] }]);
    const unsigned = await authorizer().authorize(undefined, [{ action: 'dynamodb:ListTables', resources: ['*'] }]);

    // Assess
    expect(unknown).toMatchObject({ allowed: false, denial: { reason: 'unknown-key' } });
    expect(unknown.allowed === false && unknown.message).toContain('local');
    expect(unsigned).toMatchObject({ allowed: false, denial: { reason: 'unknown-key' } });
  });

  it('denies an action the simulator cannot evaluate, saying why', async () => {
    // Act
    const decision = await authorizer().authorize('GuardedKey', [
      { action: 'dynamodb:NoSuchOperation', resources: [table('Leads')] },
    ]);

    // Assess
    expect(decision).toMatchObject({ allowed: false, denial: { reason: 'invalid' } });
    expect(decision.allowed === false && decision.message).toContain('cannot evaluate it: ');
  });

  it('allows the administrator everything', async () => {
    // Act
    const decision = await authorizer().authorize('admin', [
      { action: 'dynamodb:DeleteTable', resources: [table('Leads')] },
      { action: 'ses:SendEmail', resources: [], anyOf: [[identity('x@anywhere.example')]] },
    ]);

    // Assess
    expect(decision).toEqual({ allowed: true });
  });
});

describe('accessKeyIdOf', () => {
  it('reads the access key id from a SigV4 Authorization header or a presigned query', () => {
    // Prepare
    const authorization =
      'AWS4-HMAC-SHA256 Credential=SendEmailRole/20250101/us-east-1/dynamodb/aws4_request, ' +
      'SignedHeaders=host;x-amz-date, Signature=abc';

    // Act
    const fromHeader = accessKeyIdOf({ Authorization: authorization });
    const fromQuery = accessKeyIdOf({}, '/path?X-Amz-Credential=Admin%2F20250101%2Fus-east-1%2Fses%2Faws4_request');
    const unsigned = accessKeyIdOf({ host: '127.0.0.1' }, '/path');

    // Assess
    expect(fromHeader).toBe('SendEmailRole');
    expect(fromQuery).toBe('Admin');
    expect(unsigned).toBeUndefined();
  });
});
