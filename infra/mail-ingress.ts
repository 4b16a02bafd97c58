import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as ses from 'aws-cdk-lib/aws-ses';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { acknowledge } from './acknowledgements';
import type { CascadeFunction, CascadeFunctions } from './cascade-function';
import { ReplyReceipt } from './reply-receipt';
import { SES_EVENT_TYPES, sesEventsPattern } from './ses-events-pattern';

/**
 * What comes back of the mail Cascade sends: the events of the SES configuration set every mail is sent with
 * (delivery, bounce, complaint, … to the ses-events handler through the default bus), and the replies (an SES
 * receipt rule → S3 → inbound-email, which matches the per-message reply address or In-Reply-To).
 *
 * Not a construct of its own (see DataTables): its resources are the stack's children, with the logical ids the
 * deployed stack has. It is built in steps because the functions made in between need what came before: the
 * configuration set's name is a setting of the sending functions, inbound-email stops executions.
 */
export class MailIngress {
  readonly configurationSet: ses.ConfigurationSet;

  constructor(private readonly stack: Stack) {
    this.configurationSet = new ses.ConfigurationSet(stack, 'MailConfigurationSet', {
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
  }

  get configurationSetName(): string {
    return this.configurationSet.configurationSetName;
  }

  /** Lets `sender` send as the verified identity, through this configuration set only. */
  grantSend(sender: lambda.IFunction, senderIdentity: string): void {
    sender.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          this.stack.formatArn({ service: 'ses', resource: 'identity', resourceName: senderIdentity }),
          this.stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSetName,
          }),
        ],
      }),
    );
  }

  /**
   * SES events (delivery, bounce, complaint, …) reach the tracking handler through the default bus. A late
   * bounce of the mail that ended a sequence continues it (shared/outreach/late-bounce.ts): the handler checks
   * that run has ended and starts the next one.
   */
  trackSendingEvents(
    functions: CascadeFunctions,
    deadLetters: sqs.IQueue,
    stateMachine: sfn.StateMachine,
  ): CascadeFunction {
    const sesEvents = functions
      .add('SesEventsFunction', 'ses-events', { invokedAsync: true })
      // Config: a sender whose bounces or complaints cross the thresholds is paused (senders/sender-health.ts).
      .bindTables({ Outreach: 'readWrite', Leads: 'readWrite', Suppressions: 'readWrite', Config: 'readWrite' });
    stateMachine.grantStartExecution(sesEvents);
    stateMachine.grantExecution(sesEvents, 'states:DescribeExecution');
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: ses.EventDestination.eventBus(events.EventBus.fromEventBusName(this.stack, 'DefaultBus', 'default')),
      events: [...SES_EVENT_TYPES],
    });
    new events.Rule(this.stack, 'SesEventsRule', {
      description: 'SES events of the Cascade configuration set to the tracking handler',
      eventPattern: sesEventsPattern(this.configurationSetName),
      targets: [new targets.LambdaFunction(sesEvents, { retryAttempts: 8, deadLetterQueue: deadLetters })],
    });
    return sesEvents;
  }

  /**
   * Replies: SES stores the mail for `replyDomain` in S3 (no receipt rule without one: replies are not
   * captured), whose notification invokes inbound-email; a reply stops the lead's execution.
   */
  receiveReplies(functions: CascadeFunctions, stateMachine: sfn.StateMachine, replyDomain?: string): CascadeFunction {
    const inboundMail = this.inboundMailBucket();
    const inboundEmail = functions.add('InboundEmailFunction', 'inbound-email', { invokedAsync: true });
    // Only the objects the receipt rule writes, only read.
    inboundEmail.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [inboundMail.arnForObjects('inbound/*')] }),
    );
    inboundEmail.bindTables({ Outreach: 'readWrite', Leads: 'readWrite' });
    stateMachine.grantExecution(inboundEmail, 'states:StopExecution');
    inboundMail.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(inboundEmail), {
      prefix: 'inbound/',
    });
    this.acknowledgeNotificationsHandler();
    if (replyDomain) new ReplyReceipt(this.stack, 'ReplyReceipt', { replyDomain, inboundMail });
    return inboundEmail;
  }

  /** The bucket SES writes replies to (kept 30 days), with its access logs (kept a year). */
  private inboundMailBucket(): s3.Bucket {
    const accessLogs = new s3.Bucket(this.stack, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    return new s3.Bucket(this.stack, 'InboundMail', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'inbound-mail/',
      lifecycleRules: [{ expiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** CDK's singleton function that writes the bucket notification configuration at deploy time. */
  private acknowledgeNotificationsHandler(): void {
    const handler = this.stack.node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
    if (!handler) return;
    acknowledge(
      handler,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's own deploy-time handler for S3 bucket notifications (not application code); the managed policy " +
        'only lets it write its own logs.',
    );
  }
}
