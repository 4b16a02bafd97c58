import './polyfills';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sesLocal from 'aws-ses-v2-local';
import { SECRETS, type SecretName } from '#shared/config/settings';
import { loadSecrets } from '#shared/secrets';
import { type AuthorizingProxy, startAuthorizingProxy } from './authorizing-proxy';
import { startDynalite } from './dynamodb';
import { type EventEnvelope, LocalEventBridge, startEventBridgePeer } from './eventbridge';
import { IamAuthorizer } from './iam';
import { LocalLambdaService } from './lambda-runtime';
import { linkedinMemberFromLeads } from './linkedin-members';
import { type LinkedInSandbox, startLinkedInSandbox } from './linkedin-sandbox';
import { deployTables } from './local-tables';
import { notificationsFor, s3EventFor, startS3Peer, templateBucketNotifications, templateBuckets } from './s3';
import { startSesSimulator } from './ses-simulator';
import { type SiteSandbox, startSiteSandbox } from './site-sandbox';
import { type SsmPeer, startSsmPeer } from './ssm';
import { LocalStepFunctions, startStepFunctionsServer } from './stepfunctions';
import { type CfnTemplate, extractStateMachine, LOCAL_DEPLOY_CONTEXT, synthesizeTemplate } from './synth';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  rolePolicies,
  STATE_MACHINE_NAME,
  TemplateResolver,
  templateFunctions,
  templateRoutes,
  templateRules,
} from './template';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where local runs keep what outlives them (execution histories for `cascade audit`). */
export const LOCAL_EXECUTIONS_DIR = path.join(PROJECT_ROOT, '.cascade', 'executions');
/** The access key of the operator's own shell (and of tests): an administrator, like an AWS CLI profile. */
export const ADMIN_ACCESS_KEY = 'local';

export interface LocalStackOptions {
  /** Keep DynamoDB data, function logs and the unsubscribe secret here between runs (in memory when absent). */
  dataDir?: string;
  /** Real milliseconds per Wait state (virtual time still advances by the full wait). */
  pauseMs?: number;
  /** Log level of code this process runs itself (tests, the CLI); functions log at the template's level. */
  logLevel?: string;
  /** The operator API's URL (what the HTTP API's endpoint resolves to, e.g. in unsubscribe links). */
  publicApiUrl?: string;
  /** Where ended executions are kept for `cascade audit` (default: not kept). */
  executionStoreDir?: string;
  /** `-c key=value` context for the synth, as an operator gives `cdk deploy` (e.g. batchSchedule). */
  context?: Record<string, string>;
  /** Changes the synthesized template before it is deployed here (tests: a grant or a rule taken away). */
  alterTemplate?: (template: CfnTemplate) => void;
  /**
   * Let the LinkedIn sandbox find members it was not seeded with among the stored leads (their imported
   * `linkedin_status`), as `cascade demo` seeds them up front; for leads imported through the API.
   */
  linkedinProfilesFromLeads?: boolean;
}

export interface LocalEndpointsInfo {
  dynamodb: string;
  /** The SES v2 API (behind the IAM check) for SDK clients and the AWS CLI. */
  sesApi: string;
  /** aws-ses-v2-local itself: its inbox page at `/` and its store at `/store` (what was sent). */
  ses: string;
  stepFunctions: string;
  ssm: string;
  eventBridge: string;
  s3: string;
  linkedin: string;
  site: string;
}

