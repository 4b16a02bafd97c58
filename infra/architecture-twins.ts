import { templateBucketNotifications, templateBuckets } from '#local/s3/notifications';
import { type CfnTemplate, type ExtractedMachine, extractStateMachine } from '#local/synth';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  rolePolicies,
  STATE_MACHINE_NAME,
  TemplateResolver,
  templateEventBuses,
  templateEventSourceMappings,
  templateFunctions,
  templateQueues,
  templateRoutes,
  templateRules,
} from '#local/template';
import { SECRETS } from '#shared/config/settings';
import {
  cell,
  code,
  type Deployment,
  functionName,
  functionsTable,
  grantsTable,
  list,
  parameterReaders,
  parametersTable,
  routesTable,
  rulesTable,
  tasksTable,
} from './architecture-twin-tables';

// ── The embedded stack's twins: read from the synthesized template, as the twins read it ──────────────

/** Resource types a twin reads; every other type of the template is listed as not run locally. */
const TWINNED_TYPES = new Set([
  'AWS::Lambda::Function',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::DynamoDB::GlobalTable',
  'AWS::SES::ConfigurationSet',
  'AWS::StepFunctions::StateMachine',
  'AWS::Events::Rule',
  'AWS::Events::EventBus',
  'AWS::SQS::Queue',
  'AWS::Lambda::EventSourceMapping',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Integration',
  'AWS::S3::Bucket',
  'Custom::S3BucketNotifications',
]);

/** What stands in for a resource type that has no twin. */
const NOT_RUN_LOCALLY: Record<string, string> = {
  'AWS::ApiGatewayV2::Stage': 'no stage throttling and no access log locally',
  'AWS::Lambda::Permission': 'the twins invoke functions directly; resource policies are not evaluated',
  'AWS::Logs::LogGroup': 'each function logs to `DIR/logs/<logical id>.log` under `--data DIR` (else in memory)',
  'AWS::SQS::QueuePolicy':
    "queue policies are not evaluated (only the caller role's own policies); EventBridge delivers to its target queues directly",
  'AWS::KMS::Key': 'dynalite does not encrypt; key grants are never exercised',
  'AWS::S3::BucketPolicy': "bucket policies are not evaluated (only the caller role's own policies)",
  'AWS::SES::ConfigurationSetEventDestination':
    "the SES twin publishes every accepted mail's events to the default bus, tagged with its configuration set",
  'AWS::SES::ReceiptRuleSet':
    'no SES receiving: `cascade simulate inbound|reply` stores the mail in the inbound bucket',
  'AWS::SES::ReceiptRule': 'see AWS::SES::ReceiptRuleSet',
  'Custom::AWS': 'a deploy-time SDK call (activating the receipt rule set)',
  'AWS::ApiGatewayV2::Authorizer':
    "the console API's Cognito JWT authorizer: locally the console is served by `cascade serve` and signs in with the operator token",
  'AWS::Cognito::UserPool':
    'no Cognito locally: the console signs in with the operator token (`cascade serve` prints a login link)',
  'AWS::Cognito::UserPoolClient': 'see AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolDomain': 'see AWS::Cognito::UserPool',
  'AWS::CloudFront::Distribution': "`cascade serve` serves the console at `/console/`, on the API's origin",
  'AWS::CloudFront::OriginAccessControl': 'see AWS::CloudFront::Distribution',
  'AWS::CloudFront::ResponseHeadersPolicy': "`cascade serve` sends the console's security headers itself",
  'AWS::CloudFront::Function': 'see AWS::CloudFront::Distribution (the console uses hash routes)',
  'Custom::CDKBucketDeployment':
    'a deploy-time copy of the console build and its `config.json` to the site bucket; `cascade serve` builds it in memory',
  'AWS::Lambda::LayerVersion': "the AWS CLI layer of CDK's BucketDeployment handler (deploy time only)",
  'AWS::CloudWatch::Alarm': 'no CloudWatch locally',
  'AWS::CloudWatch::Dashboard': 'no CloudWatch locally',
};

/** One AWS service and its twin: what runs locally, in which files of local/, and what it takes from the template. */
interface Twin {
  service: string;
  twin: string;
  files: string;
  taken: (deployment: Deployment, machine: ExtractedMachine) => string;
}

