import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '#cli/serve';
import { FUNCTION_IDS, type FunctionId, SETTINGS, type SettingSpec, settingsOf } from '#shared/config/settings';
import { unsubscribeToken } from '#shared/outreach/unsubscribe';
import { loadSecrets } from '#shared/secrets';
import { getLead } from '#shared/store/leads';
import { runBouncingLead } from '#test/support/bounce-fallback';
import { callJson } from '#test/support/http-call';

/**
 * Parity: each function of the embedded stack runs with exactly its template entry's environment (resolved
 * to local resources) plus what differs by design — what the Lambda runtime sets, endpoints and credentials.
 * The sandbox's `process.env` is read from inside it, not from what we meant to give it.
 */
const TOKEN = 'parity-token';
let server: ApiServer;

/** Variables a sandbox may have that its template entry does not give: the runtime's, endpoints, credentials. */
const LOCAL_BY_DESIGN = [
  /^AWS_(REGION|DEFAULT_REGION)$/,
  /^AWS_LAMBDA_(FUNCTION_NAME|FUNCTION_MEMORY_SIZE|FUNCTION_VERSION|LOG_GROUP_NAME)$/,
  /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)$/,
  /^AWS_ENDPOINT_URL_[A-Z0-9]+$/,
  // Endpoint plumbing: where sandbox sites resolve, our own peers, the loopback DNS peer the health check asks.
  /^CASCADE_(CONNECT_TO|TRUSTED_ORIGINS|DNS_SERVERS)$/,
  /^AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED$/,
  // Set by the function's own libraries when they load (Powertools' user agent, the X-Ray SDK), in AWS too.
  /^AWS_SDK_UA_APP_ID$/,
  /^AWS_XRAY_CONTEXT_MISSING$/,
];

beforeAll(async () => {
  server = await startApiServer({ token: TOKEN });
}, 120_000);

afterAll(async () => {
  await server?.close();
});

const api = (method: string, path: string, body?: unknown, token: string | null = TOKEN) =>
  callJson(server.url, method, path, { body, token });

describe('every function runs with its template environment', () => {
  it.each(FUNCTION_IDS)('%s', async (id: FunctionId) => {
    // Prepare
    const { lambda } = server.stack;
    const fn = lambda.function(id);

    // Act
    const sandbox = await lambda.sandboxEnvironment(id);

    // Assess: the template's variables, resolved, and nothing else but the runtime's, endpoints and credentials.
    for (const [name, value] of Object.entries(fn.environment)) expect(sandbox[name], name).toBe(value);
    const extra = Object.keys(sandbox).filter((name) => !(name in fn.environment));
    expect(extra.filter((name) => !LOCAL_BY_DESIGN.some((allowed) => allowed.test(name)))).toEqual([]);
    // The template gives the function every required setting it is declared to read.
    for (const setting of settingsOf(id)) {
      if ((SETTINGS[setting] as SettingSpec).required) expect(fn.environment[setting], setting).toBeTruthy();
    }
    expect(sandbox.AWS_ACCESS_KEY_ID).toBe(fn.roleLogicalId);
    expect(sandbox.CASCADE_API_TOKEN).toBeUndefined();
    expect(sandbox.CASCADE_UNSUBSCRIBE_SECRET).toBeUndefined();
  });

  it('points unsubscribe links at the API the stack serves (the HTTP API endpoint, resolved)', () => {
    // Act
    const sendEmail = server.stack.lambda.function('SendEmailFunction');

    // Assess
    expect(sendEmail.environment.CASCADE_PUBLIC_API_URL).toBe(`${server.url}/`);
  });
});

describe('the API function, run by the embedded stack with only its template environment', () => {
  it('answers /v1/unsubscribe (its signing secret comes from the SSM peer under the template name)', async () => {
    // Prepare
    await api('POST', '/v1/campaigns', {
      campaignId: 'parity',
      name: 'Parity',
      sender: { name: 'Ada Lovelace', email: 'ada@cascade-demo.example' },
    });
    const imported = await api('POST', '/v1/campaigns/parity/leads', [
      { firstName: 'Una', email: 'una@parity.example', leadScore: 0.9 },
    ]);
    const leadId = imported.body.leads[0].leadId as string;
    await loadSecrets();
    const token = unsubscribeToken(leadId, 'parity');

    // Act
    const unsubscribed = await api('POST', `/v1/unsubscribe?token=${token}`, undefined, null);
    const forged = await api('POST', `/v1/unsubscribe?token=${token.slice(0, -2)}xx`, undefined, null);

    // Assess
    expect(unsubscribed.status).toBe(200);
    expect(forged.status).toBe(400);
    expect((await getLead(leadId))?.status).toBe('UNSUBSCRIBED');
  });

  it('is behind the template routes: AWS_IAM routes need the bearer token locally, public ones do not', async () => {
    // Act
    const anonymous = await api('GET', '/v1/campaigns/parity', undefined, null);
    const signed = await api('GET', '/v1/campaigns/parity');
    const unrouted = await api('GET', '/v2/anything');

    // Assess
    expect(anonymous.status).toBe(401);
    expect(signed.status).toBe(200);
    expect(unrouted.status).toBe(404);
  });
});

describe('SES events travel the synthesized rule', () => {
  it('a bounce comes back through the SES events rule and the lead falls back to LinkedIn', async () => {
    // Act
    const channel = await runBouncingLead(server.stack, 'parity-bounce');

    // Assess
    expect(channel).toBe('LINKEDIN');
  });
});
