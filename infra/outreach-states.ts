import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { FATAL_TASK_ERRORS, RETRYABLE_TASK_ERRORS } from '#shared/errors';
import { STATE } from './state-names';

// The states of the outreach definition, part by part; infra/outreach-state-machine.ts links the parts.

/** Lambda service faults worth retrying: the channel services are idempotent per try (attempt key). */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
];

/** The campaign, the lead and the execution, as every Task's payload names them. */
const LEAD_OF_EXECUTION = {
  campaignId: sfn.JsonPath.stringAt('$.campaignId'),
  leadId: sfn.JsonPath.stringAt('$.leadId'),
  executionName: sfn.JsonPath.stringAt('$$.Execution.Name'),
};

export interface FailureStates {
  sequenceErrored: sfn.Fail;
  /** Settles a try that may have reached the provider before the execution fails. */
  settleOpenAttempts: tasks.LambdaInvoke;
  unexpectedOutcome: sfn.Fail;
}

/** The ends an error leads to: retries spent on an error settle the open try first, then the execution fails. */
export function failureStates(scope: Construct, finishSequence: lambda.IFunction): FailureStates {
  const sequenceErrored = new sfn.Fail(scope, STATE.sequenceErrored, {
    stateName: STATE.sequenceErrored,
    comment: 'A channel service failed in a way retries could not fix; see the error and cause.',
    causePath: '$.error.Cause',
    errorPath: '$.error.Error',
  });
  // A try that may have reached the provider is recorded ambiguous before the execution fails.
  const settleOpenAttempts = bookkeepingTask(
    scope,
    STATE.settleOpenAttempts,
    finishSequence,
    { ...LEAD_OF_EXECUTION, settleOpenAttempts: true },
    sfn.JsonPath.DISCARD,
  );
  settleOpenAttempts.addCatch(sequenceErrored, { errors: ['States.ALL'], resultPath: sfn.JsonPath.DISCARD });
  settleOpenAttempts.next(sequenceErrored);
  const unexpectedOutcome = new sfn.Fail(scope, STATE.unexpectedOutcome, {
    stateName: STATE.unexpectedOutcome,
    error: 'UnexpectedOutcomeError',
    cause: 'A channel service returned an outcome outside SENT, RETRY, FALLBACK, STOP.',
  });
  return { sequenceErrored, settleOpenAttempts, unexpectedOutcome };
}

/**
 * A Task invoking `fn` with `payload`: the function's response (not Lambda's envelope) goes to `resultPath`.
 * Lambda's own service-exception retry is off: each Task states the retries it wants.
 */
function lambdaTask(
  scope: Construct,
  stateName: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown>,
  resultPath: string,
  taskTimeout?: sfn.Timeout,
): tasks.LambdaInvoke {
  return new tasks.LambdaInvoke(scope, stateName, {
    stateName,
    lambdaFunction: fn,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    payload: sfn.TaskInput.fromObject(payload),
    resultPath,
    ...(taskTimeout && { taskTimeout }),
  });
}

