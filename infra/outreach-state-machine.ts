import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  channelTask,
  deliveryCheck,
  failureStates,
  nextStepChoice,
  type RetryStates,
  retryStates,
  type StepWaitStates,
  stepWaitStates,
} from './outreach-states';
import { STATE } from './state-names';

export interface OutreachStateMachineProps {
  sendEmail: lambda.IFunction;
  sendLinkedIn: lambda.IFunction;
  submitContactForm: lambda.IFunction;
  createPhoneTask: lambda.IFunction;
  checkDelivery: lambda.IFunction;
  finishSequence: lambda.IFunction;
  /** Upper bound for one lead's sequence (sequenceTimeoutDays is enforced per lead by the services). */
  timeout?: Duration;
}

/**
 * One Standard execution per (campaign, lead): Email → LinkedIn → Contact form by default, any
 * sequence the execution input carries. Channel Tasks return an outcome (SENT, RETRY, FALLBACK, STOP);
 * Choice states route on it, Wait states pace retries and step delays. JSONPath only.
 *
 * The definition is built in parts (infra/outreach-states.ts: the ends an error leads to, the channel Tasks,
 * the move to the next step, the retries, the delivery check); the two Choices below route between them.
 */
export class OutreachStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: OutreachStateMachineProps) {
    super(scope, id);
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(outreachDefinition(this, props)),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: props.timeout ?? Duration.days(35),
      tracingEnabled: true,
      // Every state transition is logged; inputs and outputs (lead data) are not — they stay in the
      // execution history, read with `cascade audit`.
      logs: {
        destination: new logs.LogGroup(this, 'ExecutionLogs', { retention: logs.RetentionDays.THREE_MONTHS }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
      comment: 'Cascade: one lead through Email → LinkedIn → Contact form',
    });
  }
}

/**
 * The whole definition; it starts at Route By Channel. CDK lists the states in the order it walks them, which
 * follows the order their transitions were added: the links at the end are made in this order so that the
 * synthesized definition (and its drawing in docs/architecture.md) stays as deployed. (The states are also
 * made in their old order: the template's CDKMetadata lists construct types in the order they first appear.)
 */
function outreachDefinition(scope: Construct, props: OutreachStateMachineProps): sfn.Choice {
  const failures = failureStates(scope, props.finishSequence);
  const channel = (stateName: string, fn: lambda.IFunction) => channelTask(scope, stateName, fn, failures);
  const channels: ChannelTasks = {
    sendEmail: channel(STATE.sendEmail, props.sendEmail),
    sendLinkedIn: channel(STATE.sendLinkedIn, props.sendLinkedIn),
    submitContactForm: channel(STATE.submitContactForm, props.submitContactForm),
    createPhoneTask: channel(STATE.createPhoneTask, props.createPhoneTask),
  };
  const ends: SequenceEnds = {
    succeeded: new sfn.Succeed(scope, STATE.succeeded, { stateName: STATE.succeeded, outputPath: '$.result' }),
    stopped: new sfn.Succeed(scope, STATE.stopped, { stateName: STATE.stopped, outputPath: '$.result' }),
  };
  const routeByChannel = new sfn.Choice(scope, STATE.routeByChannel, { stateName: STATE.routeByChannel });
  const stepWait = stepWaitStates(scope);
  const hasNextStep = nextStepChoice(scope, props.finishSequence, failures, routeByChannel);
  const retries = retryStates(scope);
  const delivery = deliveryCheck(scope, props.checkDelivery, failures);
  const routeOutcome = outcomeChoice(scope, {
    ...ends,
    hasNextStep,
    retries,
    waitForDelivery: delivery.waitForDelivery,
    unexpectedOutcome: failures.unexpectedOutcome,
  });

  retries.waitBeforeRetry.next(routeByChannel);
  delivery.checkDelivery.next(ends.succeeded);
  delivery.emailBounced.next(hasNextStep);
  delivery.complaintReceived.next(ends.stopped);
  for (const task of Object.values(channels)) task.next(routeOutcome);
  return channelChoice(routeByChannel, stepWait, channels, hasNextStep);
}

interface ChannelTasks {
  sendEmail: tasks.LambdaInvoke;
  sendLinkedIn: tasks.LambdaInvoke;
  submitContactForm: tasks.LambdaInvoke;
  createPhoneTask: tasks.LambdaInvoke;
}

/** Where a sequence ends well: the lead was reached, or must not be contacted again. */
interface SequenceEnds {
  succeeded: sfn.Succeed;
  stopped: sfn.Succeed;
}
/** The channel a step names (after the step's own wait, if any); a step of no known channel is skipped. */
function channelChoice(
  routeByChannel: sfn.Choice,
  stepWait: StepWaitStates,
  channels: ChannelTasks,
  hasNextStep: sfn.IChainable,
): sfn.Choice {
  const channelIs = (channel: string) => sfn.Condition.stringEquals('$.cursor.step.channel', channel);
  return routeByChannel
    .when(
      sfn.Condition.and(
        sfn.Condition.numberGreaterThan('$.cursor.step.waitSeconds', 0),
        sfn.Condition.booleanEquals('$.cursor.stepWaitDone', false),
      ),
      stepWait.waitBeforeStep.next(stepWait.markStepWaitDone).next(routeByChannel),
    )
    .when(channelIs('EMAIL'), channels.sendEmail)
    .when(channelIs('LINKEDIN'), channels.sendLinkedIn)
    .when(channelIs('CONTACT_FORM'), channels.submitContactForm)
    .when(channelIs('PHONE'), channels.createPhoneTask)
    .otherwise(hasNextStep);
}

/**
 * Routes a channel Task's outcome: SENT (confirmed first when the step asks), STOP, FALLBACK, and RETRY
 * (a rate limit, a retry, or retries spent); both retries wait, then route the same step again.
 */
function outcomeChoice(
  scope: Construct,
  next: SequenceEnds & {
    hasNextStep: sfn.IChainable;
    retries: RetryStates;
    waitForDelivery: sfn.IChainable;
    unexpectedOutcome: sfn.IChainable;
  },
): sfn.Choice {
  const outcomeIs = (outcome: string) => sfn.Condition.stringEquals('$.result.outcome', outcome);
  return new sfn.Choice(scope, STATE.routeOutcome, { stateName: STATE.routeOutcome })
    .when(
      sfn.Condition.and(outcomeIs('SENT'), sfn.Condition.numberGreaterThan('$.cursor.step.confirmDeliverySeconds', 0)),
      next.waitForDelivery,
    )
    .when(outcomeIs('SENT'), next.succeeded)
    .when(outcomeIs('STOP'), next.stopped)
    .when(outcomeIs('FALLBACK'), next.hasNextStep)
    .when(
      sfn.Condition.and(outcomeIs('RETRY'), sfn.Condition.booleanEquals('$.result.usesRetry', false)),
      next.retries.scheduleRateLimitRetry.next(next.retries.waitBeforeRetry),
    )
    .when(
      sfn.Condition.and(
        outcomeIs('RETRY'),
        sfn.Condition.numberLessThanJsonPath('$.cursor.retriesUsed', '$.cursor.step.maxRetries'),
      ),
      next.retries.scheduleRetry.next(next.retries.waitBeforeRetry),
    )
    .when(outcomeIs('RETRY'), next.retries.retriesExhausted.next(next.hasNextStep))
    .otherwise(next.unexpectedOutcome);
}
