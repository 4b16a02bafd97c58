import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { acknowledge, acknowledgeReviewedWildcards } from './acknowledgements';
import { scheduleBatchLaunches } from './batch-schedule';
import { type CascadeFunction, CascadeFunctions, type SettingValues } from './cascade-function';
import { ConsoleHosting } from './console-hosting';
import { DataTables, type TableId } from './data-tables';
import { DEAD_LETTER_REASON, deadLetterQueue } from './dead-letters';
import { type DeploymentContext, deploymentContext } from './deployment-context';
import { EventDelivery } from './event-delivery';
import { MailIngress } from './mail-ingress';
import { OutreachObservability } from './observability';
import { OperatorApi } from './operator-api';
import { OutreachStateMachine, type OutreachStateMachineProps } from './outreach-state-machine';

/** Concurrent LinkedIn sends: the provider account allows a handful of actions per hour (default 5), never a burst. */
export const LINKEDIN_CONCURRENCY = 2;

export interface CascadeStackProps extends StackProps {
  /** Verified SES identity (domain or address) mail is sent from (else context `senderIdentity`). */
  senderIdentity?: string;
  /** Schedule for batch launches (else context `batchSchedule`, else hourly 8–17 UTC on weekdays). */
  batchSchedule?: events.Schedule;
}

/**
 * Cascade: the tables, the functions (each given exactly the settings, secrets and tables it uses), the
 * outreach state machine, the mail that comes back, the batch schedule, the operator API, the alarms.
 *
 * The parts add their resources to the stack itself, in the order below: a function is given the settings it
 * reads when it is made, so what they name (the API's URL, the configuration set, the state machine) comes first.
 */
export class CascadeStack extends Stack {
  readonly tables: Record<TableId, dynamodb.TableV2>;
  /** Encrypts the personal-data tables (rotated yearly); retained with them. */
  readonly personalDataKey: kms.Key;
  readonly stateMachine: OutreachStateMachine;
  readonly operatorApi: OperatorApi;
  readonly mail: MailIngress;
  /** The event bus, the webhook delivery queue and its dispatcher (PRODUCT.md §11). */
  readonly eventDelivery: EventDelivery;
  /** The operator console: static site, Cognito sign-in, the API for console users (PRODUCT.md §12). */
  readonly console: ConsoleHosting;
  /** The functions by construct id (SendEmailFunction, ApiFunction, …). */
  readonly functions: Record<string, CascadeFunction>;