export interface LocalStack {
  /** The peers as the functions (and a stock AWS CLI) reach them: each behind the IAM check. */
  endpoints: LocalEndpointsInfo;
  stepFunctions: LocalStepFunctions;
  lambda: LocalLambdaService;
  eventBridge: LocalEventBridge;
  ssm: SsmPeer;
  linkedin: LinkedInSandbox;
  site: SiteSandbox;
  stateMachineArn: string;
  /** The synthesized template's resolver (functions, policies, rules, routes as deployed here). */
  template: TemplateResolver;
  /** The API routes and their authorization (`ANY /v1/{proxy+}` → AWS_IAM, public ones → NONE). */
  routes: { routeKey: string; authorizationType: string }[];
  /** Where each function's log is written (`<logical id>.log`), with a data directory. */
  logDir?: string;
  /** The operator's shell environment (this process): endpoints, administrator credentials, names. */
  environment: Record<string, string>;
  /**
   * Rotates a secret as an operator would (`aws ssm put-parameter --overwrite` under the template's name);
   * this process reads it at once, functions when their 5-minute Powertools cache expires (new sandboxes at once).
   */
  setSecret(name: SecretName, value: string): Promise<void>;
  /**
   * A mail arriving for the reply domain: stored in the inbound bucket as the receipt rule's S3 action stores
   * it; the bucket's notification then invokes the inbound-mail function. Resolves with what it answered.
   */
  receiveMail(raw: Buffer): Promise<unknown>;
  close(): Promise<void>;
}

/** aws-ses-v2-local is CommonJS with an `exports.default`; under ESM interop it may arrive one level deeper. */
const startSesServer = ((sesLocal.default as unknown as { default?: typeof sesLocal.default }).default ??
  sesLocal.default) as typeof sesLocal.default;

async function startSes(): Promise<{ endpoint: string; server: Server }> {
  const server = await startSesServer({ host: '127.0.0.1', port: 0 });
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, server };
}

