import { Duration, Token } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { FATAL_TASK_ERRORS, RETRYABLE_TASK_ERRORS } from '#shared/errors';
import { STATE } from './state-names';

/** Random extra wait after a rate-limit window resets (herds, docs/capacity.md). */
export const RATE_LIMIT_JITTER_SECONDS = 300;

/** Lambda service faults worth retrying: the channel services are idempotent per try (attempt key). */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
];

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
 */
export class OutreachStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: OutreachStateMachineProps) {
    super(scope, id);

    const sequenceErrored = new sfn.Fail(this, STATE.sequenceErrored, {
      stateName: STATE.sequenceErrored,
      comment: 'A channel service failed in a way retries could not fix; see the error and cause.',
      causePath: '$.error.Cause',
      errorPath: '$.error.Error',
    });
    /** A bookkeeping Task (not a channel send): its Lambda, its payload, the standard retry with jitter. */
    const bookkeepingTask = (
      stateName: string,
      fn: lambda.IFunction,
      payload: Record<string, unknown>,
      resultPath: string,
    ) => {
      const task = new tasks.LambdaInvoke(this, stateName, {
        stateName,
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        payload: sfn.TaskInput.fromObject(payload),
        resultPath,
      });
      task.addRetry({
        errors: [...LAMBDA_SERVICE_ERRORS, ...RETRYABLE_TASK_ERRORS],
        interval: Duration.seconds(2),
        maxAttempts: 6,
        backoffRate: 2,
        jitterStrategy: sfn.JitterType.FULL,
      });
      return task;
    };

    // Retries spent on an error: a try that may have reached the provider is recorded ambiguous first.
    const settleOpenAttempts = bookkeepingTask(
      STATE.settleOpenAttempts,
      props.finishSequence,
      {
        campaignId: sfn.JsonPath.stringAt('$.campaignId'),
        leadId: sfn.JsonPath.stringAt('$.leadId'),
        executionName: sfn.JsonPath.stringAt('$$.Execution.Name'),
        settleOpenAttempts: true,
      },
      sfn.JsonPath.DISCARD,
    );
    settleOpenAttempts.addCatch(sequenceErrored, { errors: ['States.ALL'], resultPath: sfn.JsonPath.DISCARD });
    settleOpenAttempts.next(sequenceErrored);

    const unexpectedOutcome = new sfn.Fail(this, STATE.unexpectedOutcome, {
      stateName: STATE.unexpectedOutcome,
      error: 'UnexpectedOutcomeError',
      cause: 'A channel service returned an outcome outside SENT, RETRY, FALLBACK, STOP.',
    });

    const channelTask = (stateName: string, fn: lambda.IFunction) => {
      const task = new tasks.LambdaInvoke(this, stateName, {
        stateName,
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        payload: sfn.TaskInput.fromObject({
          campaignId: sfn.JsonPath.stringAt('$.campaignId'),
          leadId: sfn.JsonPath.stringAt('$.leadId'),
          executionName: sfn.JsonPath.stringAt('$$.Execution.Name'),
          maxTotalAttemptsPerLead: sfn.JsonPath.numberAt('$.sequence.maxTotalAttemptsPerLead'),
          cursor: sfn.JsonPath.objectAt('$.cursor'),
          override: sfn.JsonPath.objectAt('$.override'),
        }),
        resultPath: '$.result',
        taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
      });
      task.addRetry({
        errors: LAMBDA_SERVICE_ERRORS,
        interval: Duration.seconds(2),
        maxAttempts: 6,
        backoffRate: 2,
        maxDelay: Duration.minutes(1),
        jitterStrategy: sfn.JitterType.FULL,
      });
      task.addRetry({
        errors: [...RETRYABLE_TASK_ERRORS, 'States.Timeout'],
        interval: Duration.seconds(5),
        maxAttempts: 3,
        backoffRate: 2,
        jitterStrategy: sfn.JitterType.FULL,
      });
      task.addCatch(settleOpenAttempts, { errors: [...FATAL_TASK_ERRORS], resultPath: '$.error' });
      task.addCatch(settleOpenAttempts, { errors: ['States.ALL'], resultPath: '$.error' });
      return task;
    };

    const sendEmail = channelTask(STATE.sendEmail, props.sendEmail);
    const sendLinkedIn = channelTask(STATE.sendLinkedIn, props.sendLinkedIn);
    const submitContactForm = channelTask(STATE.submitContactForm, props.submitContactForm);
    const createPhoneTask = channelTask(STATE.createPhoneTask, props.createPhoneTask);

