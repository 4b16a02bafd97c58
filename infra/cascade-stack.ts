import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, type CfnResource, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { environmentFor, type FunctionId, SECRETS, type SettingName, secretsOf } from '#shared/config/settings';
import { ALL_TABLES, type TableSpec } from '#shared/store/tables';
import { acknowledge, acknowledgeReviewedWildcards } from './acknowledgements';
import { deploymentContext } from './deployment-context';
import { OutreachObservability } from './observability';
import { OperatorApi } from './operator-api';
import { OutreachStateMachine } from './outreach-state-machine';
import { ReplyReceipt } from './reply-receipt';
import { SES_DETAIL_TYPES } from './ses-events-pattern';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Resource metadata key naming a function's source entry; the embedded runtime maps Tasks to handlers with it. */
export const ENTRY_METADATA = 'cascade:entry';

/** Tables that hold personal data (leads, the messages sent to them, their addresses): encrypted with our own key. */
export const PERSONAL_DATA_TABLES: readonly TableSpec['id'][] = ['Leads', 'Outreach', 'Suppressions'];

/** How long function, API and execution logs are kept. */
export const LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

/** Concurrent LinkedIn sends: the provider account allows a handful of actions per hour (default 5), never a burst. */
export const LINKEDIN_CONCURRENCY = 2;

