import './polyfills';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sesLocal from 'aws-ses-v2-local';
import { SECRETS, type SecretName } from '#shared/config/settings';
import { loadSecrets } from '#shared/secrets';
import { type AuthorizingProxy, startAuthorizingProxy } from './authorizing-proxy';
import { startDnsPeer } from './dns-peer';
import { startDynalite } from './dynamodb';
import { ErasureSweep } from './erasure-sweep';
import { LocalEventBridge } from './eventbridge/bus';
import { startEventBridgePeer } from './eventbridge/peer';
import type { EventEnvelope } from './eventbridge/rules';
import { IamAuthorizer } from './iam';
import { LocalLambdaService } from './lambda-runtime';
import { linkedinMemberFromLeads } from './linkedin-sandbox/members-from-leads';
import { type LinkedInSandbox, startLinkedInSandbox } from './linkedin-sandbox/server';
import { deployTables } from './local-tables';
import { startMailDrop } from './s3/mail-drop';
import { replaySesJournal, startSesSimulator } from './ses-simulator';
import { type SiteSandbox, startSiteSandbox } from './site-sandbox/server';
import type { LocalSqs } from './sqs/service';
import { deployQueues, eventTargets, startSqsEndpoint } from './sqs/wiring';
import { type SsmPeer, startSsmPeer } from './ssm';
import {
  ADMIN_ACCESS_KEY,
  functionEnvironment,
  keptSecret,
  operatorEnvironment,
  secretParameters,
} from './stack-environment';
import { LocalStepFunctions } from './stepfunctions/executions';
import { startStepFunctionsServer } from './stepfunctions/peer';
import { ScaledClock, ShiftedClock, type StackClock, WALL_CLOCK } from './stepfunctions/time';
import { type CfnTemplate, extractStateMachine, LOCAL_DEPLOY_CONTEXT, synthesizeTemplate } from './synth';
import {
  LOCAL_NAMES,
  rolePolicies,
  STATE_MACHINE_NAME,
  TemplateResolver,
  templateEventBuses,
  templateFunctions,
  templateRoutes,
  templateRules,
} from './template';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where local runs keep what outlives them (execution histories for `cascade audit`). */
export const LOCAL_EXECUTIONS_DIR = path.join(PROJECT_ROOT, '.cascade', 'executions');

export interface LocalStackOptions {
  /** Keep DynamoDB data, function logs and the unsubscribe secret here between runs (in memory when absent). */
  dataDir?: string;
  /** Real milliseconds per Wait state (virtual time still advances by the full wait). */
  pauseMs?: number;
  /**
   * Virtual seconds per real second of one clock shared by the whole stack (e.g. 3600: an hour a second),
   * started at real now: every execution and every Lambda invocation reads it, Waits, Retry pauses and
   * task-token timeouts last their scaled length. Absent: the instant clock (each execution its own, every
   * wait passing in `pauseMs`), what the demo and the tests use.
   */
  timeScale?: number;
  /**
   * Where the stack's virtual clock starts (epoch ms; `--clock-start`): a run across a weekend or a holiday can
   * be tried on any day. Absent: real now.
   */
  clockStartMs?: number;
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
  /** `--allow-private-network`: functions may reach loopback and private targets (CASCADE_ALLOW_PRIVATE_NETWORK=1). */
  allowPrivateNetwork?: boolean;
  /** Origins of the stack's own receivers (e.g. `cascade serve --events`), added to CASCADE_TRUSTED_ORIGINS. */
  trustedOrigins?: string[];
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
  /** The SQS API (JSON protocol): AWS_ENDPOINT_URL_SQS, and the host every queue URL names. */
  sqs: string;
  linkedin: string;
  site: string;
  /** The loopback DNS server (`127.0.0.1:<port>`) the deliverability check asks. */
  dns: string;
}