    const cursorWith = (fields: {
      stepIndex?: string;
      retriesUsed?: string | number;
      tryCount?: string | number;
      stepWaitDone: boolean;
      step?: string;
      retryWaitSeconds?: string | number;
    }) => ({
      stepIndex: fields.stepIndex ?? sfn.JsonPath.numberAt('$.cursor.stepIndex'),
      retriesUsed: fields.retriesUsed ?? sfn.JsonPath.numberAt('$.cursor.retriesUsed'),
      tryCount: fields.tryCount ?? sfn.JsonPath.numberAt('$.cursor.tryCount'),
      stepWaitDone: fields.stepWaitDone,
      step: fields.step ?? sfn.JsonPath.objectAt('$.cursor.step'),
      ...(fields.retryWaitSeconds !== undefined && { retryWaitSeconds: fields.retryWaitSeconds }),
    });

    const succeeded = new sfn.Succeed(this, STATE.succeeded, { stateName: STATE.succeeded, outputPath: '$.result' });
    const stopped = new sfn.Succeed(this, STATE.stopped, { stateName: STATE.stopped, outputPath: '$.result' });

    const routeByChannel = new sfn.Choice(this, STATE.routeByChannel, { stateName: STATE.routeByChannel });
    const waitBeforeStep = new sfn.Wait(this, STATE.waitBeforeStep, {
      stateName: STATE.waitBeforeStep,
      time: sfn.WaitTime.secondsPath('$.cursor.step.waitSeconds'),
    });
    const markStepWaitDone = new sfn.Pass(this, STATE.markStepWaitDone, {
      stateName: STATE.markStepWaitDone,
      parameters: cursorWith({ stepWaitDone: true }),
      resultPath: '$.cursor',
    });

    const nextTry = sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.cursor.tryCount'), 1);
    const scheduleRetry = new sfn.Pass(this, STATE.scheduleRetry, {
      stateName: STATE.scheduleRetry,
      comment: 'A transient failure: use up one of the step retries.',
      parameters: cursorWith({
        retriesUsed: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.cursor.retriesUsed'), 1),
        tryCount: nextTry,
        stepWaitDone: true,
        retryWaitSeconds: sfn.JsonPath.numberAt('$.result.retryAfterSeconds'),
      }),
      resultPath: '$.cursor',
    });
    const scheduleRateLimitRetry = new sfn.Pass(this, STATE.scheduleRateLimitRetry, {
      stateName: STATE.scheduleRateLimitRetry,
      comment:
        'A rate limit: wait for the window to reset, plus up to 5 random minutes so the leads a window refused do not all come back in its first second, without using up a retry.',
      parameters: cursorWith({
        tryCount: nextTry,
        stepWaitDone: true,
        retryWaitSeconds: sfn.JsonPath.mathAdd(
          sfn.JsonPath.numberAt('$.result.retryAfterSeconds'),
          Token.asNumber(sfn.JsonPath.mathRandom(0, RATE_LIMIT_JITTER_SECONDS)),
        ),
      }),
      resultPath: '$.cursor',
    });
    const waitBeforeRetry = new sfn.Wait(this, STATE.waitBeforeRetry, {
      stateName: STATE.waitBeforeRetry,
      time: sfn.WaitTime.secondsPath('$.cursor.retryWaitSeconds'),
    });
    const retriesExhausted = new sfn.Pass(this, STATE.retriesExhausted, {
      stateName: STATE.retriesExhausted,
      parameters: {
        outcome: 'FALLBACK',
        reason: 'retry_exhausted',
        channel: sfn.JsonPath.stringAt('$.result.channel'),
      },
      resultPath: '$.result',
    });

    const nextIndex = sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.cursor.stepIndex'), 1);
    const loadNextStep = new sfn.Pass(this, STATE.loadNextStep, {
      stateName: STATE.loadNextStep,
      parameters: cursorWith({
        stepIndex: nextIndex,
        retriesUsed: 0,
        tryCount: 1,
        stepWaitDone: false,
        step: sfn.JsonPath.arrayGetItem(sfn.JsonPath.listAt('$.sequence.steps'), nextIndex as unknown as number),
      }),
      resultPath: '$.cursor',
    });
    const markLeadExhausted = bookkeepingTask(
      STATE.markLeadExhausted,
      props.finishSequence,
      {
        campaignId: sfn.JsonPath.stringAt('$.campaignId'),
        leadId: sfn.JsonPath.stringAt('$.leadId'),
        executionName: sfn.JsonPath.stringAt('$$.Execution.Name'),
        lastResult: sfn.JsonPath.objectAt('$.result'),
      },
      sfn.JsonPath.DISCARD,
    );
    markLeadExhausted.addCatch(sequenceErrored, { errors: ['States.ALL'], resultPath: '$.error' });
    const allChannelsExhausted = new sfn.Fail(this, STATE.allChannelsExhausted, {
      stateName: STATE.allChannelsExhausted,
      error: 'AllChannelsExhausted',
      cause: 'Every step of the sequence was attempted without reaching the lead.',
    });
    const hasNextStep = new sfn.Choice(this, STATE.hasNextStep, { stateName: STATE.hasNextStep })
      .when(
        sfn.Condition.numberLessThanJsonPath('$.cursor.stepIndex', '$.sequence.lastStepIndex'),
        loadNextStep.next(routeByChannel),
      )
      .otherwise(markLeadExhausted.next(allChannelsExhausted));