  constructor(scope: Construct, id: string, props: CascadeStackProps = {}) {
    super(scope, id, props);
    const data = new DataTables(this);
    this.tables = data.tables;
    this.personalDataKey = data.personalDataKey;
    const context = deploymentContext(this, props);
    // The API exists first so its URL can go into every unsubscribe link (or the public domain's, if given).
    this.operatorApi = new OperatorApi(this, 'OperatorApi');
    this.mail = new MailIngress(this);
    // The bus and the delivery queue exist before the functions, which are given their names.
    this.eventDelivery = new EventDelivery(this, 'EventDelivery');
    const functions = new CascadeFunctions(this, {
      settings: this.knownSettings(data, context),
      secretPrefix: context.secretPrefix,
      tables: data,
    });
    this.functions = functions.byId;

    this.stateMachine = new OutreachStateMachine(this, 'Outreach', this.taskFunctions(functions, context));
    const { stateMachine } = this.stateMachine;
    // Failed deliveries of EventBridge rules (SES events, the schedule) after their retries.
    const eventsDeadLetters = deadLetterQueue(this, 'EventsDeadLetters');
    // (cdk-nag recognises a Lambda dead-letter queue as one, not an EventBridge target's.)
    acknowledge(eventsDeadLetters, 'AwsSolutions-SQS3', DEAD_LETTER_REASON);
    functions.provide('CASCADE_STATE_MACHINE_ARN', stateMachine.stateMachineArn);
    this.mail.trackSendingEvents(functions, eventsDeadLetters, stateMachine);

    scheduleBatchLaunches(this, functions, {
      schedule: context.batchSchedule,
      stateMachine,
      deadLetters: eventsDeadLetters,
    });
    this.mail.receiveReplies(functions, stateMachine, context.replyDomain);
    const apiFunction = this.apiFunction(functions);
    this.operatorApi.connect(apiFunction);
    this.console = new ConsoleHosting(this, 'Console', { operatorApi: this.operatorApi, handler: apiFunction });
    // After every other function: each of them may put events on the bus.
    this.eventDelivery.connect(functions, eventsDeadLetters);

    new OutreachObservability(this, 'Observability', {
      stateMachine,
      deadLetterQueues: [eventsDeadLetters, functions.deadLetters, this.eventDelivery.deadLetters],
    });
    // Last: it reads every grant made above.
    acknowledgeReviewedWildcards(this);
    new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn });
  }

  /**
   * The setting values known before the first function is made (shared/config/settings.ts declares which
   * function reads which): the tables, the public URL, the configuration set, the LinkedIn provider.
   */
  private knownSettings(data: DataTables, context: DeploymentContext): SettingValues {
    return {
      ...data.tableNameSettings(),
      CASCADE_PUBLIC_API_URL: context.publicApiUrl ?? this.operatorApi.url,
      // Absent unless the context has them (environmentFor skips a setting without a value).
      CASCADE_LINKEDIN_BASE_URL: context.linkedinBaseUrl,
      CASCADE_LINKEDIN_ACCOUNT_ID: context.linkedinAccountId,
      CASCADE_SES_CONFIGURATION_SET: this.mail.configurationSetName,
      ...this.eventDelivery.settings(),
    };
  }

  /** The functions the state machine's Tasks call: the channel services, the delivery check, the bookkeeping. */
  private taskFunctions(functions: CascadeFunctions, context: DeploymentContext): OutreachStateMachineProps {
    const sendEmail = functions.add('SendEmailFunction', 'send-email');
    // The LinkedIn provider must never see a burst: Step Functions retries a throttled invocation.
    const sendLinkedIn = functions.add('SendLinkedInFunction', 'send-linkedin', {
      reservedConcurrentExecutions: LINKEDIN_CONCURRENCY,
    });
    const submitContactForm = functions.add('SubmitContactFormFunction', 'submit-contact-form', {
      timeout: Duration.seconds(90),
    });
    const createPhoneTask = functions.add('CreatePhoneTaskFunction', 'create-phone-task');
    const finishSequence = functions.add('FinishSequenceFunction', 'finish-sequence');
    // RateCounters: a bounced email gives back the lead's cooldown slot (shared/outreach/check-delivery.ts);
    // Outreach: the facts it makes true (a sequence completed) are recorded with the lead's records.
    const checkDelivery = functions
      .add('CheckDeliveryFunction', 'check-delivery')
      .bindTables({ Outreach: 'readWrite', Leads: 'read', RateCounters: 'readWrite' });
    // Wait For Person: records the task token on the lead's outreach items, reads the lead (an invite accepted
    // before the wait began) and writes the wait's expiry on the phone task it is for.
    const awaitPerson = functions
      .add('AwaitPersonFunction', 'await-person')
      .bindTables({ Outreach: 'readWrite', Leads: 'readWrite' });
    for (const step of [sendEmail, sendLinkedIn, submitContactForm, createPhoneTask, finishSequence]) {
      step.bindTables({
        Leads: 'readWrite',
        Outreach: 'readWrite',
        RateCounters: 'readWrite',
        // The email service notes a pool sender's first send day (its warm-up ramp counts from it).
        Config: step === sendEmail ? 'readWrite' : 'read',
        Suppressions: 'read',
      });
    }
    this.mail.grantSend(sendEmail, context.senderIdentity);
    return { sendEmail, sendLinkedIn, submitContactForm, createPhoneTask, checkDelivery, finishSequence, awaitPerson };
  }

  /** Operator API: one middy router Lambda behind the HTTP API (IAM auth; unsubscribe and webhooks are public). */
  private apiFunction(functions: CascadeFunctions): CascadeFunction {
    const api = functions
      .add('ApiFunction', 'api', { timeout: Duration.seconds(29), memorySize: 1024 })
      .bindTables(DataTables.everyTable('readWrite'));
    this.stateMachine.stateMachine.grantStartExecution(api);
    // Audit (DescribeExecution, GetExecutionHistory) and stopping a lead's run; nothing else of Step Functions.
    this.stateMachine.stateMachine.grantExecution(
      api,
      'states:DescribeExecution',
      'states:GetExecutionHistory',
      'states:StopExecution',
    );
    // Answering a run that waits for a person: the LinkedIn webhook (invite accepted), a completed task. The
    // SendTask* actions have no resource type (the token names the execution): Resource "*" is what IAM checks.
    api.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
        resources: ['*'],
      }),
    );
    // The sender health check (GET /v1/senders/{id}/health) reads the SES identity of any sender's domain or
    // address: a sender's identity is known only at run time, so every identity of this account and region.
    api.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:GetEmailIdentity'],
        resources: [this.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' })],
      }),
    );
    return api;
  }
}
