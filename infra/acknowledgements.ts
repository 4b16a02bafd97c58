import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * Acknowledged cdk-nag findings, each with its reason. Nothing here imports cdk-nag (a dev dependency):
 * acknowledgements are CDK's own `Validations.of(construct).acknowledge()` metadata, which the packs read.
 *
 * Wildcard findings (AwsSolutions-IAM5) are acknowledged per policy and per finding, and only when every
 * statement that produces the finding matches a known, reviewed shape (X-Ray writes, execution ARNs of
 * our state machine, …): a new wildcard — another action on `*`, a broader ARN — stays a finding and
 * fails the cdk-nag test.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
}

/** cdk-nag's rendering of a CloudFormation value in a finding id (`<Logical.Arn>`, `<AWS::Region>`). */
export function flattenReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/}/g, '>');
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [separator, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenReference).join(separator);
  }
  if (node['Fn::Sub']) return flattenReference(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return flattenReference(node['Fn::ImportValue']);
  if (node.Ref) return `<${flattenReference(node.Ref)}>`;
  return JSON.stringify(value);
}

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

export interface WildcardAllowance {
  /** Which finding (`Resource::…` or `Action::…`) this allows. */
  finding: RegExp;
  /** Every statement producing the finding must only grant these actions. */
  actions: readonly string[];
  reason: string;
}

/** Actions that only work on `Resource: *` (IAM service authorization reference) and read no data. */
const XRAY_WRITE = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];
const LOG_DELIVERY = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

/** Answering a run that waits for a person (the API function: webhook, completed tasks). */
const TASK_RESPONSE = ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'];

/** The reviewed wildcard shapes of this stack. */
export const WILDCARD_ALLOWANCES: readonly WildcardAllowance[] = [
  {
    finding: /^Resource::\*$/,
    actions: [...XRAY_WRITE, ...LOG_DELIVERY, ...TASK_RESPONSE],
    reason:
      'X-Ray trace writes, CloudWatch Logs vended log delivery (the state machine execution log) and Step ' +
      'Functions task responses (SendTask*: the task token names the execution) support no resource-level ' +
      'permissions, so IAM requires Resource "*"; these actions read no application data.',
  },
  {
    finding: /^Resource::<\w+Function[0-9A-F]{8}\.Arn>:\*$/,
    actions: ['lambda:InvokeFunction'],
    reason:
      "The Step Functions LambdaInvoke grant covers the Task's own function and its versions/aliases " +
      '(<function ARN>:*); the definition invokes the unqualified ARN of that one function.',
  },
  {
    finding:
      // The region is a token in tests and concrete (CDK_DEFAULT_REGION) when the CLI synthesizes.
      /^Resource::arn:<AWS::Partition>:states:(<AWS::Region>|[a-z]{2}(-[a-z]+)+-\d):(<AWS::AccountId>|\d{12}):execution:.*OutreachStateMachine.*:\*$/,
    actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:StopExecution'],
    reason:
      'Execution names are derived from campaign and lead at run time; the ARN is limited to executions of the ' +
      'one Cascade outreach state machine (audit reads them, a reply or an operator stops them).',
  },
  {
    finding:
      /^Resource::arn:<AWS::Partition>:ses:(<AWS::Region>|[a-z]{2}(-[a-z]+)+-\d):(<AWS::AccountId>|\d{12}):identity\/\*$/,
    actions: ['ses:GetEmailIdentity'],
    reason:
      "The sender health check reads the SES identity (verification, DKIM, MAIL FROM) of a sender's domain or " +
      'address, which operators add at run time; the grant is read-only and limited to identities of this account and region.',
  },
  {
    finding: /^Resource::<InboundMail[0-9A-F]{8}\.Arn>\/inbound\/\*$/,
    actions: ['s3:GetObject'],
    reason:
      'Inbound mail object keys are SES message ids known only at run time; reads are limited to the inbound/ ' +
      'prefix the SES receipt rule writes.',
  },
];

/** The IAM5 findings cdk-nag reports for one policy document, with the statements producing each. */
export function wildcardFindings(document: { Statement?: Statement[] }): Map<string, Statement[]> {
  const findings = new Map<string, Statement[]>();
  const add = (finding: string, statement: Statement) =>
    findings.set(finding, [...(findings.get(finding) ?? []), statement]);
  for (const statement of document.Statement ?? []) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of asList(statement.Action)) if (action.includes('*')) add(`Action::${action}`, statement);
    for (const resource of asList(statement.Resource)) {
      const flat = flattenReference(resource);
      if (flat.includes('*')) add(`Resource::${flat}`, statement);
    }
  }
  return findings;
}

/**
 * Acknowledges, on every IAM policy under `scope`, the wildcard findings that match a reviewed allowance.
 * Call it after every grant is made (the end of the stack's constructor).
 */
export function acknowledgeReviewedWildcards(scope: IConstruct, allowances = WILDCARD_ALLOWANCES): void {
  const stack = Stack.of(scope);
  for (const construct of scope.node.findAll()) {
    if (!(construct instanceof iam.CfnPolicy) && !(construct instanceof iam.CfnRole)) continue;
    const documents =
      construct instanceof iam.CfnPolicy
        ? [stack.resolve(construct.policyDocument)]
        : asList(stack.resolve(construct.policies) as { policyDocument: unknown }[]).map((policy) =>
            stack.resolve(policy.policyDocument),
          );
    for (const document of documents) {
      for (const [finding, statements] of wildcardFindings(document)) {
        const allowance = allowances.find(
          ({ finding: pattern, actions }) =>
            pattern.test(finding) &&
            statements.every((statement) => asList(statement.Action).every((action) => actions.includes(action))),
        );
        if (allowance) acknowledge(construct, `AwsSolutions-IAM5[${finding}]`, allowance.reason);
      }
    }
  }
}

/** Every acknowledgement recorded under `scope`: construct path, rule id and reason (for tests and reviews). */
export function acknowledgementsOf(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}