const TWINS: readonly Twin[] = [
  {
    service: 'Lambda',
    twin:
      'each function in its own worker thread (own module graph; heap limit = its memory) whose `process.env` is ' +
      'exactly its template environment, plus what the Lambda runtime sets and endpoints and credentials naming ' +
      'its role',
    files: 'lambda-runtime.ts, lambda-worker.mjs, lambda-worker-main.ts',
    taken: ({ resolver, functions }) =>
      `${functions.length} functions (those with \`cascade:entry\` metadata; not CDK's deploy-time handlers, ` +
      `${resolver.ofType('AWS::Lambda::Function').length - functions.length} here): entry, environment, timeout, ` +
      'memory — [Functions](#functions)',
  },
  {
    service: 'IAM',
    twin:
      "every call to a peer is evaluated against the caller role's policies with @cloud-copilot/iam-simulate " +
      '(denied: `AccessDeniedException`); access key `local` is the operator (administrator)',
    files: 'iam.ts, authorizing-proxy.ts, aws-requests/',
    taken: ({ resolver, functions }) => {
      const policies = rolePolicies(resolver);
      const policyCount = functions.reduce((sum, fn) => sum + (policies.get(fn.roleLogicalId)?.length ?? 0), 0);
      return `the ${policyCount} identity policies of the ${functions.length} function roles (AWS::IAM::Policy) — [Grants](#grants)`;
    },
  },
  {
    service: 'DynamoDB',
    twin: 'dynalite, behind an authorizing proxy',
    files: 'dynamodb.ts, local-tables.ts',
    taken: ({ resolver }) => {
      const tables = namesOf(resolver, 'AWS::DynamoDB::GlobalTable');
      return (
        `${tables.length} tables, created as ${list(tables)} (keys and indexes from shared/store/tables.ts, which the ` +
        'construct reads too)'
      );
    },
  },
  {
    service: 'SES v2',
    twin:
      'aws-ses-v2-local behind the mailbox simulator (publishes the events of each accepted mail to the default bus), ' +
      'behind an authorizing proxy',
    files: 'ses-simulator.ts',
    taken: ({ resolver }) =>
      `the configuration set (${list(namesOf(resolver, 'AWS::SES::ConfigurationSet'))}), whose name SES puts in ` +
      "every event's `ses:configuration-set` tag; the sender identity through the send function's grant",
  },
  {
    service: 'Step Functions',
    twin: 'aws-local-stepfunctions, each execution on its own virtual clock, behind an authorizing proxy',
    files: 'stepfunctions/, synth.ts',
    taken: (_, machine) => {
      const states = Object.values(machine.definition.States);
      return (
        `the definition of ${code(STATE_MACHINE_NAME)}: ${states.length} states, ` +
        `${states.filter((state) => state.Type === 'Task').length} Task states calling functions — [Task states](#task-states)`
      );
    },
  },
  {
    service: 'SSM Parameter Store',
    twin: 'a Parameter Store peer (JSON 1.1 API) holding the secrets as SecureString, behind an authorizing proxy',
    files: 'ssm.ts',
    taken: (deployment) =>
      `${parameterReaders(deployment).size} parameter names, from the functions' \`*_PARAMETER\` variables — [Parameters](#parameters)`,
  },
  {
    service: 'EventBridge',
    twin:
      'the default and custom buses and their JSON API: event patterns matched as EventBridge does, schedules, ' +
      'target Input/InputPath and retries, queue targets and dead-letter queues, behind an authorizing proxy',
    files: 'eventbridge/',
    taken: ({ resolver }) =>
      `${templateRules(resolver).length} rules: event patterns, schedules, targets, Input, retry policy — [Rules](#rules); ` +
      `custom buses ${list(templateEventBuses(resolver).map(code))}`,
  },
  {
    service: 'SQS',
    twin:
      'standard queues on the stack clock (delays, visibility timeouts, redrive to the dead-letter queue, retention) ' +
      'and their JSON API behind an authorizing proxy; event source mappings poll them and invoke their functions ' +
      'with SQS records (batch size, batch item failures, maximum concurrency)',
    files: 'sqs/',
    taken: (deployment) => {
      const queues = templateQueues(deployment.resolver);
      const mappings = templateEventSourceMappings(deployment.resolver);
      return (
        `${queues.length} queues (visibility timeout, delay, retention, redrive policy); ${mappings.length} event ` +
        `source mapping(s): ${list(
          mappings.map((mapping) => {
            const queue = queues.find((each) => each.arn === mapping.eventSourceArn)?.name ?? mapping.eventSourceArn;
            return `${code(queue)} → ${functionName(deployment, mapping.functionArn)} (batch ${mapping.batchSize})`;
          }),
        )}`
      );
    },
  },
  {
    service: 'S3',
    twin:
      "a path-style S3 REST peer with the template's buckets; an object created invokes the functions the bucket's " +
      'notifications name (the S3 event as Lambda receives it), behind an authorizing proxy',
    files: 's3/',
    taken: (deployment) => {
      const notifications = templateBucketNotifications(deployment.resolver);
      return (
        `${templateBuckets(deployment.resolver).length} buckets; ${notifications.length} Lambda notification(s): ` +
        list(
          notifications.map(
            (notification) =>
              `${code(`${notification.bucket}/${notification.prefix ?? ''}*`)} → ${functionName(deployment, notification.functionArn)}`,
          ),
        )
      );
    },
  },
  {
    service: 'API Gateway (HTTP API)',
    twin: 'payload v2 events to the integration function in its sandbox; a request matching no route is a 404',
    files: 'http-adapter/',
    taken: ({ resolver }) =>
      `${templateRoutes(resolver).length} routes: route keys and authorization types — [Routes](#routes)`,
  },
];

