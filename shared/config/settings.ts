import { CodedError } from '../errors';

/**
 * The one declaration of what each Lambda function reads from its environment. The CDK stack builds every
 * function's environment from it (infra/function-environment.ts), the embedded stack runs exactly that
 * environment, and the core reads settings only through `setting()` / `requiredSetting()` — so a setting a
 * function needs but the template does not give it is a test failure here, not a surprise in AWS.
 */

/** The construct ids of the functions (the template's logical ids start with them). */
export const FUNCTION_IDS = [
  'SendEmailFunction',
  'SendLinkedInFunction',
  'SubmitContactFormFunction',
  'CreatePhoneTaskFunction',
  'FinishSequenceFunction',
  'CheckDeliveryFunction',
  'AwaitPersonFunction',
  'SesEventsFunction',
  'LaunchBatchFunction',
  'InboundEmailFunction',
  'ApiFunction',
  'DispatchWebhooksFunction',
] as const;
export type FunctionId = (typeof FUNCTION_IDS)[number];

/** Functions that render templates (a template may use `unsubscribeUrl`) or send on a channel. */
const SENDING: readonly FunctionId[] = [
  'SendEmailFunction',
  'SendLinkedInFunction',
  'SubmitContactFormFunction',
  'CreatePhoneTaskFunction',
  'ApiFunction',
];

export interface SettingSpec {
  /** The environment variable. */
  env: string;
  /** Which functions are given it. */
  functions: readonly FunctionId[] | 'all';
  /** Where its value comes from in the stack. */
  source: string;
  /** Absent is a configuration error (else the setting is optional, e.g. a channel setting may replace it). */
  required: boolean;
}

/** Table names: every function is given all five (what it may do with each is its IAM grant's business). */
const table = (env: string, id: string): SettingSpec => ({
  env,
  functions: 'all',
  source: `the ${id} table's name`,
  required: true,
});

export const SETTINGS = {
  CASCADE_CONFIG_TABLE: table('CASCADE_CONFIG_TABLE', 'Config'),
  CASCADE_LEADS_TABLE: table('CASCADE_LEADS_TABLE', 'Leads'),
  CASCADE_OUTREACH_TABLE: table('CASCADE_OUTREACH_TABLE', 'Outreach'),
  CASCADE_RATE_TABLE: table('CASCADE_RATE_TABLE', 'RateCounters'),
  CASCADE_SUPPRESSIONS_TABLE: table('CASCADE_SUPPRESSIONS_TABLE', 'Suppressions'),
  CASCADE_STATE_MACHINE_ARN: {
    env: 'CASCADE_STATE_MACHINE_ARN',
    // SesEventsFunction: a late bounce of the mail that ended a sequence continues it in a new execution.
    functions: ['SesEventsFunction', 'LaunchBatchFunction', 'InboundEmailFunction', 'ApiFunction'],
    source: "the outreach state machine's ARN",
    required: true,
  },
  CASCADE_PUBLIC_API_URL: {
    env: 'CASCADE_PUBLIC_API_URL',
    functions: SENDING,
    source: "the HTTP API's URL, or https://<publicDomain>/ from the context (unsubscribe links)",
    required: true,
  },
  CASCADE_SES_CONFIGURATION_SET: {
    env: 'CASCADE_SES_CONFIGURATION_SET',
    functions: ['SendEmailFunction', 'ApiFunction'],
    source: "the mail configuration set's name",
    required: true,
  },
  CASCADE_LINKEDIN_BASE_URL: {
    env: 'CASCADE_LINKEDIN_BASE_URL',
    functions: ['SendLinkedInFunction'],
    source: 'context linkedinBaseUrl (a channel setting `providerBaseUrl` overrides it)',
    required: false,
  },
  CASCADE_LINKEDIN_ACCOUNT_ID: {
    env: 'CASCADE_LINKEDIN_ACCOUNT_ID',
    functions: ['SendLinkedInFunction', 'ApiFunction'],
    source: 'context linkedinAccountId (a channel setting `accountId` overrides it)',
    required: false,
  },
  CASCADE_EVENT_BUS_NAME: {
    env: 'CASCADE_EVENT_BUS_NAME',
    // Every function may make a fact true (PRODUCT.md §11), and the dispatcher republishes what could not be put.
    functions: 'all',
    source: "the Cascade event bus's name (webhook events, operators' own rules)",
    required: true,
  },
  CASCADE_WEBHOOK_QUEUE_URL: {
    env: 'CASCADE_WEBHOOK_QUEUE_URL',
    // The dispatcher queues a delivery's next try; the API queues an operator's replay.
    functions: ['DispatchWebhooksFunction', 'ApiFunction'],
    source: "the webhook delivery queue's URL",
    required: true,
  },
} satisfies Record<string, SettingSpec>;
export type SettingName = keyof typeof SETTINGS & string;

