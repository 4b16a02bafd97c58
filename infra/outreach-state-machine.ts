import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  channelTask,
  contactedState,
  deliveryCheck,
  exhaustedStates,
  failureStates,
  personWait,
  type StepWaitStates,
  stepWaitStates,
  touchWaits,
} from './outreach-states';
import { STATE } from './state-names';

export interface OutreachStateMachineProps {
  sendEmail: lambda.IFunction;
  sendLinkedIn: lambda.IFunction;
  submitContactForm: lambda.IFunction;
  createPhoneTask: lambda.IFunction;
  checkDelivery: lambda.IFunction;
  finishSequence: lambda.IFunction;
  /** Wait For Person's function: records the task token a webhook or an operator answers. */
  awaitPerson: lambda.IFunction;
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
 * The whole definition; it starts at Route By Channel. A touch on its happy path is four transitions: Route By
 * Channel, the channel Task (whose service answers with the next cursor: next step, retry, wait or end), Route
 * Outcome, and the Wait before the next touch. CDK lists the states in the order it walks them, which follows
 * the order their transitions were added: the links at the end keep the drawing in docs/architecture.md stable.
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
    succeeded: new sfn.Succeed(scope, STATE.succeeded, { stateName: STATE.succeeded, outputPath: '$.cursor.result' }),
    stopped: new sfn.Succeed(scope, STATE.stopped, { stateName: STATE.stopped, outputPath: '$.cursor.result' }),
  };
  const routeByChannel = new sfn.Choice(scope, STATE.routeByChannel, { stateName: STATE.routeByChannel });
  const stepWait = stepWaitStates(scope);
  const waits = touchWaits(scope);
  const exhausted = exhaustedStates(scope, props.finishSequence, failures);
  const delivery = deliveryCheck(scope, props.checkDelivery, failures);
  const person = personWait(scope, props.awaitPerson, failures);
  const markContacted = contactedState(scope, props.finishSequence, failures);
  const routeOutcome = outcomeChoice(scope, {
    ...ends,
    exhausted,
    markContacted,
    waits,
    waitForDelivery: delivery.waitForDelivery,
    waitForPerson: person.waitForPerson,
    unexpectedOutcome: failures.unexpectedOutcome,
  });

  waits.waitBeforeNextTouch.next(routeByChannel);
  waits.waitBeforeRetry.next(routeByChannel);
  delivery.checkDelivery.next(ends.succeeded);
  delivery.emailBounced.next(routeOutcome);
  delivery.complaintReceived.next(ends.stopped);
  person.waitForPerson.next(person.routeAnswer);
  person.personDidNotAnswer.next(routeOutcome);
  markContacted.next(ends.succeeded);
  person.routeAnswer
    .when(sfn.Condition.stringEquals('$.answer.outcome', 'STOP'), person.answerStopped.next(ends.stopped))
    .when(sfn.Condition.numberEquals('$.cursor.stepIndex', -1), markContacted)
    .otherwise(waits.waitBeforeNextTouch);
  for (const task of Object.values(channels)) task.next(routeOutcome);
  return channelChoice(routeByChannel, stepWait, channels, failures.unexpectedOutcome);
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

/** The channel a step names (after the first step's own wait, if any). */
function channelChoice(
  routeByChannel: sfn.Choice,
  stepWait: StepWaitStates,
  channels: ChannelTasks,
  unknownChannel: sfn.IChainable,
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
    .otherwise(unknownChannel);
}

/**
 * Routes the cursor a channel Task answered with: STOP ends; RETRY waits, then the same step; a sent step that
 * waits for a person waits for it; a run that ends on an email confirms it first; the end of the sequence
 * succeeds (SENT) or exhausts the lead (FALLBACK); anything else waits for the next touch.
 */
function outcomeChoice(
  scope: Construct,
  next: SequenceEnds & {
    exhausted: sfn.IChainable;
    markContacted: sfn.IChainable;
    waits: { waitBeforeNextTouch: sfn.IChainable; waitBeforeRetry: sfn.IChainable };
    waitForDelivery: sfn.IChainable;
    waitForPerson: sfn.IChainable;
    unexpectedOutcome: sfn.IChainable;
  },
): sfn.Choice {
  const outcomeIs = (outcome: string) => sfn.Condition.stringEquals('$.cursor.result.outcome', outcome);
  const atEnd = sfn.Condition.numberEquals('$.cursor.stepIndex', -1);
  // A run that went on after a sent touch ends with its lead marked CONTACTED (it stayed IN_SEQUENCE).
  const touched = sfn.Condition.booleanEquals('$.cursor.touched', true);
  const { and, or } = sfn.Condition;
  return (
    new sfn.Choice(scope, STATE.routeOutcome, { stateName: STATE.routeOutcome })
      .when(outcomeIs('STOP'), next.stopped)
      .when(outcomeIs('RETRY'), next.waits.waitBeforeRetry)
      // A sent touch, or a phone task, after which the step waits for a person (the service set waitFor).
      .when(sfn.Condition.isPresent('$.cursor.result.waitFor'), next.waitForPerson)
      .when(and(outcomeIs('SENT'), atEnd, sfn.Condition.isPresent('$.cursor.ifBounced')), next.waitForDelivery)
      .when(and(or(outcomeIs('SENT'), outcomeIs('FALLBACK')), atEnd, touched), next.markContacted)
      .when(and(outcomeIs('SENT'), atEnd), next.succeeded)
      .when(and(outcomeIs('FALLBACK'), atEnd), next.exhausted)
      .when(or(outcomeIs('SENT'), outcomeIs('FALLBACK')), next.waits.waitBeforeNextTouch)
      .otherwise(next.unexpectedOutcome)
  );
}
