import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSigv4Signer } from '#cli/sigv4';
import { type KnownCredentials, startVerifyingServer, type VerifyingServer } from '#test/integration/cli/sigv4-server';
import { type CliRun, type EnvironmentChanges, errorLines, runCascade } from '#test/support/cli';

/**
 * `--auth iam` end to end: the CLI (a subprocess, credentials from the default chain's environment step)
 * against a loopback server that verifies SigV4 the way API Gateway's IAM authoriser does.
 */

const REGION = 'eu-west-1';
const CREDENTIALS: KnownCredentials = {
  accessKeyId: 'AKIDCASCADETEST',
  secretAccessKey: 'cascade/test/secret+key',
  sessionToken: 'cascade-session-token',
};
const noAwsFiles = mkdtempSync(path.join(tmpdir(), 'cascade-auth-'));
let server: VerifyingServer;

/**
 * Runs the CLI with exactly these AWS settings: no profile, no shared files and no instance metadata, so the
 * default chain finds the environment's keys or nothing, and never leaves the machine looking.
 */
function cascade(args: string[], env: EnvironmentChanges = {}): Promise<CliRun> {
  return runCascade(args, {
    env: {
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: CREDENTIALS.sessionToken,
      AWS_REGION: REGION,
      AWS_PROFILE: undefined,
      AWS_DEFAULT_PROFILE: undefined,
      AWS_SHARED_CREDENTIALS_FILE: path.join(noAwsFiles, 'credentials'),
      AWS_CONFIG_FILE: path.join(noAwsFiles, 'config'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
      AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      ...env,
    },
  });
}

beforeAll(async () => {
  server = await startVerifyingServer(CREDENTIALS, REGION, (request) =>
    request.url.startsWith('/v1/campaigns')
      ? { campaignId: 'signed', state: 'ACTIVE', name: 'Signed' }
      : { echo: request.url, channels: [] },
  );
});

afterAll(async () => {
  await server?.close();
  rmSync(noAwsFiles, { recursive: true, force: true });
});

describe('cascade --auth iam against an IAM-authorised API', () => {
  it('signs a POST, body and session token included, and the server accepts the signature', async () => {
    // Prepare
    const before = server.received.length;

    // Act
    const run = await cascade([
      '--auth',
      'iam',
      'campaigns',
      'create',
      '--id',
      'signed',
      '--name',
      'Signed',
      '--sender-name',
      'Ada Lovelace',
      '--sender-email',
      'ada@cascade-demo.example',
      '--json',
      '--api',
      server.url,
    ]);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ campaignId: 'signed' });
    const [request] = server.received.slice(before);
    expect(server.received).toHaveLength(before + 1);
    expect(request?.method).toBe('POST');
    expect(request?.verdict).toEqual({ ok: true, signedHeaders: expect.any(Array) });
    const signed = request?.verdict.ok ? request.verdict.signedHeaders : [];
    for (const name of ['host', 'x-amz-date', 'x-amz-content-sha256', 'x-amz-security-token', 'content-type'])
      expect(signed).toContain(name);
    expect(request?.headers['x-amz-content-sha256']).toBe(
      createHash('sha256')
        .update(request?.body ?? '')
        .digest('hex'),
    );
    expect(request?.headers.authorization).toMatch(/Credential=AKIDCASCADETEST\/\d{8}\/eu-west-1\/execute-api\//);
  });

  it('signs the query string too (CASCADE_API_AUTH=iam; a space and a plus sign in a value)', async () => {
    // Prepare
    const before = server.received.length;

    // Act
    const run = await cascade(['metrics', '--campaign', 'q a+b', '--days', '3', '--json', '--api', server.url], {
      CASCADE_API_AUTH: 'iam',
    });

    // Assess
    expect(run.code).toBe(0);
    const [request] = server.received.slice(before);
    expect(request?.verdict.ok).toBe(true);
    expect(request?.url).toBe('/v1/metrics/channels?campaignId=q%20a%2Bb&days=3');
  });

  it('is refused when signed with another secret, and the CLI says so in one line', async () => {
    // Prepare
    const before = server.received.length;

    // Act
    const run = await cascade(['--auth', 'iam', 'campaigns', 'get', 'signed', '--api', server.url], {
      AWS_SECRET_ACCESS_KEY: 'not-the-secret',
    });

    // Assess
    expect(run.code).not.toBe(0);
    expect(server.received.slice(before).map((request) => request.verdict)).toEqual([
      { ok: false, reason: 'signature does not match' },
    ]);
    const lines = errorLines(run);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cascade: http_403: Forbidden \(the SigV4 signature was refused/);
  });

  it('sends the bearer token, not a signature, to a loopback URL when --auth is not given', async () => {
    // Prepare
    const before = server.received.length;

    // Act
    await cascade(['campaigns', 'get', 'signed', '--api', server.url, '--token', 'local-token']);

    // Assess
    const [request] = server.received.slice(before);
    expect(request?.headers.authorization).toBe('Bearer local-token');
    expect(request?.headers['x-amz-date']).toBeUndefined();
  });

  it('without credentials prints one line, exits non-zero and sends nothing', async () => {
    // Prepare
    const before = server.received.length;

    // Act
    const run = await cascade(['--auth', 'iam', 'campaigns', 'get', 'signed', '--api', server.url], {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
    });

    // Assess
    expect(run.code).not.toBe(0);
    expect(errorLines(run)).toEqual([expect.stringMatching(/^cascade: --auth iam: no AWS credentials \(.+\); set /)]);
    expect(server.received).toHaveLength(before);
  });

  it('rejects an unknown --auth value in one line before any request', async () => {
    // Prepare
    const before = server.received.length;

    // Act
    const run = await cascade(['campaigns', 'get', 'signed', '--auth', 'kerberos', '--api', server.url]);

    // Assess
    expect(run.code).not.toBe(0);
    expect(errorLines(run)).toEqual(['cascade: --auth "kerberos" is not one of iam, token']);
    expect(server.received).toHaveLength(before);
  });
});

describe('--token in the help', () => {
  it('says the token is sent only when --auth is token, for the verbs and for audit', async () => {
    // Act
    const runs = await Promise.all([cascade(['campaigns', 'get', '--help']), cascade(['audit', '--help'])]);

    // Assess
    for (const run of runs) {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/--token <token> +operator bearer token, sent when --auth is token/);
    }
  });
});

describe('the verifying server', () => {
  it('refuses a body changed after signing, even with a recomputed body hash', async () => {
    // Prepare
    const sign = createSigv4Signer(server.url, { region: REGION, credentials: CREDENTIALS });
    const url = `${server.url}/v1/campaigns?dryRun=true`;
    const body = '{"name":"Original"}';
    const headers = await sign({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body });
    const tampered = '{"name":"Tampered"}';
    const rehashed = { ...headers, 'x-amz-content-sha256': createHash('sha256').update(tampered).digest('hex') };

    // Act
    const original = await fetch(url, { method: 'POST', headers, body });
    const changed = await fetch(url, { method: 'POST', headers, body: tampered });
    const changedAndRehashed = await fetch(url, { method: 'POST', headers: rehashed, body: tampered });

    // Assess
    expect(original.status).toBe(200);
    expect(changed.status).toBe(403);
    expect(changedAndRehashed.status).toBe(403);
    expect(server.received.slice(-2).map((request) => request.verdict)).toEqual([
      { ok: false, reason: 'body does not match its hash' },
      { ok: false, reason: 'signature does not match' },
    ]);
  });
});
