import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import {
  DeleteParameterCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IamAuthorizer } from '#local/iam';
import { type SsmPeer, startSsmPeer } from '#local/ssm';
import { implicitDenialMessage, LOCAL_ACCOUNT as names, PeerClients, roleGranting } from '#test/support/local-peers';

const parameterArn = (name: string) => `arn:aws:ssm:us-east-1:000000000000:parameter${name}`;

/** A sending function may read its one secret; a reporting function is granted nothing in SSM. */
const authorizer = new IamAuthorizer({
  ...names,
  roles: {
    SendEmailRole: roleGranting('SendEmailRole', {
      Effect: 'Allow',
      Action: 'ssm:GetParameter',
      Resource: parameterArn('/cascade/unsubscribe-secret'),
    }),
    ReportRole: roleGranting('ReportRole', {
      Effect: 'Allow',
      Action: 'dynamodb:Query',
      Resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/x',
    }),
  },
  adminAccessKeys: ['admin'],
});

let peer: SsmPeer;
const clients = new PeerClients();
const client = (accessKeyId = 'admin') => clients.make(SSMClient, peer.endpoint, accessKeyId);

beforeAll(async () => {
  peer = await startSsmPeer({
    authorizer,
    names,
    parameters: [{ name: '/cascade/unsubscribe-secret', value: 's3cr3t-value' }],
  });
});

afterAll(async () => {
  clients.destroyAll();
  await peer?.close();
});