/** Secrets: SSM SecureString parameters; the function is given the parameter's *name* and reads the value. */
export const SECRETS = {
  CASCADE_UNSUBSCRIBE_SECRET: {
    parameterEnv: 'CASCADE_UNSUBSCRIBE_SECRET_PARAMETER',
    parameter: 'unsubscribe-secret',
    functions: SENDING,
  },
  CASCADE_LINKEDIN_API_KEY: {
    parameterEnv: 'CASCADE_LINKEDIN_API_KEY_PARAMETER',
    parameter: 'linkedin-api-key',
    functions: ['SendLinkedInFunction'],
  },
  CASCADE_LINKEDIN_WEBHOOK_SECRET: {
    parameterEnv: 'CASCADE_LINKEDIN_WEBHOOK_SECRET_PARAMETER',
    parameter: 'linkedin-webhook-secret',
    functions: ['ApiFunction'],
  },
} as const satisfies Record<string, { parameterEnv: string; parameter: string; functions: readonly FunctionId[] }>;
export type SecretName = keyof typeof SECRETS;
export const SECRET_NAMES = Object.keys(SECRETS) as SecretName[];

/** What every function is given besides its settings: Powertools' service name and log level, source maps. */
export const COMMON_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: 'cascade',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  NODE_OPTIONS: '--enable-source-maps',
} as const;

const givenTo = (functions: readonly FunctionId[] | 'all', id: FunctionId) =>
  functions === 'all' || functions.includes(id);

/** The settings a function is given. */
export function settingsOf(id: FunctionId): SettingName[] {
  return (Object.entries(SETTINGS) as [SettingName, SettingSpec][])
    .filter(([, spec]) => givenTo(spec.functions, id))
    .map(([name]) => name);
}

/** The secrets a function reads. */
export function secretsOf(id: FunctionId): SecretName[] {
  return SECRET_NAMES.filter((name) => givenTo(SECRETS[name].functions, id));
}

/**
 * A function's whole environment, from values for every setting it is given and the secret parameter prefix.
 * The stack calls it for each function; a missing value for a required setting is a synth-time error.
 */
export function environmentFor(
  id: FunctionId,
  values: Partial<Record<SettingName, string>>,
  secretPrefix: string,
): Record<string, string> {
  const environment: Record<string, string> = { ...COMMON_ENVIRONMENT };
  for (const name of settingsOf(id)) {
    const value = values[name];
    if (value === undefined || value === '') {
      if ((SETTINGS[name] as SettingSpec).required) throw new Error(`${id}: no value for ${name}`);
      continue;
    }
    environment[name] = value;
  }
  for (const name of secretsOf(id))
    environment[SECRETS[name].parameterEnv] = `${secretPrefix}/${SECRETS[name].parameter}`;
  return environment;
}

/** A setting this function needs but was not given: a deploy defect, never the lead's fault. */
export class ConfigurationError extends CodedError('ConfigurationError', 'configuration_error', 'internal') {}

/** An optional setting (undefined when not given). */
export function setting(name: SettingName): string | undefined {
  const value = process.env[SETTINGS[name].env];
  return value ? value : undefined;
}

/** A setting the running function must have been given. */
export function requiredSetting(name: SettingName): string {
  const value = setting(name);
  if (value === undefined) {
    const spec = SETTINGS[name] as SettingSpec;
    throw new ConfigurationError(
      `${spec.env} is not set: the stack gives it (${spec.source}) to ${
        spec.functions === 'all' ? 'every function' : spec.functions.join(', ')
      }`,
    );
  }
  return value;
}

/**
 * Endpoint plumbing for the outbound HTTP guard, set only by the embedded stack (never by the template):
 * where `*.example` sites resolve (the sandbox site), which loopback origins are our own peers, and
 * `--allow-private-network`. They are endpoints, the one thing allowed to differ from AWS.
 */
export const LOCAL_NETWORK_SETTINGS = [
  'CASCADE_CONNECT_TO',
  'CASCADE_TRUSTED_ORIGINS',
  'CASCADE_ALLOW_PRIVATE_NETWORK',
  /** The DNS servers the deliverability check asks (the embedded stack's loopback DNS peer). */
  'CASCADE_DNS_SERVERS',
] as const;
export type LocalNetworkSetting = (typeof LOCAL_NETWORK_SETTINGS)[number];

export function localNetworkSetting(name: LocalNetworkSetting): string | undefined {
  return process.env[name] || undefined;
}

/** Variables the Lambda runtime itself sets (never the template): read here like every other setting. */
export const LAMBDA_RUNTIME_VARIABLES = ['AWS_LAMBDA_RUNTIME_API', 'AWS_LAMBDA_FUNCTION_NAME', 'AWS_REGION'] as const;

export function runtimeVariable(name: (typeof LAMBDA_RUNTIME_VARIABLES)[number]): string | undefined {
  return process.env[name] || undefined;
}
