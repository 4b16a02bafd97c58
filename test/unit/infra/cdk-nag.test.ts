import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acknowledgementsOf } from '#infra/acknowledgements';
import { CascadeStack, LINKEDIN_CONCURRENCY } from '#infra/cascade-stack';
import { PERSONAL_DATA_TABLES } from '#infra/data-tables';
import { functionPolicy, logicalNames, type ReadableStatement } from './policy-view';

/**
 * The deployed stack is locked down: cdk-nag's AwsSolutions and Serverless packs find nothing that is not
 * acknowledged with a written reason (a new finding fails this test), every acknowledgement is still
 * needed, and the IAM policies of the functions that matter most are exactly what they need.
 */

const outdirs: string[] = [];
function newApp(): App {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cascade-nag-'));
  outdirs.push(outdir);
  return new App({ outdir, postCliContext: { 'aws:cdk:bundling-stacks': [] } });
}

const packs = (): NagPack[] => [new AwsSolutionsChecks(), new ServerlessChecks()];

interface Finding {
  rule: string;
  severity: string;
  path: string;
}

function findings(app: App): Finding[] {
  return packs().flatMap((pack) =>
    pack.validateScope(app).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        rule: violation.ruleName,
        severity: violation.severity ?? 'error',
        path: resource.constructPath ?? '?',
      })),
    ),
  );
}

let app: App;
let stack: CascadeStack;
let template: Template;
let names: Map<string, string>;

beforeAll(() => {
  process.env.CDK_VALIDATION = 'false';
  app = newApp();
  stack = new CascadeStack(app, 'Cascade');
  // As `CASCADE_CDK_NAG=1 npm run synth` does: synthesis itself fails on an unacknowledged finding.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  app.synth();
  template = Template.fromStack(stack);
  names = logicalNames(stack);
});

afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  it('finds no unacknowledged error or warning', () => {
    expect(findings(app)).toEqual([]);
  });

  it('every acknowledgement carries a written reason', () => {
    const acknowledged = acknowledgementsOf(app).filter(({ id }) => /^(AwsSolutions|Serverless)-/.test(id));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { path: where, id, reason } of acknowledged) {
      expect(reason.length, `${id} on ${where}`).toBeGreaterThanOrEqual(60);
      expect(reason, `${id} on ${where}`).toMatch(/[a-z]{3,}.*[a-z]{3,}/);
    }
  });

  it('every acknowledgement is still needed: without them, each one is a finding', () => {
    // Prepare: the same stack with acknowledge() switched off
    const original = Validations.prototype.acknowledge;
    Validations.prototype.acknowledge = () => undefined;
    let bare: App;
    try {
      bare = newApp();
      new CascadeStack(bare, 'Cascade');
      bare.synth();
    } finally {
      Validations.prototype.acknowledge = original;
    }

    // Act
    const raw = findings(bare);
    const acknowledged = acknowledgementsOf(app).filter(({ id }) => /^(AwsSolutions|Serverless)-/.test(id));

    // Assess: each acknowledgement matches a finding at or under the construct it is attached to
    for (const { id, path: where } of acknowledged) {
      expect(
        raw.some((finding) => finding.rule === id && (finding.path === where || finding.path.startsWith(`${where}/`))),
        `${id} on ${where} acknowledges nothing`,
      ).toBe(true);
    }
    expect(raw.length).toBeGreaterThanOrEqual(acknowledged.length);
  });
});