export interface LocalStack {
  /** The peers as the functions (and a stock AWS CLI) reach them: each behind the IAM check. */
  endpoints: LocalEndpointsInfo;
  /** The stack's clock: the shared scaled one with `timeScale`, else the wall clock (`scale` undefined). */
  clock: StackClock;
  stepFunctions: LocalStepFunctions;
  lambda: LocalLambdaService;
  eventBridge: LocalEventBridge;
  /** Every event SES has published to the default bus so far, in order (erased persons' removed): tests, audits. */
  sesEvents: readonly Record<string, unknown>[];
  /** The template's queues and the event source mappings polling them. */
  sqs: LocalSqs;
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

/** The outside world the stack's functions talk to: DynamoDB, SES, the LinkedIn provider and the lead's sites. */
async function startBackingServices(options: LocalStackOptions, erasures: ErasureSweep) {
  const dynamo = await startDynalite({
    path: options.dataDir && path.join(options.dataDir, 'dynamodb'),
    onErasureCompleted: (leadId) => erasures.sweep(leadId),
  });
  const ses = await startSes();
  const linkedinApiKey = `local-${randomBytes(6).toString('hex')}`;
  const linkedin = await startLinkedInSandbox({
    port: 0,
    apiKey: linkedinApiKey,
    ...(options.linkedinProfilesFromLeads && { discover: linkedinMemberFromLeads }),
  });
  const site = await startSiteSandbox({ port: 0 });
  return { dynamo, ses, linkedin, linkedinApiKey, site };
}

/**
 * The deployment: synthesized with the context an operator would give (the sender identity, the provider's
 * endpoint, the account id), resolved against this machine's resources.
 */
function deployment(options: LocalStackOptions, linkedin: LinkedInSandbox, sqsUrl: string) {
  const template = synthesizeTemplate({
    ...LOCAL_DEPLOY_CONTEXT,
    linkedinBaseUrl: linkedin.url,
    linkedinAccountId: 'local-account',
    ...options.context,
  });
  options.alterTemplate?.(template);
  const resolver = new TemplateResolver(template, { apiUrl: options.publicApiUrl ?? 'http://127.0.0.1:8787', sqsUrl });
  return { template, resolver, functions: templateFunctions(resolver) };
}

/** IAM as deployed: each function's role with the template's policies; the operator's key is an administrator. */
function authorizerFor(resolver: TemplateResolver, functions: ReturnType<typeof templateFunctions>): IamAuthorizer {
  const policies = rolePolicies(resolver);
  return new IamAuthorizer({
    ...LOCAL_NAMES,
    roles: Object.fromEntries(
      functions.map((fn) => [
        fn.roleLogicalId,
        { roleName: fn.roleLogicalId, policies: policies.get(fn.roleLogicalId) ?? [] },
      ]),
    ),
    adminAccessKeys: [ADMIN_ACCESS_KEY],
  });
}

/** Puts a peer behind the IAM check; its proxy's endpoint is what functions and the operator are given. */
function iamGuard(authorizer: IamAuthorizer) {
  const proxies: AuthorizingProxy[] = [];
  const guard = async (service: Parameters<typeof startAuthorizingProxy>[0]['service'], target: string) => {
    const proxy = await startAuthorizingProxy({ target, service, authorizer, names: LOCAL_NAMES });
    proxies.push(proxy);
    return proxy.endpoint;
  };
  return { guard, proxies };
}

/**
 * EventBridge with the template's buses and rules (targets: functions and queues), and SES publishing the events
 * of mail sent with a configuration set to it.
 */
async function startEventsAndMail(
  resolver: TemplateResolver,
  lambda: LocalLambdaService,
  sqs: LocalSqs,
  sesEndpoint: string,
  dataDir?: string,
) {
  const eventBridge = new LocalEventBridge({
    ...LOCAL_NAMES,
    rules: templateRules(resolver),
    eventBusNames: templateEventBuses(resolver),
    ...eventTargets(lambda, sqs),
    retryDelayMs: 50,
  });
  const eventBridgePeer = await startEventBridgePeer(eventBridge);
  // SES publishes the events of mail sent with a configuration set to the default bus, as AWS does.
  const sesSimulator = await startSesSimulator({
    sesEndpoint,
    journalFile: dataDir && path.join(dataDir, 'ses-sent.jsonl'),
    publish: async (event) => {
      await eventBridge.deliverAndSettle(event as unknown as EventEnvelope);
    },
  });
  return { eventBridge, eventBridgePeer, sesSimulator };
}

/** SSM with the secrets each function's `*_PARAMETER` names, as the operator stores them before a deploy. */
async function startSecrets(lambda: LocalLambdaService, linkedinApiKey: string, dataDir?: string) {
  const ssm = await startSsmPeer({ names: LOCAL_NAMES });
  for (const parameter of secretParameters(lambda, {
    CASCADE_UNSUBSCRIBE_SECRET: keptSecret(dataDir, 'unsubscribe-secret'),
    CASCADE_LINKEDIN_API_KEY: linkedinApiKey,
    CASCADE_LINKEDIN_WEBHOOK_SECRET: keptSecret(dataDir, 'linkedin-webhook-secret'),
  }))
    ssm.put(parameter.name, parameter.value, 'SecureString');
  return ssm;
}

/** Step Functions running the template's state machine, each Task invoking its function at the execution's time. */
async function startStateMachine(
  template: CfnTemplate,
  lambda: LocalLambdaService,
  options: LocalStackOptions,
  { clock, instantClock }: { clock: ScaledClock | undefined; instantClock: StackClock },
) {
  const stepFunctions = new LocalStepFunctions({
    ...(clock && { clock }),
    instantClock,
    machine: extractStateMachine(template),
    stateMachineName: STATE_MACHINE_NAME,
    invoke: (arn, input, clockOffsetMs) => lambda.invoke(arn, input, { clockOffsetMs }),
    pauseMs: options.pauseMs ?? (Number(process.env.CASCADE_LOCAL_PAUSE_MS) || undefined),
    storeDir: options.executionStoreDir,
  });
  return { stepFunctions, sfnServer: await startStepFunctionsServer(stepFunctions) };
}

/**
 * Every peer of the deployment started, in the order their endpoints are needed, each behind the IAM check;
 * `close` ends them together once nothing runs any more (executions, event deliveries), the sandboxes last.
 */
async function startPeers(options: LocalStackOptions) {
  const erasures = new ErasureSweep();
  const { dynamo, ses, linkedin, linkedinApiKey, site } = await startBackingServices(options, erasures);
  const clock = options.timeScale === undefined ? undefined : new ScaledClock(options.timeScale, options.clockStartMs);
  const instantClock = options.clockStartMs === undefined ? WALL_CLOCK : new ShiftedClock(options.clockStartMs);
  const stackClock = clock ?? instantClock;
  // Queue URLs name the SQS endpoint, so it is up before the template is resolved.
  const queues = await startSqsEndpoint(stackClock, options.dataDir);
  const { template, resolver, functions } = deployment(options, linkedin, queues.endpoint);
  const authorizer = authorizerFor(resolver, functions);
  queues.authorizeWith(authorizer);
  const { guard, proxies } = iamGuard(authorizer);
  // Filled in as the peers start; a function's sandbox reads it when it starts (at its first invocation).
  const dns = await startDnsPeer();
  const endpoints: Partial<LocalEndpointsInfo> = {
    linkedin: linkedin.url,
    site: site.url,
    dns: dns.server,
    sqs: queues.endpoint,
  };
  endpoints.dynamodb = await guard('dynamodb', dynamo.endpoint);
  const logDir = options.dataDir && path.join(options.dataDir, 'logs');
  const lambda = new LocalLambdaService({
    functions,
    projectRoot: PROJECT_ROOT,
    logDir,
    localEnvironment: (fn) => functionEnvironment(fn, endpoints, options),
    clockOffsetMs: () => stackClock.offsetMs(),
    ...(clock && { clockScale: clock.scale }),
  });
  const events = await startEventsAndMail(resolver, lambda, queues.sqs, ses.endpoint, options.dataDir);
  endpoints.eventBridge = await guard('events', events.eventBridgePeer.endpoint);
  endpoints.sesApi = await guard('ses', events.sesSimulator.endpoint);
  endpoints.ses = ses.endpoint;
  const { s3, receiveMail } = await startMailDrop(resolver, lambda, options.dataDir);
  endpoints.s3 = await guard('s3', s3.endpoint);
  const ssm = await startSecrets(lambda, linkedinApiKey, options.dataDir);
  endpoints.ssm = await guard('ssm', ssm.endpoint);
  const { stepFunctions, sfnServer } = await startStateMachine(template, lambda, options, { clock, instantClock });
  endpoints.stepFunctions = await guard('states', sfnServer.endpoint);
  await deployTables(resolver, dynamo.endpoint);
  // Last: messages kept from an earlier run (`--data`) are handed to functions only once everything is up.
  deployQueues(queues.sqs, resolver, lambda);
  erasures.peers = { dynamo, stepFunctions, sesSimulator: events.sesSimulator };

  const closeSes = () => new Promise<void>((resolve) => ses.server.close(() => resolve()));
  const servers = [
    sfnServer,
    events.eventBridgePeer,
    ssm,
    s3,
    ...proxies,
    ...queues.servers,
    events.sesSimulator,
    linkedin,
    site,
    dns,
  ];
  const close = async () => {
    await stepFunctions.drain();
    await events.eventBridge.drain();
    // No new batch starts; those running finish (their own puts and sends land) before Lambda stops.
    queues.sqs.stop();
    await queues.sqs.drain();
    await events.eventBridge.drain();
    ses.server.closeAllConnections?.();
    await Promise.all([...servers.map((server) => server.close()), closeSes()]);
    await lambda.close();
    // The database last: a late event (an SES notification published after the drains) may still be writing
    // through a function, and dynalite rejects a write on a closed database outside any caller's reach.
    await dynamo.close();
  };
  const { eventBridge } = events;
  return {
    endpoints: endpoints as LocalEndpointsInfo,
    clock: stackClock,
    resolver,
    functions,
    logDir,
    lambda,
    eventBridge,
    sesEvents: events.sesSimulator.published,
    sqs: queues.sqs,
    ssm,
    stepFunctions,
    linkedin,
    site,
    receiveMail,
    close,
  };
}

/**
 * The embedded stack: the synthesized template run on loopback. Real API-compatible peers (dynalite,
 * aws-ses-v2-local, our Step Functions, SSM and EventBridge peers) each behind the IAM check of the calling
 * function's role; every function in its own sandbox with exactly its template environment; events routed
 * by the template's rules. Only endpoints, credentials and the clock differ from AWS.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const { resolver, functions, logDir, ssm, stepFunctions, ...peers } = await startPeers(options);
  const environment = operatorEnvironment(functions, peers.endpoints, options.logLevel, options);
  Object.assign(process.env, environment);
  // The operator's own calls into the core (tests, in-process CLI verbs) read the secrets the functions read.
  await loadSecrets({ forceFetch: true });
  // A killed `cascade serve --data DIR` left executions running: drive them to their end.
  // The mail SES took before a kill settles the tries it interrupted (the journal's events, replayed first).
  if (options.dataDir) {
    const journal = path.join(options.dataDir, 'ses-sent.jsonl');
    await replaySesJournal(journal, async (event) => {
      await peers.eventBridge.deliverAndSettle(event as unknown as EventEnvelope);
    });
  }
  // The shared clock starts now that the stack is up; executions left running catch it up to their time.
  if (peers.clock instanceof ScaledClock) peers.clock.run();
  stepFunctions.resumeInterrupted();
  return {
    ...peers,
    ssm,
    stepFunctions,
    stateMachineArn: stepFunctions.stateMachineArn,
    template: resolver,
    routes: templateRoutes(resolver),
    ...(logDir && { logDir }),
    environment,
    async setSecret(name, value) {
      const parameter = environment[SECRETS[name].parameterEnv];
      if (!parameter) throw new Error(`no function of the template reads ${name}`);
      ssm.put(parameter, value, 'SecureString');
      await loadSecrets({ forceFetch: true });
    },
  };
}
