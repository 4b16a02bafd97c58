import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sesActions from 'aws-cdk-lib/aws-ses-actions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledgements';

/** The construct id CDK gives the singleton provider function of AwsCustomResource. */
const PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

export interface ReplyReceiptProps {
  replyDomain: string;
  inboundMail: s3.IBucket;
}

/**
 * Replies: a receipt rule set storing mail for the reply domain in S3 (which notifies inbound-email), made
 * the account's ACTIVE rule set by the stack. CloudFormation creates rule sets but cannot activate one, and
 * an inactive rule set receives nothing — so a custom resource calls SetActiveReceiptRuleSet on create and
 * update and deactivates it on delete. (An account has one active rule set: deploying Cascade replaces
 * whatever was active, which the README's deploy steps say.)
 */
export class ReplyReceipt extends Construct {
  readonly ruleSet: ses.ReceiptRuleSet;

  constructor(scope: Construct, id: string, props: ReplyReceiptProps) {
    super(scope, id);
    this.ruleSet = new ses.ReceiptRuleSet(this, 'ReplyRules', {
      rules: [
        {
          recipients: [props.replyDomain],
          actions: [new sesActions.S3({ bucket: props.inboundMail, objectKeyPrefix: 'inbound/' })],
          scanEnabled: true,
        },
      ],
    });
    const activate: cr.AwsSdkCall = {
      service: 'SES',
      action: 'setActiveReceiptRuleSet',
      parameters: { RuleSetName: this.ruleSet.receiptRuleSetName },
      physicalResourceId: cr.PhysicalResourceId.of(`active-receipt-rule-set-${props.replyDomain}`),
    };
    const activation = new cr.AwsCustomResource(this, 'Activate', {
      onCreate: activate,
      onUpdate: activate,
      // No RuleSetName: no rule set is active any more (the one being deleted was ours).
      onDelete: { service: 'SES', action: 'setActiveReceiptRuleSet', parameters: {} },
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ses:SetActiveReceiptRuleSet'], resources: ['*'] }),
      ]),
      installLatestAwsSdk: false,
      memorySize: 256,
    });
    activation.node.addDependency(this.ruleSet);
    acknowledgeProvider(Stack.of(this));
    acknowledge(
      activation,
      'AwsSolutions-IAM5[Resource::*]',
      'ses:SetActiveReceiptRuleSet supports no resource-level permissions (IAM service authorization reference)',
    );
  }
}

/** CDK's singleton function behind every AwsCustomResource of the stack (deploy-time only, not application code). */
function acknowledgeProvider(stack: Stack): void {
  const provider = stack.node.tryFindChild(PROVIDER_ID);
  if (!provider) return;
  const reason =
    "CDK's deploy-time provider for the custom resource that activates the receipt rule set: CloudFormation " +
    'invokes it synchronously and reports its failures as stack events; it only writes its own logs.';
  for (const id of [
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'Serverless-LambdaDLQ',
    'Serverless-LambdaTracing',
    'Serverless-LambdaDefaultMemorySize',
    'AwsSolutions-L1',
    'Serverless-LambdaLatestVersion',
  ])
    acknowledge(provider, id, reason);
}