const DYNAMODB_READ = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
const DYNAMODB_WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
/** What DynamoDB asks of the caller's key permissions for a customer managed table key (reads decrypt, writes also encrypt). */
const KMS_READ = ['kms:Decrypt', 'kms:DescribeKey'];
const KMS_WRITE = [
  'kms:Encrypt',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

type TableAccess = 'read' | 'readWrite';

export interface CascadeStackProps extends StackProps {
  /** Verified SES identity (domain or address) mail is sent from (else context `senderIdentity`). */
  senderIdentity?: string;
  /** Schedule for batch launches (else context `batchSchedule`, else hourly 8–17 UTC on weekdays). */
  batchSchedule?: events.Schedule;
}

export class CascadeStack extends Stack {
  readonly tables: Record<TableSpec['id'], dynamodb.TableV2>;
  /** Encrypts the personal-data tables (rotated yearly); retained with them. */
  readonly personalDataKey: kms.Key;
  readonly stateMachine: OutreachStateMachine;
  readonly operatorApi: OperatorApi;
  /** The functions by construct id (SendEmailFunction, ApiFunction, …). */
  readonly functions: Record<string, nodejs.NodejsFunction> = {};

  constructor(scope: Construct, id: string, props: CascadeStackProps = {}) {
    super(scope, id, props);

    this.personalDataKey = new kms.Key(this, 'PersonalDataKey', {
      description: 'Cascade: encrypts the Leads, Outreach and Suppressions tables (personal data)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.tables = Object.fromEntries(ALL_TABLES.map((spec) => [spec.id, this.table(spec)])) as Record<
      TableSpec['id'],
      dynamodb.TableV2
    >;
    const context = deploymentContext(this, props);
    // Each function's environment is built from shared/config/settings.ts: the values below, for the settings
    // that function is declared to read (filled in as the resources they name are made).
    const settingValues: Partial<Record<SettingName, string>> = Object.fromEntries(
      ALL_TABLES.map((spec) => [spec.envVar, this.tables[spec.id].tableName]),
    );
    // The API exists first so its URL can go into every unsubscribe link (or the public domain's, if given).
    this.operatorApi = new OperatorApi(this, 'OperatorApi');
    settingValues.CASCADE_PUBLIC_API_URL = context.publicApiUrl ?? this.operatorApi.url;
    if (context.linkedinBaseUrl) settingValues.CASCADE_LINKEDIN_BASE_URL = context.linkedinBaseUrl;
    if (context.linkedinAccountId) settingValues.CASCADE_LINKEDIN_ACCOUNT_ID = context.linkedinAccountId;

    const configurationSet = new ses.ConfigurationSet(this, 'MailConfigurationSet', {
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const { senderIdentity, secretPrefix } = context;
    settingValues.CASCADE_SES_CONFIGURATION_SET = configurationSet.configurationSetName;
    // Secrets live in SSM SecureString parameters the operator creates (CloudFormation cannot); a function
    // may read exactly the ones it is declared to read (shared/config/settings.ts).
    const readSecrets = (id: FunctionId) => {
      const names = secretsOf(id).map((secret) => `${secretPrefix}/${SECRETS[secret].parameter}`.replace(/^\//, ''));
      if (names.length === 0) return undefined;
      return new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: names.map((name) => this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name })),
      });
    };
    // Failed asynchronous invocations (EventBridge rules, the S3 notification) after Lambda's own retries.
    const functionDeadLetters = new sqs.Queue(this, 'FunctionDeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    /**
     * One function: its own role (no managed policy: it may write its own log group and read the secrets,
     * grants add the rest), its own log group with a retention, X-Ray. `invokedAsync` functions get the
     * dead-letter queue; the others are invoked synchronously (Step Functions Tasks, API Gateway), where the
     * caller sees and handles every failure.
     */
    const fn = (
      name: FunctionId,
      entryFolder: string,
      options: Partial<nodejs.NodejsFunctionProps> & { invokedAsync?: boolean } = {},
    ) => {
      const { invokedAsync = false, ...functionOptions } = options;
      const entry = path.join('functions', entryFolder, 'index.ts');
      const logGroup = new logs.LogGroup(this, `${name}Logs`, {
        retention: LOG_RETENTION,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const role = new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Cascade ${entryFolder} function`,
      });
      logGroup.grantWrite(role);
      const created = new nodejs.NodejsFunction(this, name, {
        entry: path.join(projectRoot, entry),
        projectRoot,
        depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 512,
        timeout: Duration.seconds(60),
        tracing: lambda.Tracing.ACTIVE,
        role,
        logGroup,
        environment: environmentFor(name, settingValues, secretPrefix),
        bundling: {
          format: nodejs.OutputFormat.ESM,
          minify: true,
          sourceMap: true,
          target: 'node22',
          // CommonJS dependencies inside an ESM bundle still call require().
          banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        },
        ...(invokedAsync && { deadLetterQueue: functionDeadLetters }),
        ...functionOptions,
      });
      (created.node.defaultChild as CfnResource).addMetadata(ENTRY_METADATA, entry);
      const runtimeReason =
        'Cascade targets the nodejs22.x Lambda runtime (the platform the project supports and tests against); moving to a newer runtime is a deliberate upgrade, not a lint fix';
      acknowledge(created, 'AwsSolutions-L1', runtimeReason);
      acknowledge(created, 'Serverless-LambdaLatestVersion', runtimeReason);
      const secrets = readSecrets(name);
      if (secrets) created.addToRolePolicy(secrets);
      if (!invokedAsync) {
        acknowledge(
          created,
          'Serverless-LambdaDLQ',
          'Invoked synchronously only (a Step Functions Task or API Gateway): the caller receives every failure ' +
            'and handles it (Task retry/catch, an HTTP 5xx); a dead-letter queue only ever receives failed ' +
            'asynchronous invocations.',
        );
      }
      this.functions[name] = created;
      return created;
    };

    const sendEmail = fn('SendEmailFunction', 'send-email');
    // The LinkedIn provider must never see a burst: Step Functions retries a throttled invocation.
    const sendLinkedIn = fn('SendLinkedInFunction', 'send-linkedin', {
      reservedConcurrentExecutions: LINKEDIN_CONCURRENCY,
    });
    const submitContactForm = fn('SubmitContactFormFunction', 'submit-contact-form', { timeout: Duration.seconds(90) });
    const createPhoneTask = fn('CreatePhoneTaskFunction', 'create-phone-task');
    const finishSequence = fn('FinishSequenceFunction', 'finish-sequence');
    const checkDelivery = fn('CheckDeliveryFunction', 'check-delivery');
    // RateCounters: a bounced email gives back the lead's cooldown slot (shared/outreach/check-delivery.ts).
    this.grantTables(checkDelivery, { Outreach: 'read', Leads: 'read', RateCounters: 'readWrite' });

    const channelFunctions = [sendEmail, sendLinkedIn, submitContactForm, createPhoneTask];
    for (const channelFunction of [...channelFunctions, finishSequence]) {
      this.grantTables(channelFunction, {
        Leads: 'readWrite',
        Outreach: 'readWrite',
        RateCounters: 'readWrite',
        Config: 'read',
        Suppressions: 'read',
      });
    }
    sendEmail.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          this.formatArn({ service: 'ses', resource: 'identity', resourceName: senderIdentity }),
          this.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: configurationSet.configurationSetName,
          }),
        ],
      }),
    );

    this.stateMachine = new OutreachStateMachine(this, 'Outreach', {
      sendEmail,
      sendLinkedIn,
      submitContactForm,
      createPhoneTask,
      checkDelivery,
      finishSequence,
    });

    // SES events (delivery, bounce, complaint, …) reach the tracking handler through the default bus.
    const eventsDeadLetters = new sqs.Queue(this, 'EventsDeadLetters', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    const sesEvents = fn('SesEventsFunction', 'ses-events', { invokedAsync: true });
    this.grantTables(sesEvents, { Outreach: 'readWrite', Leads: 'readWrite', Suppressions: 'readWrite' });
    configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(events.EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [
        ses.EmailSendingEvent.SEND,
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.REJECT,
        ses.EmailSendingEvent.OPEN,
        ses.EmailSendingEvent.CLICK,
        ses.EmailSendingEvent.DELIVERY_DELAY,
        ses.EmailSendingEvent.RENDERING_FAILURE,
        ses.EmailSendingEvent.SUBSCRIPTION,
      ],
    });
    // Matched on what AWS documents for every SES event on EventBridge: the source, the detail type, and the
    // `ses:configuration-set` tag SES puts on every mail sent with a configuration set (not `resources`).
    new events.Rule(this, 'SesEventsRule', {
      description: 'SES events of the Cascade configuration set to the tracking handler',
      eventPattern: {
        source: ['aws.ses'],
        detailType: [...SES_DETAIL_TYPES],
        detail: { mail: { tags: { 'ses:configuration-set': [configurationSet.configurationSetName] } } },
      },
      targets: [new targets.LambdaFunction(sesEvents, { retryAttempts: 8, deadLetterQueue: eventsDeadLetters })],
    });

    settingValues.CASCADE_STATE_MACHINE_ARN = this.stateMachine.stateMachine.stateMachineArn;
    const launchBatch = fn('LaunchBatchFunction', 'launch-batch', { invokedAsync: true, timeout: Duration.minutes(5) });
    this.grantTables(launchBatch, { Leads: 'readWrite', Suppressions: 'read', Config: 'read' });
    this.stateMachine.stateMachine.grantStartExecution(launchBatch);

    new events.Rule(this, 'BatchSchedule', {
      description: 'Launches a batch of NEW leads for every active campaign',
      schedule: context.batchSchedule,
      targets: [
        new targets.LambdaFunction(launchBatch, {
          event: events.RuleTargetInput.fromObject({ allActiveCampaigns: true }),
          retryAttempts: 8,
          deadLetterQueue: eventsDeadLetters,
        }),
      ],
    });

    // Replies: SES receipt rule → S3 → inbound-email (matches the per-message reply address or In-Reply-To).
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const inboundMail = new s3.Bucket(this, 'InboundMail', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'inbound-mail/',
      lifecycleRules: [{ expiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const inboundEmail = fn('InboundEmailFunction', 'inbound-email', { invokedAsync: true });
    // Only the objects the receipt rule writes, only read.
    inboundEmail.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [inboundMail.arnForObjects('inbound/*')] }),
    );
    this.grantTables(inboundEmail, { Outreach: 'readWrite', Leads: 'readWrite' });
    this.stateMachine.stateMachine.grantExecution(inboundEmail, 'states:StopExecution');
    inboundMail.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(inboundEmail), {
      prefix: 'inbound/',
    });
    if (context.replyDomain) new ReplyReceipt(this, 'ReplyReceipt', { replyDomain: context.replyDomain, inboundMail });

    // Operator API: one middy router Lambda behind an HTTP API with IAM auth (unsubscribe is public).
    const api = fn('ApiFunction', 'api', { timeout: Duration.seconds(29), memorySize: 1024 });
    this.grantTables(
      api,
      Object.fromEntries(ALL_TABLES.map((spec) => [spec.id, 'readWrite'])) as Record<TableSpec['id'], TableAccess>,
    );
    this.stateMachine.stateMachine.grantStartExecution(api);
    // Audit (DescribeExecution, GetExecutionHistory) and stopping a lead's run; nothing else of Step Functions.
    this.stateMachine.stateMachine.grantExecution(
      api,
      'states:DescribeExecution',
      'states:GetExecutionHistory',
      'states:StopExecution',
    );
    this.operatorApi.connect(api);

    new OutreachObservability(this, 'Observability', {
      stateMachine: this.stateMachine.stateMachine,
      deadLetterQueues: [eventsDeadLetters, functionDeadLetters],
    });

    const deadLetterReason =
      'This queue is itself a dead-letter queue: an operator inspects and redrives its messages (a dead-letter ' +
      'queue of its own would only move the problem); the DeadLetterAlarm fires on its first message.';
    for (const queue of [eventsDeadLetters, functionDeadLetters])
      acknowledge(queue, 'Serverless-SQSRedrivePolicy', deadLetterReason);
    // (cdk-nag recognises a Lambda dead-letter queue as one, not an EventBridge target's.)
    acknowledge(eventsDeadLetters, 'AwsSolutions-SQS3', deadLetterReason);
    // CDK's singleton function that writes the bucket notification configuration at deploy time.
    const notificationsHandler = this.node.children.find((child) =>
      child.node.id.startsWith('BucketNotificationsHandler'),
    );
    if (notificationsHandler) {
      acknowledge(
        notificationsHandler,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        "CDK's own deploy-time handler for S3 bucket notifications (not application code); the managed policy " +
          'only lets it write its own logs.',
      );
    }
    acknowledgeReviewedWildcards(this);

    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachine.stateMachineArn });
  }

  /**
   * Least-privilege table access: the item actions of `access` on the table and on each of its indexes by
   * name (no `index/*`), and for an encrypted table the key actions DynamoDB needs, only through DynamoDB.
   */
  private grantTables(grantee: lambda.IFunction, access: Partial<Record<TableSpec['id'], TableAccess>>): void {
    let keyAccess: TableAccess | undefined;
    for (const spec of ALL_TABLES) {
      const level = access[spec.id];
      if (!level) continue;
      const table = this.tables[spec.id];
      const indexes = [...spec.globalIndexes, ...spec.localIndexes].map(
        (index) => `${table.tableArn}/index/${index.indexName}`,
      );
      grantee.addToRolePolicy(
        new iam.PolicyStatement({
          actions: level === 'read' ? DYNAMODB_READ : [...DYNAMODB_READ, ...DYNAMODB_WRITE],
          resources: [table.tableArn, ...indexes],
        }),
      );
      if (PERSONAL_DATA_TABLES.includes(spec.id) && keyAccess !== 'readWrite') keyAccess = level;
    }
    if (keyAccess) {
      grantee.addToRolePolicy(
        new iam.PolicyStatement({
          actions: keyAccess === 'read' ? KMS_READ : [...KMS_READ, ...KMS_WRITE],
          resources: [this.personalDataKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.region}.amazonaws.com` } },
        }),
      );
    }
  }

  private table(spec: TableSpec): dynamodb.TableV2 {
    const attribute = (key: { name: string; type: 'S' | 'N' }) => ({
      name: key.name,
      type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
    });
    const table = new dynamodb.TableV2(this, `${spec.id}Table`, {
      partitionKey: attribute(spec.partitionKey),
      sortKey: spec.sortKey && attribute(spec.sortKey),
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },

      timeToLiveAttribute: spec.ttlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: spec.globalIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: attribute(index.partitionKey),
        sortKey: index.sortKey && attribute(index.sortKey),
      })),
      localSecondaryIndexes: spec.localIndexes.map((index) => ({
        indexName: index.indexName,
        sortKey: attribute(index.sortKey ?? index.partitionKey),
      })),
    });
    if (PERSONAL_DATA_TABLES.includes(spec.id)) {
      // Encrypted with our key. TableV2's `customerManagedKey` renders only in a stack with a concrete region
      // (for replica keys); this template stays region-agnostic, so the key goes on the one (primary) replica.
      const cfn = table.node.defaultChild as dynamodb.CfnGlobalTable;
      cfn.addPropertyOverride('SSESpecification', { SSEEnabled: true, SSEType: 'KMS' });
      cfn.addPropertyOverride('Replicas.0.SSESpecification', { KMSMasterKeyId: this.personalDataKey.keyArn });
    }
    return table;
  }
}