/** The physical names (as the embedded stack resolves them) of the template's resources of one type, as code. */
const namesOf = (resolver: TemplateResolver, type: string) =>
  resolver.ofType(type).map(([id]) => code(resolver.resolveString({ Ref: id })));

function twinsTable(deployment: Deployment, machine: ExtractedMachine): string {
  const { resolver, template } = deployment;
  const rows = TWINS.map((twin) =>
    [twin.service, twin.twin, twin.files, twin.taken(deployment, machine)].map(cell).join(' | '),
  );
  const others = [...new Set(Object.values(template.Resources).map((resource) => resource.Type))]
    .filter((type) => !TWINNED_TYPES.has(type))
    .sort()
    .map((type) => `| ${type} | ${resolver.ofType(type).length} | ${cell(NOT_RUN_LOCALLY[type] ?? '—')} |`);
  return `| AWS service | local twin | local/ | taken from the template |
|---|---|---|---|
${rows.map((row) => `| ${row} |`).join('\n')}

Not run locally (the other resource types of the template):

| resource type | count | instead |
|---|---|---|
${others.join('\n')}`;
}

/** The embedded stack's twins and everything each takes from the template. */
export function renderTwins(template: CfnTemplate): string {
  // The API URL is `cascade serve`'s default; nothing below depends on it.
  const resolver = new TemplateResolver(template, { apiUrl: 'http://127.0.0.1:8787' });
  const functions = templateFunctions(resolver);
  const deployment: Deployment = {
    template,
    resolver,
    functions,
    byArn: new Map(functions.map((fn) => [fn.arn, fn])),
    parameterEnv: new Set(Object.values(SECRETS).map((secret) => secret.parameterEnv)),
  };
  const machine = extractStateMachine(template);
  return `## The embedded stack's twins

\`cascade demo\`, \`cascade serve\` and the tests run this very template: \`startLocalStack\` (local/stack.ts)
synthesizes the stack with the \`-c\` context an operator would give \`cdk deploy\`, resolves every \`Ref\`,
\`Fn::GetAtt\` and \`Fn::Join\` to a local resource (local/template.ts: account ${LOCAL_ACCOUNT}, region
${LOCAL_REGION}, physical names from logical ids) and runs it with one twin per service. Only endpoints, credentials
and the clock differ from AWS. The tables below are read from the synthesized template (no \`-c\` context) the way
the twins read it.

${twinsTable(deployment, machine)}

### Functions

${functionsTable(deployment)}

### Grants

${grantsTable(deployment)}

### Rules

${rulesTable(deployment)}

### Routes

${routesTable(deployment)}

### Task states

${tasksTable(deployment, machine)}

### Parameters

${parametersTable(deployment)}
`;
}