/** A bookkeeping Task (not a channel send): its Lambda, its payload, the standard retry with jitter. */
function bookkeepingTask(
  scope: Construct,
  stateName: string,
  fn: lambda.IFunction,
  payload: Record<string, unknown>,
  resultPath: string,
): tasks.LambdaInvoke {
  const task = lambdaTask(scope, stateName, fn, payload, resultPath);
  task.addRetry({
    errors: [...LAMBDA_SERVICE_ERRORS, ...RETRYABLE_TASK_ERRORS],
    interval: Duration.seconds(2),
    maxAttempts: 6,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}

/**
 * A channel send: the step's try with the cursor, its outcome in `$.result`. Lambda faults and retryable
 * errors are retried here; anything else settles the open try and fails the execution.
 */
export function channelTask(
  scope: Construct,
  stateName: string,
  fn: lambda.IFunction,
  failures: FailureStates,
): tasks.LambdaInvoke {
  const payload = {
    ...LEAD_OF_EXECUTION,
    maxTotalAttemptsPerLead: sfn.JsonPath.numberAt('$.sequence.maxTotalAttemptsPerLead'),
    cursor: sfn.JsonPath.objectAt('$.cursor'),
    override: sfn.JsonPath.objectAt('$.override'),
    steps: sfn.JsonPath.listAt('$.sequence.steps'),
  };
  // The service answers with the next cursor (its result inside): Route Outcome only reads it.
  const task = lambdaTask(scope, stateName, fn, payload, '$.cursor', sfn.Timeout.duration(Duration.minutes(2)));
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
  task.addCatch(failures.settleOpenAttempts, { errors: [...FATAL_TASK_ERRORS], resultPath: '$.error' });
  task.addCatch(failures.settleOpenAttempts, { errors: ['States.ALL'], resultPath: '$.error' });
  return task;
}

/** A step's own wait before its channel (`waitSeconds`), marked done so the step is then routed to its channel. */
export interface StepWaitStates {
  waitBeforeStep: sfn.Wait;
  markStepWaitDone: sfn.Pass;
}

/** The first step's wait (later steps' waits are served by Wait Before Next Touch). */
export function stepWaitStates(scope: Construct): StepWaitStates {
  const waitBeforeStep = new sfn.Wait(scope, STATE.waitBeforeStep, {
    stateName: STATE.waitBeforeStep,
    time: sfn.WaitTime.secondsPath('$.cursor.step.waitSeconds'),
  });
  const markStepWaitDone = new sfn.Pass(scope, STATE.markStepWaitDone, {
    stateName: STATE.markStepWaitDone,
    result: sfn.Result.fromBoolean(true),
    resultPath: '$.cursor.stepWaitDone',
  });
  return { waitBeforeStep, markStepWaitDone };
}

/** The Waits between tries: the next touch's `waitSeconds`, and a retry's backoff or rate-limit wait. */
export interface TouchWaits {
  waitBeforeNextTouch: sfn.Wait;
  waitBeforeRetry: sfn.Wait;
}

export function touchWaits(scope: Construct): TouchWaits {
  const waitBeforeNextTouch = new sfn.Wait(scope, STATE.waitBeforeNextTouch, {
    stateName: STATE.waitBeforeNextTouch,
    comment: "The next step's waitHoursBefore (the service routed the cursor to it).",
    time: sfn.WaitTime.secondsPath('$.cursor.step.waitSeconds'),
  });
  const waitBeforeRetry = new sfn.Wait(scope, STATE.waitBeforeRetry, {
    stateName: STATE.waitBeforeRetry,
    comment: "The step's backoff, or a rate limit's window plus jitter; then the same step again.",
    time: sfn.WaitTime.secondsPath('$.cursor.retryWaitSeconds'),
  });
  return { waitBeforeNextTouch, waitBeforeRetry };
}

/** Every step was tried without reaching the lead: the lead is marked exhausted, then the execution fails. */
export function exhaustedStates(
  scope: Construct,
  finishSequence: lambda.IFunction,
  failures: FailureStates,
): sfn.Chain {
  const markLeadExhausted = bookkeepingTask(
    scope,
    STATE.markLeadExhausted,
    finishSequence,
    { ...LEAD_OF_EXECUTION, lastResult: sfn.JsonPath.objectAt('$.cursor.result') },
    sfn.JsonPath.DISCARD,
  );
  markLeadExhausted.addCatch(failures.sequenceErrored, { errors: ['States.ALL'], resultPath: '$.error' });
  const allChannelsExhausted = new sfn.Fail(scope, STATE.allChannelsExhausted, {
    stateName: STATE.allChannelsExhausted,
    error: 'AllChannelsExhausted',
    cause: 'Every step of the sequence was attempted without reaching the lead.',
  });
  return markLeadExhausted.next(allChannelsExhausted);
}

/**
 * A run that went on after a sent touch (onSent, a wait for a person) kept its lead IN_SEQUENCE: when it ends, the
 * lead is marked CONTACTED (once per run, not per touch), whatever its later steps did.
 */
export function contactedState(scope: Construct, finishSequence: lambda.IFunction, failures: FailureStates) {
  const markLeadContacted = bookkeepingTask(
    scope,
    STATE.markLeadContacted,
    finishSequence,
    { ...LEAD_OF_EXECUTION, contacted: true },
    sfn.JsonPath.DISCARD,
  );
  markLeadContacted.addCatch(failures.sequenceErrored, { errors: ['States.ALL'], resultPath: '$.error' });
  return markLeadContacted;
}

/** The delivery check's states; where its verdicts lead is linked by the definition. */
export interface DeliveryCheck {
  /** Waits confirmDeliverySeconds, then Check Delivery. */
  waitForDelivery: sfn.Wait;
  checkDelivery: tasks.LambdaInvoke;
  /** The cursor the service prepared for a bounce (`ifBounced`): routed like any FALLBACK. */
  emailBounced: sfn.Pass;
  complaintReceived: sfn.Pass;
}

/**
 * An email that ends the run is confirmed first: a bounce goes on as the service's `ifBounced` cursor says, a
 * complaint stops. Bounce and complaint arrive as typed errors, so the happy path goes from the check to the end.
 */
export function deliveryCheck(scope: Construct, fn: lambda.IFunction, failures: FailureStates): DeliveryCheck {
  const waitForDelivery = new sfn.Wait(scope, STATE.waitForDelivery, {
    stateName: STATE.waitForDelivery,
    time: sfn.WaitTime.secondsPath('$.cursor.step.confirmDeliverySeconds'),
  });
  const checkDelivery = bookkeepingTask(
    scope,
    STATE.checkDelivery,
    fn,
    { leadId: sfn.JsonPath.stringAt('$.leadId'), sent: sfn.JsonPath.objectAt('$.cursor.result') },
    '$.cursor.result',
  );
  const emailBounced = new sfn.Pass(scope, STATE.emailBounced, {
    stateName: STATE.emailBounced,
    inputPath: '$.cursor.ifBounced',
    resultPath: '$.cursor',
  });
  const complaintReceived = new sfn.Pass(scope, STATE.complaintReceived, {
    stateName: STATE.complaintReceived,
    parameters: {
      outcome: 'STOP',
      reason: 'complaint',
      channel: 'EMAIL',
      messageId: sfn.JsonPath.stringAt('$.cursor.result.messageId'),
    },
    resultPath: '$.cursor.result',
  });
  checkDelivery.addCatch(emailBounced, { errors: ['EmailBouncedError'], resultPath: '$.deliveryCheck' });
  checkDelivery.addCatch(complaintReceived, { errors: ['LeadComplainedError'], resultPath: '$.deliveryCheck' });
  checkDelivery.addCatch(failures.sequenceErrored, { errors: ['States.ALL'], resultPath: '$.error' });
  waitForDelivery.next(checkDelivery);
  return { waitForDelivery, checkDelivery, emailBounced, complaintReceived };
}

/** Waiting for a person after a sent step (`waitFor`): a task token, no polling. */
export interface PersonWait {
  waitForPerson: tasks.LambdaInvoke;
  /** Nobody answered in time: the service's `onTimeout` cursor. */
  personDidNotAnswer: sfn.Pass;
  routeAnswer: sfn.Choice;
  /** The answer stops the lead (a task completed as `replied`): its result becomes the run's. */
  answerStopped: sfn.Pass;
}

/**
 * Wait For Person hands its function the task token (it records it where the event finds it: the LinkedIn
 * webhook, an operator completing the task) and waits up to the step's `timeoutSeconds`. An event that happened
 * before the wait began comes back as PersonAlreadyAnsweredError: the run goes on at once.
 */
export function personWait(scope: Construct, fn: lambda.IFunction, failures: FailureStates): PersonWait {
  const waitForPerson = new tasks.LambdaInvoke(scope, STATE.waitForPerson, {
    stateName: STATE.waitForPerson,
    lambdaFunction: fn,
    integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
    retryOnServiceExceptions: false,
    payload: sfn.TaskInput.fromObject({
      ...LEAD_OF_EXECUTION,
      taskToken: sfn.JsonPath.taskToken,
      stepIndex: sfn.JsonPath.numberAt('$.cursor.result.stepIndex'),
      stepId: sfn.JsonPath.stringAt('$.cursor.result.stepId'),
      waitFor: sfn.JsonPath.objectAt('$.cursor.result.waitFor'),
    }),
    taskTimeout: sfn.Timeout.at('$.cursor.result.waitFor.timeoutSeconds'),
    resultPath: '$.answer',
  });
  waitForPerson.addRetry({
    errors: LAMBDA_SERVICE_ERRORS,
    interval: Duration.seconds(2),
    maxAttempts: 6,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  const personDidNotAnswer = new sfn.Pass(scope, STATE.personDidNotAnswer, {
    stateName: STATE.personDidNotAnswer,
    inputPath: '$.cursor.onTimeout',
    resultPath: '$.cursor',
  });
  const routeAnswer = new sfn.Choice(scope, STATE.routeAnswer, { stateName: STATE.routeAnswer });
  const answerStopped = new sfn.Pass(scope, STATE.answerStopped, {
    stateName: STATE.answerStopped,
    inputPath: '$.answer',
    resultPath: '$.cursor.result',
  });
  waitForPerson.addCatch(personDidNotAnswer, { errors: ['States.Timeout'], resultPath: '$.answer' });
  waitForPerson.addCatch(routeAnswer, { errors: ['PersonAlreadyAnsweredError'], resultPath: '$.answer' });
  waitForPerson.addCatch(failures.sequenceErrored, { errors: ['States.ALL'], resultPath: '$.error' });
  return { waitForPerson, personDidNotAnswer, routeAnswer, answerStopped };
}
