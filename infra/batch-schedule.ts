import { Duration, type Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { CascadeFunction, CascadeFunctions } from './cascade-function';

export interface BatchScheduleProps {
  schedule: events.Schedule;
  stateMachine: sfn.StateMachine;
  /** Where a launch EventBridge could not deliver after its retries goes. */
  deadLetters: sqs.IQueue;
}

/**
 * On the schedule, launch-batch starts one execution per NEW lead of every active campaign (its deterministic
 * name makes a repeated launch a no-op). The rule is the stack's child `BatchSchedule`, as deployed.
 */
export function scheduleBatchLaunches(
  stack: Stack,
  functions: CascadeFunctions,
  props: BatchScheduleProps,
): CascadeFunction {
  const launchBatch = functions
    .add('LaunchBatchFunction', 'launch-batch', { invokedAsync: true, timeout: Duration.minutes(5) })
    .bindTables({ Leads: 'readWrite', Suppressions: 'read', Config: 'read', Outreach: 'read' });
  props.stateMachine.grantStartExecution(launchBatch);
  new events.Rule(stack, 'BatchSchedule', {
    description: 'Launches a batch of NEW leads for every active campaign',
    schedule: props.schedule,
    targets: [
      new targets.LambdaFunction(launchBatch, {
        event: events.RuleTargetInput.fromObject({ allActiveCampaigns: true }),
        retryAttempts: 8,
        deadLetterQueue: props.deadLetters,
      }),
    ],
  });
  // Out-of-office leads pick up at their resumeAt (an opening of their window): a quarter-hourly sweep, every day,
  // whatever the batch schedule (a lead in Tokyo comes back at 09:00 JST, 00:00 UTC).
  new events.Rule(stack, 'OutOfOfficeResumes', {
    description: 'Resumes out-of-office leads whose return (resumeAt) has come',
    schedule: events.Schedule.rate(Duration.minutes(15)),
    targets: [
      new targets.LambdaFunction(launchBatch, {
        event: events.RuleTargetInput.fromObject({ resumeOutOfOffice: true }),
        retryAttempts: 8,
        deadLetterQueue: props.deadLetters,
      }),
    ],
  });
  return launchBatch;
}
