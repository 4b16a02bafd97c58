import { Duration, Token } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { FATAL_TASK_ERRORS, RETRYABLE_TASK_ERRORS } from '#shared/errors';
import { STATE } from './state-names';

// The states of the outreach definition, part by part; infra/outreach-state-machine.ts links the parts.

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
  };
  const task = lambdaTask(scope, stateName, fn, payload, '$.result', sfn.Timeout.duration(Duration.minutes(2)));
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

/** The cursor with the given fields changed; the others are copied from `$.cursor`. */
function cursorWith(fields: {
  stepIndex?: string;
  retriesUsed?: string | number;
  tryCount?: string | number;
  stepWaitDone: boolean;
  step?: string;
  retryWaitSeconds?: string | number;
}) {
  return {
    stepIndex: fields.stepIndex ?? sfn.JsonPath.numberAt('$.cursor.stepIndex'),
    retriesUsed: fields.retriesUsed ?? sfn.JsonPath.numberAt('$.cursor.retriesUsed'),
    tryCount: fields.tryCount ?? sfn.JsonPath.numberAt('$.cursor.tryCount'),
    stepWaitDone: fields.stepWaitDone,
    step: fields.step ?? sfn.JsonPath.objectAt('$.cursor.step'),
    ...(fields.retryWaitSeconds !== undefined && { retryWaitSeconds: fields.retryWaitSeconds }),
  };
}

/** A step's own wait before its channel (`waitSeconds`), marked done so the step is then routed to its channel. */
export interface StepWaitStates {
  waitBeforeStep: sfn.Wait;
  markStepWaitDone: sfn.Pass;
}

export function stepWaitStates(scope: Construct): StepWaitStates {
  const waitBeforeStep = new sfn.Wait(scope, STATE.waitBeforeStep, {
    stateName: STATE.waitBeforeStep,
    time: sfn.WaitTime.secondsPath('$.cursor.step.waitSeconds'),
  });
  const markStepWaitDone = new sfn.Pass(scope, STATE.markStepWaitDone, {
    stateName: STATE.markStepWaitDone,
    parameters: cursorWith({ stepWaitDone: true }),
    resultPath: '$.cursor',
  });
  return { waitBeforeStep, markStepWaitDone };
}

/** After a FALLBACK: the next step of the sequence, or (none left) the lead marked exhausted and the execution failed. */
export function nextStepChoice(
  scope: Construct,
  finishSequence: lambda.IFunction,
  failures: FailureStates,
  routeByChannel: sfn.IChainable,
): sfn.Choice {
  const nextIndex = sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.cursor.stepIndex'), 1);
  const loadNextStep = new sfn.Pass(scope, STATE.loadNextStep, {
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
    scope,
    STATE.markLeadExhausted,
    finishSequence,
    { ...LEAD_OF_EXECUTION, lastResult: sfn.JsonPath.objectAt('$.result') },
    sfn.JsonPath.DISCARD,
  );
  markLeadExhausted.addCatch(failures.sequenceErrored, { errors: ['States.ALL'], resultPath: '$.error' });
  const allChannelsExhausted = new sfn.Fail(scope, STATE.allChannelsExhausted, {
    stateName: STATE.allChannelsExhausted,
    error: 'AllChannelsExhausted',
    cause: 'Every step of the sequence was attempted without reaching the lead.',
  });
  return new sfn.Choice(scope, STATE.hasNextStep, { stateName: STATE.hasNextStep })
    .when(
      sfn.Condition.numberLessThanJsonPath('$.cursor.stepIndex', '$.sequence.lastStepIndex'),
      loadNextStep.next(routeByChannel),
    )
    .otherwise(markLeadExhausted.next(allChannelsExhausted));
}

/** The states of a RETRY outcome; Route Outcome links them (a retry, a rate-limit retry, retries spent). */
export interface RetryStates {
  /** A transient failure: one of the step's retries used up. */
  scheduleRetry: sfn.Pass;
  /** A rate limit: the window's wait plus jitter, no retry used up. */
  scheduleRateLimitRetry: sfn.Pass;
  /** The wait the service asked for, then the same step again. */
  waitBeforeRetry: sfn.Wait;
  /** The step's retries are spent: a FALLBACK to the next step. */
  retriesExhausted: sfn.Pass;
}

export function retryStates(scope: Construct): RetryStates {
  const nextTry = sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.cursor.tryCount'), 1);
  const scheduleRetry = new sfn.Pass(scope, STATE.scheduleRetry, {
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
  const scheduleRateLimitRetry = new sfn.Pass(scope, STATE.scheduleRateLimitRetry, {
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
  const waitBeforeRetry = new sfn.Wait(scope, STATE.waitBeforeRetry, {
    stateName: STATE.waitBeforeRetry,
    time: sfn.WaitTime.secondsPath('$.cursor.retryWaitSeconds'),
  });
  const retriesExhausted = new sfn.Pass(scope, STATE.retriesExhausted, {
    stateName: STATE.retriesExhausted,
    parameters: { outcome: 'FALLBACK', reason: 'retry_exhausted', channel: sfn.JsonPath.stringAt('$.result.channel') },
    resultPath: '$.result',
  });
  return { scheduleRetry, scheduleRateLimitRetry, waitBeforeRetry, retriesExhausted };
}

/** The delivery check's states; where its verdicts lead is linked by the definition. */
export interface DeliveryCheck {
  /** Waits confirmDeliverySeconds, then Check Delivery. */
  waitForDelivery: sfn.Wait;
  checkDelivery: tasks.LambdaInvoke;
  emailBounced: sfn.Pass;
  complaintReceived: sfn.Pass;
}

/**
 * An accepted email is confirmed before the sequence ends: a bounce falls back, a complaint stops. Bounce and
 * complaint arrive as typed errors, so the happy path goes from the check straight to the end.
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
    { leadId: sfn.JsonPath.stringAt('$.leadId'), sent: sfn.JsonPath.objectAt('$.result') },
    '$.result',
  );
  const emailBounced = emailVerdict(scope, STATE.emailBounced, 'FALLBACK', 'bounce');
  const complaintReceived = emailVerdict(scope, STATE.complaintReceived, 'STOP', 'complaint');
  checkDelivery.addCatch(emailBounced, { errors: ['EmailBouncedError'], resultPath: '$.deliveryCheck' });
  checkDelivery.addCatch(complaintReceived, { errors: ['LeadComplainedError'], resultPath: '$.deliveryCheck' });
  checkDelivery.addCatch(failures.sequenceErrored, { errors: ['States.ALL'], resultPath: '$.error' });
  waitForDelivery.next(checkDelivery);
  return { waitForDelivery, checkDelivery, emailBounced, complaintReceived };
}

/** The outcome the delivery check gives an accepted email instead of SENT. */
function emailVerdict(scope: Construct, stateName: string, outcome: 'FALLBACK' | 'STOP', reason: string): sfn.Pass {
  return new sfn.Pass(scope, stateName, {
    stateName,
    parameters: { outcome, reason, channel: 'EMAIL', messageId: sfn.JsonPath.stringAt('$.result.messageId') },
    resultPath: '$.result',
  });
}
