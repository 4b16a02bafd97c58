import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, type CfnResource, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sesActions from 'aws-cdk-lib/aws-ses-actions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ALL_TABLES, type TableSpec } from '../shared/store/tables';
import { OutreachObservability } from './observability';
import { OperatorApi } from './operator-api';
import { OutreachStateMachine } from './outreach-state-machine';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Resource metadata key naming a function's source entry; the embedded runtime maps Tasks to handlers with it. */
export const ENTRY_METADATA = 'cascade:entry';

export interface CascadeStackProps extends StackProps {
  /** Verified SES identity (domain or address) mail is sent from. */
  senderIdentity?: string;
  /** Schedule for batch launches; `campaignId` is looked up per active campaign by the launcher. */
  batchSchedule?: events.Schedule;
}

export class CascadeStack extends Stack {
  readonly tables: Record<TableSpec['id'], dynamodb.TableV2>;
  readonly stateMachine: OutreachStateMachine;
  readonly operatorApi: OperatorApi;

  constructor(scope: Construct, id: string, props: CascadeStackProps = {}) {
    super(scope, id, props);

    this.tables = Object.fromEntries(ALL_TABLES.map((spec) => [spec.id, this.table(spec)])) as Record<
      TableSpec['id'],
      dynamodb.TableV2
    >;
    const tableEnvironment = Object.fromEntries(
      ALL_TABLES.map((spec) => [spec.envVar, this.tables[spec.id].tableName]),
    );

    const configurationSet = new ses.ConfigurationSet(this, 'MailConfigurationSet', {
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    const senderIdentity = props.senderIdentity ?? this.node.tryGetContext('senderIdentity') ?? 'example.com';

    // Secrets live in SSM SecureString parameters the operator creates (CloudFormation cannot); handlers read
    // them through Powertools Parameters. Names are overridable with context `secretPrefix`.
    const secretPrefix = (this.node.tryGetContext('secretPrefix') as string | undefined) ?? '/cascade';
    const secretParameters = {
      CASCADE_UNSUBSCRIBE_SECRET_PARAMETER: `${secretPrefix}/unsubscribe-secret`,
      CASCADE_LINKEDIN_API_KEY_PARAMETER: `${secretPrefix}/linkedin-api-key`,
      CASCADE_LINKEDIN_WEBHOOK_SECRET_PARAMETER: `${secretPrefix}/linkedin-webhook-secret`,
    };
    const readSecrets = new iam.PolicyStatement({
      actions: ['ssm:GetParameter'],
      resources: Object.values(secretParameters).map((name) =>
        this.formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.replace(/^\//, '') }),
      ),
    });
    const environment = {
      ...tableEnvironment,
      ...secretParameters,
      CASCADE_SES_CONFIGURATION_SET: configurationSet.configurationSetName,
      POWERTOOLS_SERVICE_NAME: 'cascade',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const fn = (name: string, entryFolder: string, options: Partial<nodejs.NodejsFunctionProps> = {}) => {
      const entry = path.join('functions', entryFolder, 'index.ts');
      const created = new nodejs.NodejsFunction(this, name, {
        entry: path.join(projectRoot, entry),
        projectRoot,
        depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
        runtime: lambda.Runtime.NODEJS_22_X,
        architecture: lambda.Architecture.ARM_64,
        memorySize: 512,
        timeout: Duration.seconds(60),
        tracing: lambda.Tracing.ACTIVE,
        environment,
        bundling: {
          format: nodejs.OutputFormat.ESM,
          minify: true,
          sourceMap: true,
          target: 'node22',
          // CommonJS dependencies inside an ESM bundle still call require().
          banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        },
        ...options,
      });
      (created.node.defaultChild as CfnResource).addMetadata(ENTRY_METADATA, entry);
      created.addToRolePolicy(readSecrets);
      return created;
    };

    const sendEmail = fn('SendEmailFunction', 'send-email');
    const sendLinkedIn = fn('SendLinkedInFunction', 'send-linkedin');
    const submitContactForm = fn('SubmitContactFormFunction', 'submit-contact-form', { timeout: Duration.seconds(90) });
    const createPhoneTask = fn('CreatePhoneTaskFunction', 'create-phone-task');
    const finishSequence = fn('FinishSequenceFunction', 'finish-sequence');
    const checkDelivery = fn('CheckDeliveryFunction', 'check-delivery');
    this.tables.Outreach.grantReadData(checkDelivery);
    this.tables.Leads.grantReadData(checkDelivery);

    const channelFunctions = [sendEmail, sendLinkedIn, submitContactForm, createPhoneTask];
    for (const channelFunction of [...channelFunctions, finishSequence]) {
      this.tables.Leads.grantReadWriteData(channelFunction);
      this.tables.Outreach.grantReadWriteData(channelFunction);
      this.tables.RateCounters.grantReadWriteData(channelFunction);
      this.tables.Config.grantReadData(channelFunction);
      this.tables.Suppressions.grantReadData(channelFunction);
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
    const sesEvents = fn('SesEventsFunction', 'ses-events');
    this.tables.Outreach.grantReadWriteData(sesEvents);
    this.tables.Leads.grantReadWriteData(sesEvents);
    this.tables.Suppressions.grantReadWriteData(sesEvents);
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
    new events.Rule(this, 'SesEventsRule', {
      description: 'SES events of the Cascade configuration set to the tracking handler',
      eventPattern: {
        source: ['aws.ses'],
        resources: [
          this.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: configurationSet.configurationSetName,
          }),
        ],
      },
      targets: [new targets.LambdaFunction(sesEvents, { retryAttempts: 8, deadLetterQueue: eventsDeadLetters })],
    });

    const launchBatch = fn('LaunchBatchFunction', 'launch-batch', {
      timeout: Duration.minutes(5),
      environment: { ...environment, CASCADE_STATE_MACHINE_ARN: this.stateMachine.stateMachine.stateMachineArn },
    });
    this.tables.Leads.grantReadWriteData(launchBatch);
    this.tables.Suppressions.grantReadData(launchBatch);
    this.tables.Config.grantReadData(launchBatch);
    this.stateMachine.stateMachine.grantStartExecution(launchBatch);

    new events.Rule(this, 'BatchSchedule', {
      description: 'Launches a batch of NEW leads for every active campaign',
      schedule: props.batchSchedule ?? events.Schedule.cron({ minute: '0', hour: '8-17', weekDay: 'MON-FRI' }),
      targets: [
        new targets.LambdaFunction(launchBatch, {
          event: events.RuleTargetInput.fromObject({ allActiveCampaigns: true }),
        }),
      ],
    });

    // Replies: SES receipt rule → S3 → inbound-email (matches the per-message reply address or In-Reply-To).
    const inboundMail = new s3.Bucket(this, 'InboundMail', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const inboundEmail = fn('InboundEmailFunction', 'inbound-email', {
      environment: { ...environment, CASCADE_STATE_MACHINE_ARN: this.stateMachine.stateMachine.stateMachineArn },
    });
    inboundMail.grantRead(inboundEmail);
    this.tables.Outreach.grantReadWriteData(inboundEmail);
    this.tables.Leads.grantReadWriteData(inboundEmail);
    this.stateMachine.stateMachine.grantExecution(inboundEmail, 'states:StopExecution');
    inboundMail.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(inboundEmail), {
      prefix: 'inbound/',
    });
    const replyDomain = this.node.tryGetContext('replyDomain') as string | undefined;
    if (replyDomain) {
      new ses.ReceiptRuleSet(this, 'ReplyRules', {
        rules: [
          {
            recipients: [replyDomain],
            actions: [new sesActions.S3({ bucket: inboundMail, objectKeyPrefix: 'inbound/' })],
            scanEnabled: true,
          },
        ],
      });
    }

    // Operator API: one middy router Lambda behind an HTTP API with IAM auth (unsubscribe is public).
    const api = fn('ApiFunction', 'api', {
      timeout: Duration.seconds(29),
      memorySize: 1024,
      environment: {
        ...environment,
        CASCADE_STATE_MACHINE_ARN: this.stateMachine.stateMachine.stateMachineArn,
        CASCADE_PUBLIC_API_URL: (this.node.tryGetContext('publicApiUrl') as string | undefined) ?? '',
      },
    });
    for (const table of Object.values(this.tables)) table.grantReadWriteData(api);
    this.stateMachine.stateMachine.grantStartExecution(api);
    this.stateMachine.stateMachine.grantRead(api);
    this.stateMachine.stateMachine.grantExecution(api, 'states:StopExecution');
    this.operatorApi = new OperatorApi(this, 'OperatorApi', { handler: api });

    new OutreachObservability(this, 'Observability', {
      stateMachine: this.stateMachine.stateMachine,
      deadLetterQueues: [eventsDeadLetters],
    });

    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachine.stateMachineArn });
  }

  private table(spec: TableSpec): dynamodb.TableV2 {
    const attribute = (key: { name: string; type: 'S' | 'N' }) => ({
      name: key.name,
      type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
    });
    return new dynamodb.TableV2(this, `${spec.id}Table`, {
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
  }
}
