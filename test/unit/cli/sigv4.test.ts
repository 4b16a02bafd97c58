import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '#cli/api-client';
import {
  createSigv4Signer,
  defaultAuthMode,
  executeApiRegion,
  parseAuthMode,
  resolveAuthMode,
  setAuthOption,
} from '#cli/sigv4';

const EXECUTE_API = 'https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com';
const LOOPBACK = 'http://127.0.0.1:8787';
const CREDENTIALS = { accessKeyId: 'AKIDUNIT', secretAccessKey: 'unit-secret', sessionToken: 'unit-token' };

afterEach(() => {
  setAuthOption(undefined);
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

describe('the default auth mode', () => {
  it('is iam for an execute-api host name and token for a loopback or custom URL', () => {
    // Act
    const modes = {
      executeApi: defaultAuthMode(EXECUTE_API),
      executeApiV1: defaultAuthMode(`${EXECUTE_API}/v1/`),
      china: defaultAuthMode('https://abc.execute-api.cn-north-1.amazonaws.com.cn'),
      loopback: defaultAuthMode(LOOPBACK),
      localhost: defaultAuthMode('http://localhost:8787/v1'),
      custom: defaultAuthMode('https://api.cascade.example'),
      inPathOnly: defaultAuthMode('https://proxy.example/abc.execute-api.eu-west-1.amazonaws.com'),
      lookalike: defaultAuthMode('https://abc.execute-api.eu-west-1.amazonaws.com.evil.example'),
    };

    // Assess
    expect(modes).toEqual({
      executeApi: 'iam',
      executeApiV1: 'iam',
      china: 'iam',
      loopback: 'token',
      localhost: 'token',
      custom: 'token',
      inPathOnly: 'token',
      lookalike: 'token',
    });
  });

  it('takes the signing region from the execute-api host name', () => {
    // Assess
    expect(executeApiRegion(`${EXECUTE_API}/v1`)).toBe('eu-central-1');
    expect(executeApiRegion('https://x.execute-api.cn-northwest-1.amazonaws.com.cn')).toBe('cn-northwest-1');
    expect(executeApiRegion(LOOPBACK)).toBeUndefined();
  });

  it('gives way to --auth, then to CASCADE_API_AUTH', () => {
    // Prepare
    vi.stubEnv('CASCADE_API_AUTH', 'iam');

    // Act
    const fromEnv = resolveAuthMode(LOOPBACK);
    setAuthOption('token');
    const fromFlag = resolveAuthMode(EXECUTE_API);

    // Assess
    expect(fromEnv).toBe('iam');
    expect(fromFlag).toBe('token');
  });

  it('names the bad value and where it came from in one line', () => {
    // Prepare
    vi.stubEnv('CASCADE_API_AUTH', 'sigv2');

    // Act & Assess
    expect(() => parseAuthMode('oauth')).toThrow('--auth "oauth" is not one of iam, token');
    expect(() => setAuthOption('IAM ')).not.toThrow();
    setAuthOption(undefined);
    expect(() => resolveAuthMode(LOOPBACK)).toThrow('CASCADE_API_AUTH "sigv2" is not one of iam, token');
  });

  it('is what an ApiClient uses when none is given', () => {
    // Act
    const deployed = new ApiClient({ baseUrl: `${EXECUTE_API}/v1` });
    const local = new ApiClient({ baseUrl: LOOPBACK, token: 't' });

    // Assess
    expect(deployed.auth).toBe('iam');
    expect(local.auth).toBe('token');
  });
});

describe('createSigv4Signer', () => {
  it('signs host, date, body hash, session token and the query for execute-api in the URL’s region', async () => {
    // Prepare
    vi.stubEnv('AWS_REGION', 'us-west-2');
    const sign = createSigv4Signer(EXECUTE_API, { credentials: CREDENTIALS });
    const body = '{"limit":5}';

    // Act
    const headers = await sign({
      method: 'POST',
      url: `${EXECUTE_API}/v1/campaigns/c1/batches?dryRun=true`,
      headers: { 'content-type': 'application/json' },
      body,
    });

    // Assess
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDUNIT\/\d{8}\/eu-central-1\/execute-api\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(headers['x-amz-content-sha256']).toBe(createHash('sha256').update(body).digest('hex'));
    expect(headers['x-amz-security-token']).toBe('unit-token');
    expect(headers['content-type']).toBe('application/json');
    // fetch sets Host from the URL; passing it on could only disagree with the signed one.
    expect(headers.host).toBeUndefined();
  });

  it('gives a different signature when only the query differs', async () => {
    // Prepare
    const sign = createSigv4Signer(EXECUTE_API, { credentials: CREDENTIALS });
    const signatureOf = async (url: string) =>
      (await sign({ method: 'GET', url, headers: {} })).authorization?.split('Signature=')[1];

    // Act
    const [a, b] = await Promise.all([
      signatureOf(`${EXECUTE_API}/v1/tasks?status=OPEN`),
      signatureOf(`${EXECUTE_API}/v1/tasks?status=DONE`),
    ]);

    // Assess
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });
});

describe('ApiClient with auth iam', () => {
  it('sends the signer’s headers (no bearer token) and a space in the query as %20', async () => {
    // Prepare
    const fetchMock = vi.fn(async () => new Response('{"items":[]}', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    const signer = vi.fn(async (request: { headers: Record<string, string> }) => ({
      ...request.headers,
      authorization: 'AWS4-HMAC-SHA256 signed',
    }));
    const client = new ApiClient({ baseUrl: EXECUTE_API, token: 'ignored', signer });

    // Act
    await client.get('/tasks', { campaignId: 'a b+c' });

    // Assess
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, { headers: Record<string, string> }];
    expect(url).toBe(`${EXECUTE_API}/v1/tasks?campaignId=a%20b%2Bc`);
    expect(signer).toHaveBeenCalledWith(expect.objectContaining({ method: 'GET', url }));
    expect(init.headers.authorization).toBe('AWS4-HMAC-SHA256 signed');
  });

  it('explains API Gateway’s 403 in the one error line', async () => {
    // Prepare
    vi.stubGlobal('fetch', async () => new Response('{"message":"Forbidden"}', { status: 403 }));
    const client = new ApiClient({ baseUrl: EXECUTE_API, signer: async ({ headers }) => headers });

    // Act
    const failure = client.get('/campaigns/x');

    // Assess
    await expect(failure).rejects.toThrow(/^http_403: Forbidden \(the SigV4 signature was refused: .+\)$/);
  });
});
