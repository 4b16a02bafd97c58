import validator from 'asl-validator';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CascadeStack } from '#infra/cascade-stack';
import { LAMBDA_SERVICE_ERRORS } from '#infra/outreach-states';
import { STATE } from '#infra/state-names';
import { type ExtractedMachine, extractStateMachine } from '#local/synth';
import { FATAL_TASK_ERRORS, RETRYABLE_TASK_ERRORS } from '#shared/errors';

let template: Template;
let machine: ExtractedMachine;

beforeAll(() => {
  process.env.CDK_VALIDATION = 'false';
  const app = new App({ outdir: 'cdk.out/test-state-machine', postCliContext: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new CascadeStack(app, 'Cascade');
  template = Template.fromStack(stack);
  machine = extractStateMachine(template.toJSON() as never);
});

type State = Record<string, unknown> & { Type: string };
const state = (name: string) => machine.definition.States[name] as State;

describe('outreach state machine (synthesized)', () => {
  it('passes asl-validator', () => {
    // Act
    const result = validator(machine.definition, { checkPaths: true, checkArn: true });

    // Assess
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('has the three channel Tasks (plus PHONE), each a Lambda function with retries and a catch', () => {
    for (const [name, entry] of [
      [STATE.sendEmail, 'functions/send-email/index.ts'],
      [STATE.sendLinkedIn, 'functions/send-linkedin/index.ts'],
      [STATE.submitContactForm, 'functions/submit-contact-form/index.ts'],
      [STATE.createPhoneTask, 'functions/create-phone-task/index.ts'],
    ] as const) {
      // Prepare
      const task = state(name);

      // Assess
      expect(task.Type).toBe('Task');
      expect(machine.taskEntries[name]).toBe(entry);
      // The service answers with the next cursor (the result in it), so no Pass state rebuilds it.
      expect(task.ResultPath).toBe('$.cursor');
      expect(task.Parameters).toMatchObject({
        'executionName.$': '$$.Execution.Name',
        'cursor.$': '$.cursor',
        'steps.$': '$.sequence.steps',
      });
      expect(task.Retry).toEqual([
        expect.objectContaining({
          ErrorEquals: LAMBDA_SERVICE_ERRORS,
          JitterStrategy: 'FULL',
          MaxAttempts: 6,
          BackoffRate: 2,
        }),
        expect.objectContaining({ ErrorEquals: [...RETRYABLE_TASK_ERRORS, 'States.Timeout'], JitterStrategy: 'FULL' }),
      ]);
      expect(task.Catch).toEqual([
        { ErrorEquals: [...FATAL_TASK_ERRORS], ResultPath: '$.error', Next: STATE.settleOpenAttempts },
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: STATE.settleOpenAttempts },
      ]);
      expect(task.Next).toBe(STATE.routeOutcome);
      expect(state(STATE.settleOpenAttempts)).toMatchObject({ Type: 'Task', Next: STATE.sequenceErrored });
    }
  });

  it('waits with SecondsPath for retries, for the next touch, for the first step and before confirming an email', () => {
    // Assess
    expect(state(STATE.waitForDelivery)).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.cursor.step.confirmDeliverySeconds',
      Next: STATE.checkDelivery,
    });
    expect(state(STATE.checkDelivery)).toMatchObject({
      Type: 'Task',
      ResultPath: '$.cursor.result',
      Next: STATE.succeeded,
    });
    expect((state(STATE.checkDelivery).Catch as { ErrorEquals: string[]; Next: string }[]).slice(0, 2)).toEqual([
      { ErrorEquals: ['EmailBouncedError'], ResultPath: '$.deliveryCheck', Next: STATE.emailBounced },
      { ErrorEquals: ['LeadComplainedError'], ResultPath: '$.deliveryCheck', Next: STATE.complaintReceived },
    ]);
    expect(state(STATE.emailBounced)).toMatchObject({
      Type: 'Pass',
      InputPath: '$.cursor.ifBounced',
      ResultPath: '$.cursor',
      Next: STATE.routeOutcome,
    });
    expect(state(STATE.complaintReceived)).toMatchObject({ Next: STATE.stopped });
    expect(machine.taskEntries[STATE.checkDelivery]).toBe('functions/check-delivery/index.ts');
    const waits: [string, string][] = [
      [STATE.waitBeforeRetry, '$.cursor.retryWaitSeconds'],
      [STATE.waitBeforeNextTouch, '$.cursor.step.waitSeconds'],
    ];
    for (const [name, path] of waits)
      expect(state(name)).toMatchObject({ Type: 'Wait', SecondsPath: path, Next: STATE.routeByChannel });
    expect(state(STATE.waitBeforeStep)).toMatchObject({ Type: 'Wait', SecondsPath: '$.cursor.step.waitSeconds' });
  });

  it('routes the cursor a service answered with: stop, retry, wait for a person, confirm, end, or the next touch', () => {
    // Prepare
    const choices = state(STATE.routeOutcome).Choices as Record<string, unknown>[];
    const outcome = (value: string) => ({ Variable: '$.cursor.result.outcome', StringEquals: value });
    const atEnd = { Variable: '$.cursor.stepIndex', NumericEquals: -1 };

    // Assess
    expect(choices).toEqual([
      { ...outcome('STOP'), Next: STATE.stopped },
      { ...outcome('RETRY'), Next: STATE.waitBeforeRetry },
      { Variable: '$.cursor.result.waitFor', IsPresent: true, Next: STATE.waitForPerson },
      {
        And: [outcome('SENT'), atEnd, { Variable: '$.cursor.ifBounced', IsPresent: true }],
        Next: STATE.waitForDelivery,
      },
      {
        And: [
          { Or: [outcome('SENT'), outcome('FALLBACK')] },
          atEnd,
          { Variable: '$.cursor.touched', BooleanEquals: true },
        ],
        Next: STATE.markLeadContacted,
      },
      { And: [outcome('SENT'), atEnd], Next: STATE.succeeded },
      { And: [outcome('FALLBACK'), atEnd], Next: STATE.markLeadExhausted },
      { Or: [outcome('SENT'), outcome('FALLBACK')], Next: STATE.waitBeforeNextTouch },
    ]);
    expect(state(STATE.routeOutcome).Default).toBe(STATE.unexpectedOutcome);
    expect(state(STATE.allChannelsExhausted)).toMatchObject({ Type: 'Fail', Error: 'AllChannelsExhausted' });
  });

  it('waits for a person with a task token and the step timeout, no polling', () => {
    // Prepare
    const wait = state(STATE.waitForPerson);

    // Assess
    expect(wait).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSecondsPath: '$.cursor.result.waitFor.timeoutSeconds',
      ResultPath: '$.answer',
      Next: STATE.routeAnswer,
    });
    expect((wait.Parameters as { Payload: Record<string, unknown> }).Payload).toMatchObject({
      'taskToken.$': '$$.Task.Token',
      'waitFor.$': '$.cursor.result.waitFor',
    });
    expect(machine.taskEntries[STATE.waitForPerson]).toBe('functions/await-person/index.ts');
    expect(
      (wait.Catch as { ErrorEquals: string[]; Next: string }[]).map((each) => [each.ErrorEquals, each.Next]),
    ).toEqual([
      [['States.Timeout'], STATE.personDidNotAnswer],
      [['PersonAlreadyAnsweredError'], STATE.routeAnswer],
      [['States.ALL'], STATE.sequenceErrored],
    ]);
    expect(state(STATE.personDidNotAnswer)).toMatchObject({
      InputPath: '$.cursor.onTimeout',
      ResultPath: '$.cursor',
      Next: STATE.routeOutcome,
    });
    expect(state(STATE.routeAnswer).Choices).toEqual([
      { Variable: '$.answer.outcome', StringEquals: 'STOP', Next: STATE.answerStopped },
      { Variable: '$.cursor.stepIndex', NumericEquals: -1, Next: STATE.markLeadContacted },
    ]);
    expect(state(STATE.markLeadContacted)).toMatchObject({ Type: 'Task', Next: STATE.succeeded });
  });

  it('keeps a touch to four transitions: route, send, route outcome, the wait before the next touch', () => {
    // Assess
    expect(machine.definition.StartAt).toBe(STATE.routeByChannel);
    const route = state(STATE.routeByChannel).Choices as Record<string, unknown>[];
    expect(route.find((choice) => choice.StringEquals === 'EMAIL')?.Next).toBe(STATE.sendEmail);
    expect(state(STATE.sendEmail).Next).toBe(STATE.routeOutcome);
    expect(state(STATE.waitBeforeNextTouch).Next).toBe(STATE.routeByChannel);
    expect(state(STATE.succeeded)).toMatchObject({ Type: 'Succeed', OutputPath: '$.cursor.result' });
    expect(JSON.stringify(machine.definition)).not.toContain('JSONata');
  });

  it('runs Lambdas on nodejs22.x with least-privilege SES permission', () => {
    // Assess
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (resource) => resource.Metadata?.['cascade:entry'] !== undefined,
    );
    expect(functions.length).toBeGreaterThanOrEqual(9);
    for (const fn of functions)
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ses:SendEmail',
            Resource: Match.arrayWith([
              Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([':identity/example.com'])]) }),
            ]),
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'states:StartExecution' })]) },
    });
  });

  it('creates the five tables on demand, the rate counters with TTL, and an EventBridge batch schedule', () => {
    // Assess
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 5);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike({ IndexName: 'byCampaignStatus' })]),
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: Match.stringLikeRegexp('^cron\\(') });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
    });
  });

  it('publishes every SES event type to EventBridge and routes them, with a dead-letter queue, to the tracking handler', () => {
    // Assess
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith([
          'send',
          'delivery',
          'bounce',
          'complaint',
          'reject',
          'open',
          'click',
          'deliveryDelay',
          'renderingFailure',
          'subscription',
        ]),
        EventBridgeDestination: Match.anyValue(),
      }),
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.ses'] }),
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: { MaximumRetryAttempts: 8 } })],
    });
  });

  it('alarms on bounce rate > 5 %, complaint rate > 0.1 %, failed executions, operator alerts and dead letters', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Reputation.BounceRate', Threshold: 0.05 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Reputation.ComplaintRate',
      Threshold: 0.001,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsFailed' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'OperatorAlert', Namespace: 'Cascade' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible' });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });
});