    // An accepted email is confirmed before the sequence ends: a bounce falls back, a complaint stops.
    const waitForDelivery = new sfn.Wait(this, STATE.waitForDelivery, {
      stateName: STATE.waitForDelivery,
      time: sfn.WaitTime.secondsPath('$.cursor.step.confirmDeliverySeconds'),
    });
    const checkDelivery = bookkeepingTask(
      STATE.checkDelivery,
      props.checkDelivery,
      { leadId: sfn.JsonPath.stringAt('$.leadId'), sent: sfn.JsonPath.objectAt('$.result') },
      '$.result',
    );
    // Bounce and complaint arrive as typed errors, so the happy path goes from the check straight to the end.
    const emailBounced = new sfn.Pass(this, STATE.emailBounced, {
      stateName: STATE.emailBounced,
      parameters: {
        outcome: 'FALLBACK',
        reason: 'bounce',
        channel: 'EMAIL',
        messageId: sfn.JsonPath.stringAt('$.result.messageId'),
      },
      resultPath: '$.result',
    });
    const complaintReceived = new sfn.Pass(this, STATE.complaintReceived, {
      stateName: STATE.complaintReceived,
      parameters: {
        outcome: 'STOP',
        reason: 'complaint',
        channel: 'EMAIL',
        messageId: sfn.JsonPath.stringAt('$.result.messageId'),
      },
      resultPath: '$.result',
    });
    checkDelivery.addCatch(emailBounced, { errors: ['EmailBouncedError'], resultPath: '$.deliveryCheck' });
    checkDelivery.addCatch(complaintReceived, { errors: ['LeadComplainedError'], resultPath: '$.deliveryCheck' });
    checkDelivery.addCatch(sequenceErrored, { errors: ['States.ALL'], resultPath: '$.error' });

    const routeOutcome = new sfn.Choice(this, STATE.routeOutcome, { stateName: STATE.routeOutcome })
      .when(
        sfn.Condition.and(
          sfn.Condition.stringEquals('$.result.outcome', 'SENT'),
          sfn.Condition.numberGreaterThan('$.cursor.step.confirmDeliverySeconds', 0),
        ),
        waitForDelivery.next(checkDelivery),
      )
      .when(sfn.Condition.stringEquals('$.result.outcome', 'SENT'), succeeded)
      .when(sfn.Condition.stringEquals('$.result.outcome', 'STOP'), stopped)
      .when(sfn.Condition.stringEquals('$.result.outcome', 'FALLBACK'), hasNextStep)
      .when(
        sfn.Condition.and(
          sfn.Condition.stringEquals('$.result.outcome', 'RETRY'),
          sfn.Condition.booleanEquals('$.result.usesRetry', false),
        ),
        scheduleRateLimitRetry.next(waitBeforeRetry),
      )
      .when(
        sfn.Condition.and(
          sfn.Condition.stringEquals('$.result.outcome', 'RETRY'),
          sfn.Condition.numberLessThanJsonPath('$.cursor.retriesUsed', '$.cursor.step.maxRetries'),
        ),
        scheduleRetry.next(waitBeforeRetry),
      )
      .when(sfn.Condition.stringEquals('$.result.outcome', 'RETRY'), retriesExhausted.next(hasNextStep))
      .otherwise(unexpectedOutcome);

    waitBeforeRetry.next(routeByChannel);
    checkDelivery.next(succeeded);
    emailBounced.next(hasNextStep);
    complaintReceived.next(stopped);
    for (const task of [sendEmail, sendLinkedIn, submitContactForm, createPhoneTask]) task.next(routeOutcome);

    routeByChannel
      .when(
        sfn.Condition.and(
          sfn.Condition.numberGreaterThan('$.cursor.step.waitSeconds', 0),
          sfn.Condition.booleanEquals('$.cursor.stepWaitDone', false),
        ),
        waitBeforeStep.next(markStepWaitDone).next(routeByChannel),
      )
      .when(sfn.Condition.stringEquals('$.cursor.step.channel', 'EMAIL'), sendEmail)
      .when(sfn.Condition.stringEquals('$.cursor.step.channel', 'LINKEDIN'), sendLinkedIn)
      .when(sfn.Condition.stringEquals('$.cursor.step.channel', 'CONTACT_FORM'), submitContactForm)
      .when(sfn.Condition.stringEquals('$.cursor.step.channel', 'PHONE'), createPhoneTask)
      .otherwise(hasNextStep);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(routeByChannel),
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