describe('locked-down resources', () => {
  it('encrypts the personal-data tables with a rotated customer managed key, and every table has PITR', () => {
    const tables = template.findResources('AWS::DynamoDB::GlobalTable');
    const keyId = [...names.entries()].find(([, name]) => name === 'PersonalDataKey')?.[0];
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    for (const [logicalId, table] of Object.entries(tables)) {
      const name = names.get(logicalId)?.replace(/Table$/, '') as (typeof PERSONAL_DATA_TABLES)[number];
      const replica = table.Properties.Replicas[0];
      expect(replica.PointInTimeRecoverySpecification, name).toEqual({ PointInTimeRecoveryEnabled: true });
      if (PERSONAL_DATA_TABLES.includes(name)) {
        expect(table.Properties.SSESpecification, name).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
        expect(replica.SSESpecification, name).toEqual({ KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
      }
    }
    expect(Object.keys(tables)).toHaveLength(5);
  });

  it('gives every function its own log group with a retention, and every log group a retention', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Metadata: { 'cascade:entry': Match.anyValue() },
    });
    expect(Object.keys(functions)).toHaveLength(12);
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    for (const [id, fn] of Object.entries(functions)) {
      const group = fn.Properties.LoggingConfig?.LogGroup?.Ref;
      expect(logGroups[group]?.Properties.RetentionInDays, id).toBe(90);
    }
    for (const [id, group] of Object.entries(logGroups))
      expect(group.Properties.RetentionInDays, id).toBeGreaterThan(0);
  });

  it('logs every state-machine event to CloudWatch and traces with X-Ray', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('dead-letters every asynchronously invoked function and every EventBridge target', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Metadata: { 'cascade:entry': Match.anyValue() },
    });
    const byEntry = Object.fromEntries(Object.values(functions).map((fn) => [fn.Metadata['cascade:entry'], fn]));
    const queue = [...names.entries()].find(([, name]) => name === 'FunctionDeadLetters')?.[0];
    for (const entry of ['ses-events', 'inbound-email', 'launch-batch', 'dispatch-webhooks']) {
      expect(byEntry[`functions/${entry}/index.ts`]?.Properties.DeadLetterConfig, entry).toEqual({
        TargetArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      });
    }
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(5);
    for (const rule of rules)
      for (const target of rule.Properties.Targets) expect(target.DeadLetterConfig?.Arn).toBeDefined();
  });

  it('throttles the LinkedIn channel with reserved concurrency', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const linkedin = functions.find((fn) => fn.Metadata?.['cascade:entry'] === 'functions/send-linkedin/index.ts');
    expect(linkedin?.Properties.ReservedConcurrentExecutions).toBe(LINKEDIN_CONCURRENCY);
  });

  it('attaches no AWS managed policy to any role of ours', () => {
    for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
      // CDK's deploy-time handlers (bucket notifications, the console's file deployment)
      if (/^(BucketNotificationsHandler|Custom::CDKBucketDeployment)/.test(names.get(id) ?? '')) continue;
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});