/** A random secret; with a data directory, the one kept there, so earlier unsubscribe links stay valid. */
function keptSecret(dataDir: string | undefined, name: string): string {
  if (!dataDir) return randomBytes(16).toString('hex');
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(16).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** The SSM parameters the template names (each function's `*_PARAMETER`), with the embedded stack's values. */
function secretParameters(
  lambda: LocalLambdaService,
  values: Record<keyof typeof SECRETS, string>,
): { name: string; value: string }[] {
  const byName = new Map<string, string>();
  for (const fn of lambda.functions) {
    for (const [secret, spec] of Object.entries(SECRETS)) {
      const parameter = fn.environment[spec.parameterEnv];
      if (parameter) byName.set(parameter, values[secret as keyof typeof SECRETS]);
    }
  }
  return [...byName].map(([name, value]) => ({ name, value }));
}

/**
 * The embedded stack: the synthesized template run on loopback. Real API-compatible peers (dynalite,
 * aws-ses-v2-local, our Step Functions, SSM and EventBridge peers) each behind the IAM check of the calling
 * function's role; every function in its own sandbox with exactly its template environment; events routed
 * by the template's rules. Only endpoints, credentials and the clock differ from AWS.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const names = { accountId: LOCAL_ACCOUNT, region: LOCAL_REGION };
  const dynamo = await startDynalite({ path: options.dataDir && path.join(options.dataDir, 'dynamodb') });
  const ses = await startSes();
  const linkedinApiKey = `local-${randomBytes(6).toString('hex')}`;
  const linkedin = await startLinkedInSandbox({
    port: 0,
    apiKey: linkedinApiKey,
    ...(options.linkedinProfilesFromLeads && { discover: linkedinMemberFromLeads }),
  });
  const site = await startSiteSandbox({ port: 0 });

  // The deployment: synthesized with the context an operator would give (the sender identity, the
  // provider's endpoint, the account id), resolved against this machine's resources.
  const template = synthesizeTemplate({
    ...LOCAL_DEPLOY_CONTEXT,
    linkedinBaseUrl: linkedin.url,
    linkedinAccountId: 'local-account',
    ...options.context,
  });
  options.alterTemplate?.(template);
  const resolver = new TemplateResolver(template, { apiUrl: options.publicApiUrl ?? 'http://127.0.0.1:8787' });
  const functions = templateFunctions(resolver);
  const policies = rolePolicies(resolver);
  const authorizer = new IamAuthorizer({
    ...names,
    roles: Object.fromEntries(
      functions.map((fn) => [
        fn.roleLogicalId,
        { roleName: fn.roleLogicalId, policies: policies.get(fn.roleLogicalId) ?? [] },
      ]),
    ),
    adminAccessKeys: [ADMIN_ACCESS_KEY],
  });
  const proxies: AuthorizingProxy[] = [];
  const guard = async (service: Parameters<typeof startAuthorizingProxy>[0]['service'], target: string) => {
    const proxy = await startAuthorizingProxy({ target, service, authorizer, names });
    proxies.push(proxy);
    return proxy.endpoint;
  };

  const endpoints: Partial<LocalEndpointsInfo> = { linkedin: linkedin.url, site: site.url };
  endpoints.dynamodb = await guard('dynamodb', dynamo.endpoint);
  const logDir = options.dataDir && path.join(options.dataDir, 'logs');
  const lambda = new LocalLambdaService({
    functions,
    projectRoot: PROJECT_ROOT,
    logDir,
    localEnvironment: (fn) => ({
      // What the Lambda runtime itself sets.
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
      // Credentials naming the function's role: the peers authorize every call against its policy.
      AWS_ACCESS_KEY_ID: fn.roleLogicalId,
      AWS_SECRET_ACCESS_KEY: 'local',
      // Endpoints.
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb ?? '',
      AWS_ENDPOINT_URL_SESV2: endpoints.sesApi ?? '',
      AWS_ENDPOINT_URL_SFN: endpoints.stepFunctions ?? '',
      AWS_ENDPOINT_URL_SSM: endpoints.ssm ?? '',
      AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge ?? '',
      AWS_ENDPOINT_URL_S3: endpoints.s3 ?? '',
      // Endpoint plumbing of the outbound guard: `*.example` sites are the sandbox site; our peers are ours.
      CASCADE_CONNECT_TO: `*.example=${site.url}`,
      CASCADE_TRUSTED_ORIGINS: linkedin.url,
      // This machine runs Node 20 while the Lambdas run nodejs22.x; the SDK's Node-version notice is noise here.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    }),
  });

  const eventBridge = new LocalEventBridge({
    ...names,
    rules: templateRules(resolver),
    invoke: (arn, payload) => lambda.invoke(arn, payload),
    retryDelayMs: 50,
  });
  const eventBridgePeer = await startEventBridgePeer(eventBridge);
  endpoints.eventBridge = await guard('events', eventBridgePeer.endpoint);
  // SES publishes the events of mail sent with a configuration set to the default bus, as AWS does.
  const sesSimulator = await startSesSimulator({
    sesEndpoint: ses.endpoint,
    journalFile: options.dataDir && path.join(options.dataDir, 'ses-sent.jsonl'),
    publish: async (event) => {
      await eventBridge.deliverAndSettle(event as unknown as EventEnvelope);
    },
  });
  endpoints.sesApi = await guard('ses', sesSimulator.endpoint);
  endpoints.ses = ses.endpoint;

  // S3 with the template's buckets; an object created invokes the functions its bucket notifications name.
  const notifications = templateBucketNotifications(resolver);
  const answers = new Map<string, (answer: unknown) => void>();
  const s3 = await startS3Peer({
    buckets: templateBuckets(resolver),
    dataDir: options.dataDir && path.join(options.dataDir, 's3'),
    onObjectCreated: async (bucket, key, size, eTag) => {
      const invoked = notificationsFor(notifications, bucket, key, 'ObjectCreated:Put').map((notification) =>
        lambda.invoke(
          notification.functionArn,
          s3EventFor(bucket, key, size, eTag, names, { configurationId: notification.id }),
        ),
      );
      const settled = await Promise.allSettled(invoked);
      answers.get(`${bucket}/${key}`)?.(settled[0]?.status === 'fulfilled' ? settled[0].value : settled[0]?.reason);
    },
  });
  endpoints.s3 = await guard('s3', s3.endpoint);
  const inbound = notifications.find(
    (notification) => lambda.function(notification.functionArn).constructId === 'InboundEmailFunction',
  );

  const ssm = await startSsmPeer({ names });
  for (const parameter of secretParameters(lambda, {
    CASCADE_UNSUBSCRIBE_SECRET: keptSecret(options.dataDir, 'unsubscribe-secret'),
    CASCADE_LINKEDIN_API_KEY: linkedinApiKey,
    CASCADE_LINKEDIN_WEBHOOK_SECRET: keptSecret(options.dataDir, 'linkedin-webhook-secret'),
  }))
    ssm.put(parameter.name, parameter.value, 'SecureString');
  endpoints.ssm = await guard('ssm', ssm.endpoint);

  const machine = extractStateMachine(template);
  const stepFunctions = new LocalStepFunctions({
    machine,
    stateMachineName: STATE_MACHINE_NAME,
    invoke: (arn, input, clockOffsetMs) => lambda.invoke(arn, input, { clockOffsetMs }),
    pauseMs: options.pauseMs ?? (Number(process.env.CASCADE_LOCAL_PAUSE_MS) || undefined),
    storeDir: options.executionStoreDir,
  });
  const sfnServer = await startStepFunctionsServer(stepFunctions);
  endpoints.stepFunctions = await guard('states', sfnServer.endpoint);
  await deployTables(resolver, dynamo.endpoint);

  // This process (tests, the CLI's in-process verbs) acts as the operator: administrator credentials, the
  // same endpoints, and every name the functions are given, so it can call the core as any of them would.
  const environment: Record<string, string> = {
    ...Object.assign({}, ...functions.map((fn) => fn.environment)),
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: ADMIN_ACCESS_KEY,
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SESV2: endpoints.sesApi,
    AWS_ENDPOINT_URL_SFN: endpoints.stepFunctions,
    AWS_ENDPOINT_URL_SSM: endpoints.ssm,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.eventBridge,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    CASCADE_CONNECT_TO: `*.example=${site.url}`,
    CASCADE_TRUSTED_ORIGINS: linkedin.url,
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'SILENT',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  Object.assign(process.env, environment);
  // The operator's own calls into the core (tests, in-process CLI verbs) read the secrets the functions read.
  await loadSecrets({ forceFetch: true });
  // A killed `cascade serve --data DIR` left executions running: drive them to their end.
  stepFunctions.resumeInterrupted();

  return {
    endpoints: endpoints as LocalEndpointsInfo,
    stepFunctions,
    lambda,
    eventBridge,
    ssm,
    linkedin,
    site,
    stateMachineArn: stepFunctions.stateMachineArn,
    template: resolver,
    routes: templateRoutes(resolver),
    ...(logDir && { logDir }),
    environment,
    async receiveMail(raw) {
      if (!inbound) throw new Error('the template has no bucket notification for the inbound-mail function');
      const key = `${inbound.prefix ?? ''}${randomBytes(12).toString('hex')}`;
      const answer = new Promise<unknown>((resolve) => answers.set(`${inbound.bucket}/${key}`, resolve));
      await s3.put(inbound.bucket, key, raw, { contentType: 'message/rfc822' });
      try {
        const result = await answer;
        if (result instanceof Error) throw result;
        return result;
      } finally {
        answers.delete(`${inbound.bucket}/${key}`);
      }
    },
    async setSecret(name, value) {
      const parameter = environment[SECRETS[name].parameterEnv];
      if (!parameter) throw new Error(`no function of the template reads ${name}`);
      ssm.put(parameter, value, 'SecureString');
      await loadSecrets({ forceFetch: true });
    },
    async close() {
      await stepFunctions.drain();
      await eventBridge.drain();
      ses.server.closeAllConnections?.();
      await Promise.all([
        sfnServer.close(),
        eventBridgePeer.close(),
        ssm.close(),
        s3.close(),
        ...proxies.map((proxy) => proxy.close()),
        new Promise<void>((resolve) => ses.server.close(() => resolve())),
        sesSimulator.close(),
        linkedin.close(),
        site.close(),
        dynamo.close(),
      ]);
      await lambda.close();
    },
  };
}
