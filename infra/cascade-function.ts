import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CfnResource, Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { environmentFor, type FunctionId, SECRETS, type SettingName, secretsOf } from '#shared/config/settings';
import { acknowledge } from './acknowledgements';
import type { DataTables, TableGrants } from './data-tables';
import { deadLetterQueue } from './dead-letters';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Resource metadata key naming a function's source entry; the embedded runtime maps Tasks to handlers with it. */
export const ENTRY_METADATA = 'cascade:entry';

/** How long function, API and execution logs are kept. */
export const LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

/** What every function runs with unless it says otherwise (bundled as ESM for Node 22 on arm64, traced). */
const FUNCTION_DEFAULTS = {
  runtime: lambda.Runtime.NODEJS_22_X,
  architecture: lambda.Architecture.ARM_64,
  memorySize: 512,
  timeout: Duration.seconds(60),
  tracing: lambda.Tracing.ACTIVE,
  bundling: {
    format: nodejs.OutputFormat.ESM,
    minify: true,
    sourceMap: true,
    target: 'node22',
    // CommonJS dependencies inside an ESM bundle still call require().
    banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
} satisfies Partial<nodejs.NodejsFunctionProps>;

const RUNTIME_REASON =
  'Cascade targets the nodejs22.x Lambda runtime (the platform the project supports and tests against); moving to a newer runtime is a deliberate upgrade, not a lint fix';

/** The setting values a function's environment is built from (shared/config/settings.ts names which it reads). */
export type SettingValues = Partial<Record<SettingName, string>>;

export interface CascadeFunctionProps extends Partial<nodejs.NodejsFunctionProps> {
  /** The handler's folder under functions/ (its `index.ts` is the entry). */
  entryFolder: string;
  /** The values of the settings it reads; a required one missing fails the synth. */
  settings: SettingValues;
  /** Prefix of the SSM parameter names of the secrets. */
  secretPrefix: string;
  /** The tables `bindTables` grants. */
  tables: DataTables;
}

/**
 * One Cascade Lambda, built from its declaration in shared/config/settings.ts: the environment holds exactly the
 * settings it reads, its role may read exactly the secrets it reads, and `bindTables` grants exactly the tables
 * it uses. It has its own role (no managed policy: it may write its own log group, grants add the rest), its own
 * log group with a retention, and X-Ray.
 *
 * Without a `deadLetterQueue` it is invoked synchronously only (a Step Functions Task, API Gateway), where the
 * caller sees and handles every failure; the log group and the role are the stack's children beside it
 * (`<id>Logs`, `<id>Role`), the logical ids the deployed stack has.
 */
export class CascadeFunction extends nodejs.NodejsFunction {
  private readonly tables: DataTables;

  constructor(scope: Stack, id: FunctionId, props: CascadeFunctionProps) {
    const { entryFolder, settings, secretPrefix, tables, ...overrides } = props;
    const entry = path.join('functions', entryFolder, 'index.ts');
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Cascade ${entryFolder} function`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      ...FUNCTION_DEFAULTS,
      entry: path.join(projectRoot, entry),
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      role,
      logGroup,
      environment: environmentFor(id, settings, secretPrefix),
      ...overrides,
    });
    this.tables = tables;
    (this.node.defaultChild as CfnResource).addMetadata(ENTRY_METADATA, entry);
    acknowledge(this, 'AwsSolutions-L1', RUNTIME_REASON);
    acknowledge(this, 'Serverless-LambdaLatestVersion', RUNTIME_REASON);
    this.allowSecrets(id, secretPrefix);
    if (!overrides.deadLetterQueue) {
      acknowledge(
        this,
        'Serverless-LambdaDLQ',
        'Invoked synchronously only (a Step Functions Task or API Gateway): the caller receives every failure ' +
          'and handles it (Task retry/catch, an HTTP 5xx); a dead-letter queue only ever receives failed ' +
          'asynchronous invocations.',
      );
    }
  }

  /** Grants the tables this function uses, each with its access, and nothing else of DynamoDB. */
  bindTables(grants: TableGrants): this {
    this.tables.grant(this, grants);
    return this;
  }

  /**
   * Secrets live in SSM SecureString parameters the operator creates (CloudFormation cannot); a function may
   * read exactly the ones it is declared to read.
   */
  private allowSecrets(id: FunctionId, secretPrefix: string): void {
    const names = secretsOf(id).map((secret) => `${secretPrefix}/${SECRETS[secret].parameter}`.replace(/^\//, ''));
    if (names.length === 0) return;
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: names.map((name) =>
          this.stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name }),
        ),
      }),
    );
  }
}

export interface FunctionOptions extends Partial<nodejs.NodejsFunctionProps> {
  /** Invoked asynchronously (an EventBridge rule, an S3 notification): gets the functions' dead-letter queue. */
  invokedAsync?: boolean;
}

/**
 * The stack's functions and what they are built from. A function is given the settings it reads as they are
 * known when it is made, so the resources it names come first: the stack `provide`s each value as it makes
 * the resource (the state machine's ARN before the functions that start executions).
 */
export class CascadeFunctions {
  /** The functions by construct id (SendEmailFunction, ApiFunction, …). */
  readonly byId: Record<string, CascadeFunction> = {};
  /** Failed asynchronous invocations (EventBridge rules, the S3 notification) after Lambda's own retries. */
  readonly deadLetters: sqs.Queue;
  private readonly settings: SettingValues;

  constructor(
    private readonly stack: Stack,
    private readonly base: { settings: SettingValues; secretPrefix: string; tables: DataTables },
  ) {
    this.settings = { ...base.settings };
    this.deadLetters = deadLetterQueue(stack, 'FunctionDeadLetters');
  }

  /** A setting value the functions made from now on are given. */
  provide(name: SettingName, value: string): void {
    this.settings[name] = value;
  }

  add(id: FunctionId, entryFolder: string, options: FunctionOptions = {}): CascadeFunction {
    const { invokedAsync = false, ...overrides } = options;
    const created = new CascadeFunction(this.stack, id, {
      entryFolder,
      settings: this.settings,
      secretPrefix: this.base.secretPrefix,
      tables: this.base.tables,
      ...(invokedAsync && { deadLetterQueue: this.deadLetters }),
      ...overrides,
    });
    this.byId[id] = created;
    return created;
  }
}