describe('least privilege (exact actions and resources)', () => {
  const DYNAMODB_READ = [
    'dynamodb:BatchGetItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:Scan',
  ];
  const DYNAMODB_READ_WRITE = [
    'dynamodb:BatchGetItem',
    'dynamodb:BatchWriteItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
    'dynamodb:DescribeTable',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:Scan',
    'dynamodb:UpdateItem',
  ];
  const LEADS = ['arn(LeadsTable)', 'arn(LeadsTable)/index/byCampaignStatus'];
  const OUTREACH = [
    'arn(OutreachTable)',
    'arn(OutreachTable)/index/byChannelDay',
    'arn(OutreachTable)/index/byProviderMessageId',
    'arn(OutreachTable)/index/byTime',
  ];
  const KEY_READ_WRITE: ReadableStatement = {
    actions: [
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:Encrypt',
      'kms:GenerateDataKey',
      'kms:GenerateDataKeyWithoutPlaintext',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
    ],
    resources: ['arn(PersonalDataKey)'],
    condition: { StringEquals: { 'kms:ViaService': 'dynamodb.<Region>.amazonaws.com' } },
  };
  /** Read access to exactly the secrets a function is declared to read (shared/config/settings.ts). */
  const secrets = (...names: string[]): ReadableStatement => ({
    actions: ['ssm:GetParameter'],
    resources: names.map((name) => `arn:<Partition>:ssm:<Region>:<AccountId>:parameter/cascade/${name}`),
  });
  const XRAY: ReadableStatement = { actions: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], resources: ['*'] };
  const logsOf = (fn: string): ReadableStatement => ({
    actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    resources: [`arn(${fn}Logs)`],
  });
  /** Every function may record a fact (PRODUCT.md §11): it puts the event on Cascade's bus, and nowhere else. */
  const PUT_EVENTS: ReadableStatement = { actions: ['events:PutEvents'], resources: ['arn(EventDelivery/Bus)'] };
  /** Queueing a webhook delivery's next try (the dispatcher) or an operator's replay (the API). */
  const QUEUE_DELIVERY: ReadableStatement = {
    actions: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'],
    resources: ['arn(EventDelivery/Queue)'],
  };
  const sorted = (statements: ReadableStatement[]) =>
    [...statements].sort((a, b) => a.actions.join().localeCompare(b.actions.join()));

  it('send-email: ses:SendEmail on the sender identity and the configuration set only, and its tables (config: a pool sender’s first send day)', () => {
    expect(functionPolicy(template, names, 'functions/send-email/index.ts')).toEqual(
      sorted([
        {
          actions: DYNAMODB_READ_WRITE,
          resources: [...LEADS, ...OUTREACH, 'arn(ConfigTable)', 'arn(RateCountersTable)'].sort(),
        },
        { actions: DYNAMODB_READ, resources: ['arn(SuppressionsTable)'] },
        KEY_READ_WRITE,
        logsOf('SendEmailFunction'),
        {
          actions: ['ses:SendEmail'],
          resources: [
            'arn:<Partition>:ses:<Region>:<AccountId>:configuration-set/ref(MailConfigurationSet)',
            'arn:<Partition>:ses:<Region>:<AccountId>:identity/example.com',
          ],
        },
        secrets('unsubscribe-secret'),
        PUT_EVENTS,
        XRAY,
      ]),
    );
    // No other function may send mail.
    for (const entry of [
      'api',
      'ses-events',
      'send-linkedin',
      'submit-contact-form',
      'launch-batch',
      'inbound-email',
    ]) {
      const actions = functionPolicy(template, names, `functions/${entry}/index.ts`).flatMap((s) => s.actions);
      expect(
        actions.filter((action) => action.startsWith('ses:Send')),
        entry,
      ).toEqual([]);
    }
  });

  it('api: every table, starting its own executions, reading, stopping and answering them, reading SES identities (sender health); nothing else', () => {
    expect(functionPolicy(template, names, 'functions/api/index.ts')).toEqual(
      sorted([
        {
          actions: DYNAMODB_READ_WRITE,
          resources: [
            ...LEADS,
            ...OUTREACH,
            'arn(ConfigTable)',
            'arn(RateCountersTable)',
            'arn(SuppressionsTable)',
          ].sort(),
        },
        KEY_READ_WRITE,
        logsOf('ApiFunction'),
        secrets('linkedin-webhook-secret', 'unsubscribe-secret'),
        {
          actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:StopExecution'],
          resources: ['arn:<Partition>:states:<Region>:<AccountId>:execution:name(Outreach/StateMachine):*'],
        },
        { actions: ['states:StartExecution'], resources: ['ref(Outreach/StateMachine)'] },
        // Answering runs that wait for a person (the LinkedIn webhook, an operator completing a task).
        {
          actions: ['states:SendTaskFailure', 'states:SendTaskHeartbeat', 'states:SendTaskSuccess'],
          resources: ['*'],
        },
        // The sender health check: SES verification and DKIM status of any sender's identity, read only.
        { actions: ['ses:GetEmailIdentity'], resources: ['arn:<Partition>:ses:<Region>:<AccountId>:identity/*'] },
        PUT_EVENTS,
        QUEUE_DELIVERY,
        XRAY,
      ]),
    );
  });

  it('ses-events: the message, lead and suppression tables, the config (retry policies of a continued run; pausing an unhealthy sender), its dead-letter queue, and starting (not stopping) the run a late bounce continues; no mail, no secrets', () => {
    expect(functionPolicy(template, names, 'functions/ses-events/index.ts')).toEqual(
      sorted([
        {
          actions: DYNAMODB_READ_WRITE,
          resources: [...LEADS, ...OUTREACH, 'arn(ConfigTable)', 'arn(SuppressionsTable)'].sort(),
        },
        KEY_READ_WRITE,
        logsOf('SesEventsFunction'),
        { actions: ['sqs:SendMessage'], resources: ['arn(FunctionDeadLetters)'] },
        {
          actions: ['states:DescribeExecution'],
          resources: ['arn:<Partition>:states:<Region>:<AccountId>:execution:name(Outreach/StateMachine):*'],
        },
        { actions: ['states:StartExecution'], resources: ['ref(Outreach/StateMachine)'] },
        PUT_EVENTS,
        XRAY,
      ]),
    );
  });

  it('dispatch-webhooks: its webhooks and deliveries (config), the recorded events and outbox markers (outreach), its queue, the bus; no other queue, no mail, no secrets', () => {
    expect(functionPolicy(template, names, 'functions/dispatch-webhooks/index.ts')).toEqual(
      sorted([
        { actions: DYNAMODB_READ_WRITE, resources: [...OUTREACH, 'arn(ConfigTable)'].sort() },
        KEY_READ_WRITE,
        logsOf('DispatchWebhooksFunction'),
        // Its event source: receiving and deleting the queue's messages.
        {
          actions: [
            'sqs:ChangeMessageVisibility',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
          ],
          resources: ['arn(EventDelivery/Queue)'],
        },
        QUEUE_DELIVERY,
        { actions: ['sqs:SendMessage'], resources: ['arn(FunctionDeadLetters)'] },
        PUT_EVENTS,
        XRAY,
      ]),
    );
  });

  it("await-person: writes the wait (task token) with the lead's outreach items and the expiry on its task; answers nothing itself", () => {
    const statements = functionPolicy(template, names, 'functions/await-person/index.ts');
    const dynamo = statements.filter((statement) => statement.actions.some((action) => action.startsWith('dynamodb:')));
    expect(sorted(dynamo)).toEqual(
      sorted([{ actions: DYNAMODB_READ_WRITE, resources: [...LEADS, ...OUTREACH].sort() }]),
    );
    expect(statements.some((statement) => statement.actions.some((action) => action.startsWith('states:')))).toBe(
      false,
    );
  });

  it('check-delivery: reads leads, writes the rate counters (a bounce gives back the cooldown) and the facts it makes true with the messages', () => {
    const statements = functionPolicy(template, names, 'functions/check-delivery/index.ts');
    const dynamo = statements.filter((statement) => statement.actions.some((action) => action.startsWith('dynamodb:')));
    expect(sorted(dynamo)).toEqual(
      sorted([
        { actions: DYNAMODB_READ, resources: LEADS },
        { actions: DYNAMODB_READ_WRITE, resources: [...OUTREACH, 'arn(RateCountersTable)'].sort() },
      ]),
    );
    expect(
      statements.flatMap((statement) => statement.actions).filter((action) => /^(ses|states|sqs):/.test(action)),
    ).toEqual([]);
  });

  it('inbound-email: reads only the inbound/ objects of the mail bucket', () => {
    const statements = functionPolicy(template, names, 'functions/inbound-email/index.ts');
    const s3 = statements.filter((statement) => statement.actions.some((action) => action.startsWith('s3:')));
    expect(s3).toEqual([{ actions: ['s3:GetObject'], resources: ['arn(InboundMail)/inbound/*'] }]);
  });

  it('only X-Ray, log delivery and task responses (no resource type in IAM) use Resource "*" anywhere in the stack', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    for (const policy of policies) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        const resources = [statement.Resource].flat();
        if (!resources.includes('*')) continue;
        for (const action of [statement.Action].flat()) expect(action).toMatch(/^(xray:|logs:|states:SendTask)/);
      }
    }
  });
});
