import './polyfills';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sesLocal from 'aws-ses-v2-local';
import type { Lead } from '../../shared/domain/schemas';
import { createTables, startDynalite, tableEnvironment } from './dynamodb';
import { type LinkedInSandbox, startLinkedInSandbox } from './linkedin-sandbox';
import { startSesSimulator } from './ses-simulator';
import { type SiteSandbox, startSiteSandbox } from './site-sandbox';
import { LocalStepFunctions, localLambdaContext, startStepFunctionsServer } from './stepfunctions';
import { extractStateMachine, synthesizeTemplate } from './synth';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where local runs keep what outlives them (execution histories for `cascade audit`). */
export const LOCAL_EXECUTIONS_DIR = path.join(PROJECT_ROOT, '.cascade', 'executions');

export interface LocalStackOptions {
  /** Keep DynamoDB data here between runs (in memory when absent). */
  dataDir?: string;
  /** Real milliseconds per Wait state (virtual time still advances by the full wait). */
  pauseMs?: number;
  /** Log level for the handlers' Powertools logger (default SILENT, the demo prints its own lines). */
  logLevel?: string;
  /** Base URL the unsubscribe links point to. */
  publicApiUrl?: string;
  /** Where ended executions are kept for `cascade audit` (default: not kept). */
  executionStoreDir?: string;
  /**
   * Let the LinkedIn sandbox find members it was not seeded with among the stored leads (their imported
   * `linkedin_status`), as `cascade demo` seeds them up front; for leads imported through the API.
   */
  linkedinProfilesFromLeads?: boolean;
}

export interface LocalStack {
  endpoints: { dynamodb: string; ses: string; stepFunctions: string; linkedin: string; site: string };
  stepFunctions: LocalStepFunctions;
  linkedin: LinkedInSandbox;
  site: SiteSandbox;
  stateMachineArn: string;
  environment: Record<string, string>;
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

/** A random signing secret; with a data directory, the one kept there, so earlier unsubscribe links stay valid. */
function unsubscribeSecret(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(16).toString('hex');
  const file = path.join(dataDir, 'unsubscribe-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(16).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** A LinkedIn member as the stored leads describe it: the relation imported with the lead whose profile URL it is. */
async function linkedinMemberFromLeads(publicIdentifier: string) {
  const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const { documentClient } = await import('../../shared/store/client');
  const { tableName } = await import('../../shared/store/tables');
  const { publicIdentifierFrom } = await import('../../shared/channels/linkedin/provider-client');
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: tableName('leads'),
        FilterExpression: 'attribute_exists(linkedinUrl)',
        ProjectionExpression: 'linkedinUrl, linkedinConnectionStatus, firstName, lastName',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const lead = item as Pick<Lead, 'linkedinUrl' | 'linkedinConnectionStatus' | 'firstName' | 'lastName'>;
      if (lead.linkedinUrl && publicIdentifierFrom(lead.linkedinUrl) === publicIdentifier)
        return { status: lead.linkedinConnectionStatus, firstName: lead.firstName, lastName: lead.lastName };
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return undefined;
}

/**
 * The embedded stack: real API-compatible peers on loopback, and the process environment pointed at
 * them, so the handlers' own AWS SDK clients and HTTP calls reach them exactly as they reach AWS.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const dynamo = await startDynalite({ path: options.dataDir && path.join(options.dataDir, 'dynamodb') });
  const ses = await startSes();
  // SES events as the mailbox simulator produces them, through the same handler EventBridge invokes in AWS.
  const sesSimulator = await startSesSimulator({
    sesEndpoint: ses.endpoint,
    journalFile: options.dataDir && path.join(options.dataDir, 'ses-sent.jsonl'),
    publish: async (event) => {
      const { handler } = await import('../../functions/ses-events/index');
      await handler(event, localLambdaContext('SesEventsFunction'));
    },
  });
  const linkedinApiKey = `local-${randomBytes(6).toString('hex')}`;
  const linkedin = await startLinkedInSandbox({
    port: 0,
    apiKey: linkedinApiKey,
    ...(options.linkedinProfilesFromLeads && { discover: linkedinMemberFromLeads }),
  });
  const site = await startSiteSandbox({ port: 0 });

  const prefix = 'cascade-local';
  const environment: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SESV2: sesSimulator.endpoint,
    ...tableEnvironment(prefix),
    CASCADE_SES_CONFIGURATION_SET: 'cascade-local',
    CASCADE_LINKEDIN_BASE_URL: linkedin.url,
    CASCADE_LINKEDIN_API_KEY: linkedinApiKey,
    CASCADE_LINKEDIN_ACCOUNT_ID: 'local-account',
    CASCADE_CONNECT_TO: `*.example=${site.url}`,
    // The outbound guard refuses private addresses; trust exactly our own peers (the site sandbox is
    // trusted as the CASCADE_CONNECT_TO target).
    CASCADE_TRUSTED_ORIGINS: linkedin.url,
    CASCADE_UNSUBSCRIBE_SECRET: process.env.CASCADE_UNSUBSCRIBE_SECRET ?? unsubscribeSecret(options.dataDir),
    CASCADE_PUBLIC_API_URL: options.publicApiUrl ?? 'http://127.0.0.1:8787',
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'SILENT',
    POWERTOOLS_DEV: 'true',
    // This machine runs Node 20 while the Lambdas run nodejs22.x; the SDK's Node-version notice is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  Object.assign(process.env, environment);
  await createTables(dynamo.endpoint, prefix);

  const machine = extractStateMachine(synthesizeTemplate());
  const stepFunctions = new LocalStepFunctions({
    machine,
    projectRoot: PROJECT_ROOT,
    pauseMs: options.pauseMs ?? (Number(process.env.CASCADE_LOCAL_PAUSE_MS) || undefined),
    storeDir: options.executionStoreDir,
  });
  const sfnServer = await startStepFunctionsServer(stepFunctions);
  environment.AWS_ENDPOINT_URL_SFN = sfnServer.endpoint;
  environment.CASCADE_STATE_MACHINE_ARN = stepFunctions.stateMachineArn;
  Object.assign(process.env, environment);
  // A killed `cascade serve --data DIR` left executions running: drive them to their end.
  stepFunctions.resumeInterrupted();

  return {
    endpoints: {
      dynamodb: dynamo.endpoint,
      ses: ses.endpoint,
      stepFunctions: sfnServer.endpoint,
      linkedin: linkedin.url,
      site: site.url,
    },
    stepFunctions,
    linkedin,
    site,
    stateMachineArn: stepFunctions.stateMachineArn,
    environment,
    async close() {
      await stepFunctions.drain();
      ses.server.closeAllConnections?.();
      await Promise.all([
        sfnServer.close(),
        new Promise<void>((resolve) => ses.server.close(() => resolve())),
        sesSimulator.close(),
        linkedin.close(),
        site.close(),
        dynamo.close(),
      ]);
    },
  };
}