describe('the local SSM Parameter Store peer', () => {
  it('returns a SecureString decrypted only when asked, and an opaque ciphertext otherwise', async () => {
    // Prepare
    const ssm = client();
    const put = await ssm.send(
      new PutParameterCommand({ Name: '/cascade/linkedin-api-key', Value: 'key-123', Type: 'SecureString' }),
    );

    // Act
    const decrypted = await ssm.send(
      new GetParameterCommand({ Name: '/cascade/linkedin-api-key', WithDecryption: true }),
    );
    const encrypted = await ssm.send(new GetParameterCommand({ Name: '/cascade/linkedin-api-key' }));

    // Assess
    expect(put).toMatchObject({ Version: 1, Tier: 'Standard' });
    expect(decrypted.Parameter).toMatchObject({
      Name: '/cascade/linkedin-api-key',
      Type: 'SecureString',
      Value: 'key-123',
      Version: 1,
      ARN: parameterArn('/cascade/linkedin-api-key'),
      DataType: 'text',
    });
    expect(decrypted.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    expect(Math.abs((decrypted.Parameter?.LastModifiedDate?.getTime() ?? 0) - Date.now())).toBeLessThan(5_000);
    expect(encrypted.Parameter?.Value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(encrypted.Parameter?.Value).not.toContain('key-123');
    expect(Buffer.from(encrypted.Parameter?.Value ?? '', 'base64').toString('utf8')).not.toContain('key-123');
  });

  it('answers ParameterNotFound for a missing name, and lists missing names of a batch as invalid', async () => {
    // Prepare
    const ssm = client();

    // Act
    const missing = await ssm.send(new GetParameterCommand({ Name: '/cascade/nope' })).catch((error: Error) => error);
    const batch = await ssm.send(
      new GetParametersCommand({ Names: ['/cascade/unsubscribe-secret', '/cascade/nope'], WithDecryption: true }),
    );

    // Assess
    expect(missing).toMatchObject({ name: 'ParameterNotFound', $metadata: { httpStatusCode: 400 } });
    expect(batch.Parameters?.map((parameter) => [parameter.Name, parameter.Value])).toEqual([
      ['/cascade/unsubscribe-secret', 's3cr3t-value'],
    ]);
    expect(batch.InvalidParameters).toEqual(['/cascade/nope']);
  });

  it('refuses to overwrite unless told to, then versions the parameter; deletes it', async () => {
    // Prepare
    const ssm = client();
    await ssm.send(new PutParameterCommand({ Name: '/tmp/flag', Value: 'a', Type: 'String' }));

    // Act
    const again = await ssm
      .send(new PutParameterCommand({ Name: '/tmp/flag', Value: 'b', Type: 'String' }))
      .catch((error: Error) => error);
    const overwritten = await ssm.send(new PutParameterCommand({ Name: '/tmp/flag', Value: 'b', Overwrite: true }));
    const read = await ssm.send(new GetParameterCommand({ Name: '/tmp/flag' }));
    await ssm.send(new DeleteParameterCommand({ Name: '/tmp/flag' }));
    const afterDelete = await ssm.send(new GetParameterCommand({ Name: '/tmp/flag' })).catch((error: Error) => error);

    // Assess
    expect(again).toMatchObject({ name: 'ParameterAlreadyExists' });
    expect(overwritten.Version).toBe(2);
    expect(read.Parameter).toMatchObject({ Type: 'String', Value: 'b', Version: 2 });
    expect(afterDelete).toMatchObject({ name: 'ParameterNotFound' });
  });

  it('lists by path (one level or recursively) and describes parameters without their values', async () => {
    // Prepare
    const ssm = client();
    peer.put('/app/a', '1', 'String');
    peer.put('/app/nested/b', '2', 'String');
    peer.put('/other/c', '3', 'String');

    // Act
    const oneLevel = await ssm.send(new GetParametersByPathCommand({ Path: '/app' }));
    const recursive = await ssm.send(new GetParametersByPathCommand({ Path: '/app', Recursive: true }));
    const described = await ssm.send(
      new DescribeParametersCommand({ ParameterFilters: [{ Key: 'Name', Option: 'BeginsWith', Values: ['/app/'] }] }),
    );

    // Assess
    expect(oneLevel.Parameters?.map((parameter) => parameter.Name)).toEqual(['/app/a']);
    expect(recursive.Parameters?.map((parameter) => parameter.Name)).toEqual(['/app/a', '/app/nested/b']);
    expect(described.Parameters?.map((parameter) => parameter.Name)).toEqual(['/app/a', '/app/nested/b']);
    expect(described.Parameters?.[0]).toMatchObject({ Type: 'String', Version: 1, Tier: 'Standard', DataType: 'text' });
    expect(described.Parameters?.[0]).not.toHaveProperty('Value');
  });

  it('serves Powertools Parameters as the functions read their secrets (a client, or AWS_ENDPOINT_URL_SSM)', async () => {
    // Prepare
    const provider = new SSMProvider({ awsSdkV3Client: client('SendEmailRole') });
    const environment: Record<string, string> = {
      AWS_ENDPOINT_URL_SSM: peer.endpoint,
      AWS_REGION: names.region,
      AWS_ACCESS_KEY_ID: 'SendEmailRole',
      AWS_SECRET_ACCESS_KEY: 'local',
    };
    const saved = Object.fromEntries(Object.keys(environment).map((key) => [key, process.env[key]]));
    Object.assign(process.env, environment);

    try {
      // Act
      const viaClient = await provider.get('/cascade/unsubscribe-secret', { decrypt: true });
      const { getParameter } = await import('@aws-lambda-powertools/parameters/ssm');
      const viaEnvironment = await getParameter('/cascade/unsubscribe-secret', { decrypt: true });

      // Assess
      expect(viaClient).toBe('s3cr3t-value');
      expect(viaEnvironment).toBe('s3cr3t-value');
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('denies a role its policy does not allow, as AWS does, through the SDK and Powertools', async () => {
    // Prepare
    const provider = new SSMProvider({ awsSdkV3Client: client('ReportRole') });

    // Act
    const direct = await client('ReportRole')
      .send(new GetParameterCommand({ Name: '/cascade/unsubscribe-secret', WithDecryption: true }))
      .catch((error: Error) => error);
    const otherParameter = await client('SendEmailRole')
      .send(new GetParameterCommand({ Name: '/cascade/linkedin-api-key', WithDecryption: true }))
      .catch((error: Error) => error);
    const write = await client('SendEmailRole')
      .send(new PutParameterCommand({ Name: '/cascade/unsubscribe-secret', Value: 'x', Overwrite: true }))
      .catch((error: Error) => error);
    const viaPowertools = await provider.get('/cascade/unsubscribe-secret', { decrypt: true }).catch((error) => error);

    // Assess
    expect(direct).toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 400 },
      message: implicitDenialMessage('ReportRole', 'ssm:GetParameter', parameterArn('/cascade/unsubscribe-secret')),
    });
    expect(otherParameter).toMatchObject({ name: 'AccessDeniedException' });
    expect(write).toMatchObject({ name: 'AccessDeniedException' });
    expect(viaPowertools).toMatchObject({ name: 'GetParameterError', cause: { name: 'AccessDeniedException' } });
  });
});
