import type { PolicyStatement } from '#local/iam';
import { templateBucketNotifications, templateBuckets } from '#local/s3';
import { type CfnTemplate, type ExtractedMachine, extractStateMachine } from '#local/synth';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  LOCAL_TABLE_PREFIX,
  rolePolicies,
  STATE_MACHINE_NAME,
  type TemplateFunction,
  TemplateResolver,
  templateFunctions,
  templateRoutes,
  templateRules,
} from '#local/template';
import { SECRETS, SETTINGS, type SettingSpec } from '#shared/config/settings';
import { ALL_TABLES } from '#shared/store/tables';

// ── The embedded stack's twins: read from the synthesized template, as the twins read it ──────────────

const code = (text: string) => `\`${text}\``;
const cell = (text: string) => text.replace(/\|/g, '\\|');
const list = (items: string[]) => (items.length === 0 ? '—' : items.join(', '));
/** An ARN without `arn:aws:<service>:<region>:<account>:`: what is left names the resource. */
const shortArn = (arn: string) => arn.replace(/^arn:aws:[^:]+:[^:]*:[^:]*:/, '');

/** The services with a local twin: IAM grants on the others are never exercised locally (not listed). */
const TWINNED_SERVICES = new Set(['dynamodb', 'ses', 'states', 'ssm', 'events', 's3']);

/** Resource types a twin reads; every other type of the template is listed as not run locally. */
const TWINNED_TYPES = new Set([
  'AWS::Lambda::Function',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::DynamoDB::GlobalTable',
  'AWS::SES::ConfigurationSet',
  'AWS::StepFunctions::StateMachine',
  'AWS::Events::Rule',
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
  'AWS::SQS::Queue': 'no dead-letter queues: an event still undelivered after its retries is dropped',
  'AWS::SQS::QueuePolicy': 'see AWS::SQS::Queue',
  'AWS::KMS::Key': 'dynalite does not encrypt; key grants are never exercised',
  'AWS::S3::BucketPolicy': "bucket policies are not evaluated (only the caller role's own policies)",
  'AWS::SES::ConfigurationSetEventDestination':
    "the SES twin publishes every accepted mail's events to the default bus, tagged with its configuration set",
  'AWS::SES::ReceiptRuleSet':
    'no SES receiving: `cascade simulate inbound|reply` stores the mail in the inbound bucket',
  'AWS::SES::ReceiptRule': 'see AWS::SES::ReceiptRuleSet',
  'Custom::AWS': 'a deploy-time SDK call (activating the receipt rule set)',
  'AWS::CloudWatch::Alarm': 'no CloudWatch locally',
  'AWS::CloudWatch::Dashboard': 'no CloudWatch locally',
};

interface Deployment {
  template: CfnTemplate;
  resolver: TemplateResolver;
  functions: TemplateFunction[];
  byArn: Map<string, TemplateFunction>;
  parameterEnv: Set<string>;
}

const functionName = (deployment: Deployment, arn: string) => deployment.byArn.get(arn)?.constructId ?? shortArn(arn);

function twinsTable(deployment: Deployment, machine: ExtractedMachine): string {
  const { resolver, functions, template } = deployment;
  const lambdas = resolver.ofType('AWS::Lambda::Function').length;
  const tables = resolver.ofType('AWS::DynamoDB::GlobalTable').map(([id]) => code(resolver.resolveString({ Ref: id })));
  const configurationSets = resolver
    .ofType('AWS::SES::ConfigurationSet')
    .map(([id]) => code(resolver.resolveString({ Ref: id })));
  const states = Object.values(machine.definition.States);
  const parameters = parameterReaders(deployment);
  const rules = templateRules(resolver);
  const routes = templateRoutes(resolver);
  const policies = rolePolicies(resolver);
  const policyCount = functions.reduce((sum, fn) => sum + (policies.get(fn.roleLogicalId)?.length ?? 0), 0);
  const rows: [string, string, string, string][] = [
    [
      'Lambda',
      'each function in its own worker thread (own module graph; heap limit = its memory) whose `process.env` is ' +
        'exactly its template environment, plus what the Lambda runtime sets and endpoints and credentials naming ' +
        'its role',
      'lambda-runtime.ts, lambda-worker.mjs, lambda-worker-main.ts',
      `${functions.length} functions (those with \`cascade:entry\` metadata; not CDK's deploy-time handlers, ` +
        `${lambdas - functions.length} here): entry, environment, timeout, memory — [Functions](#functions)`,
    ],
    [
      'IAM',
      "every call to a peer is evaluated against the caller role's policies with @cloud-copilot/iam-simulate " +
        '(denied: `AccessDeniedException`); access key `local` is the operator (administrator)',
      'iam.ts, authorizing-proxy.ts, aws-requests.ts',
      `the ${policyCount} identity policies of the ${functions.length} function roles (AWS::IAM::Policy) — [Grants](#grants)`,
    ],
    [
      'DynamoDB',
      'dynalite, behind an authorizing proxy',
      'dynamodb.ts, local-tables.ts',
      `${tables.length} tables, created as ${list(tables)} (keys and indexes from shared/store/tables.ts, which the ` +
        'construct reads too)',
    ],
    [
      'SES v2',
      'aws-ses-v2-local behind the mailbox simulator (publishes the events of each accepted mail to the default bus), ' +
        'behind an authorizing proxy',
      'ses-simulator.ts',
      `the configuration set (${list(configurationSets)}), whose name SES puts in every event's ` +
        "`ses:configuration-set` tag; the sender identity through the send function's grant",
    ],
    [
      'Step Functions',
      'aws-local-stepfunctions, each execution on its own virtual clock, behind an authorizing proxy',
      'stepfunctions.ts, synth.ts',
      `the definition of ${code(STATE_MACHINE_NAME)}: ${states.length} states, ` +
        `${states.filter((state) => state.Type === 'Task').length} Task states calling functions — [Task states](#task-states)`,
    ],
    [
      'SSM Parameter Store',
      'a Parameter Store peer (JSON 1.1 API) holding the secrets as SecureString, behind an authorizing proxy',
      'ssm.ts',
      `${parameters.size} parameter names, from the functions' \`*_PARAMETER\` variables — [Parameters](#parameters)`,
    ],
    [
      'EventBridge',
      'a bus and its JSON API: event patterns matched as EventBridge does, schedules, target Input/InputPath and ' +
        'retries, behind an authorizing proxy',
      'eventbridge.ts, event-pattern.ts, schedule-expression.ts',
      `${rules.length} rules: event patterns, schedules, targets, Input, retry policy — [Rules](#rules)`,
    ],
    [
      'S3',
      "a path-style S3 REST peer with the template's buckets; an object created invokes the functions the bucket's " +
        'notifications name (the S3 event as Lambda receives it), behind an authorizing proxy',
      's3.ts',
      `${templateBuckets(resolver).length} buckets; ${templateBucketNotifications(resolver).length} Lambda notification(s): ` +
        list(
          templateBucketNotifications(resolver).map(
            (notification) =>
              `${code(`${notification.bucket}/${notification.prefix ?? ''}*`)} → ${functionName(deployment, notification.functionArn)}`,
          ),
        ),
    ],
    [
      'API Gateway (HTTP API)',
      'payload v2 events to the integration function in its sandbox; a request matching no route is a 404',
      'http-adapter.ts',
      `${routes.length} routes: route keys and authorization types — [Routes](#routes)`,
    ],
  ];
  const others = [...new Set(Object.values(template.Resources).map((resource) => resource.Type))]
    .filter((type) => !TWINNED_TYPES.has(type))
    .sort()
    .map((type) => `| ${type} | ${resolver.ofType(type).length} | ${cell(NOT_RUN_LOCALLY[type] ?? '—')} |`);
  return `| AWS service | local twin | local/ | taken from the template |
|---|---|---|---|
${rows.map((row) => `| ${row.map(cell).join(' | ')} |`).join('\n')}

Not run locally (the other resource types of the template):

| resource type | count | instead |
|---|---|---|
${others.join('\n')}`;
}

function functionsTable(deployment: Deployment): string {
  const { functions, parameterEnv } = deployment;
  const shared = Object.keys(functions[0]?.environment ?? {}).filter(
    (name) => !parameterEnv.has(name) && functions.every((fn) => name in fn.environment),
  );
  const rows = functions.map((fn) => {
    const names = Object.keys(fn.environment);
    const own = names.filter((name) => !shared.includes(name) && !parameterEnv.has(name));
    const parameters = names.filter((name) => parameterEnv.has(name)).map((name) => fn.environment[name] ?? '');
    return `| ${fn.constructId} | ${code(fn.entry)} | ${fn.timeoutSeconds} s | ${fn.memoryMb} MB | ${
      fn.reservedConcurrency ?? '—'
    } | ${list(own.map(code))} | ${list(parameters.map(code))} |`;
  });
  const optional = (Object.values(SETTINGS) as SettingSpec[])
    .filter((spec) => !spec.required)
    .map((spec) => `- ${code(spec.env)}: ${spec.source}`);
  return `Every function is given ${list(shared.map(code))}. Besides those:

| function | entry | timeout | memory | reserved concurrency | also given | SSM parameters read |
|---|---|---|---|---|---|---|
${rows.join('\n')}

Given only when the deployment context has a value (the embedded stack passes its LinkedIn sandbox's URL and an
account id, so its functions have them):

${optional.join('\n')}

Locally the timeout reaches the handler as \`context.getRemainingTimeInMillis()\` but an invocation running past it
is not stopped; reserved concurrency is not enforced (a function's concurrent invocations share its one sandbox).`;
}

function grantsTable(deployment: Deployment): string {
  const policies = rolePolicies(deployment.resolver);
  const untwinned = new Set<string>();
  const rows = deployment.functions.map((fn) => {
    const tables = new Map<string, 'read' | 'read/write'>();
    const others: string[] = [];
    for (const policy of policies.get(fn.roleLogicalId) ?? []) {
      for (const statement of [policy.Statement].flat() as PolicyStatement[]) {
        const actions = [statement.Action ?? []].flat();
        const resources = [statement.Resource ?? []].flat();
        for (const action of actions) {
          const service = action.split(':')[0] ?? '';
          if (!TWINNED_SERVICES.has(service)) untwinned.add(service);
        }
        const twinned = actions.filter((action) => TWINNED_SERVICES.has(action.split(':')[0] ?? ''));
        if (twinned.length === 0) continue;
        const effect = statement.Effect === 'Deny' ? 'deny ' : '';
        if (!effect && twinned.every((action) => action.startsWith('dynamodb:'))) {
          const access = twinned.includes('dynamodb:PutItem') ? 'read/write' : 'read';
          for (const resource of resources) {
            const name = /:table\/([^/]+)$/.exec(resource)?.[1];
            if (!name) continue;
            const table = name.replace(`${LOCAL_TABLE_PREFIX}-`, '');
            if (tables.get(table) !== 'read/write') tables.set(table, access);
          }
          continue;
        }
        others.push(`${effect}${twinned.map(code).join(', ')} on ${list(resources.map((r) => code(shortArn(r))))}`);
      }
    }
    const byAccess = (access: string) =>
      ALL_TABLES.map((spec) => spec.id).filter((table) => tables.get(table) === access);
    const dynamo = [
      byAccess('read/write').length > 0 ? `read/write: ${byAccess('read/write').join(', ')}` : '',
      byAccess('read').length > 0 ? `read: ${byAccess('read').join(', ')}` : '',
    ].filter(Boolean);
    return `| ${fn.constructId} | ${code(fn.roleLogicalId)} | ${cell(list(dynamo))} | ${cell(list(others))} |`;
  });
  return `Each function's sandbox signs its calls with an access key id naming its role; the peers allow what that
role's synthesized policies allow (resources as the embedded stack names them: account ${LOCAL_ACCOUNT}, region
${LOCAL_REGION}, the configuration set by its logical id). Grants on services without a twin
(${list([...untwinned].sort().map(code))}) are never exercised locally and are not listed.

| function | role (access key id) | DynamoDB tables | other grants |
|---|---|---|---|
${rows.join('\n')}`;
}

/** A pattern as its field conditions: `source` = `aws.ses`; `detail-type` ∈ …; nested fields by dotted path. */
function patternConditions(node: unknown, path: string[] = []): string[] {
  if (Array.isArray(node)) {
    const values = node.map((value) => code(typeof value === 'object' ? JSON.stringify(value) : String(value)));
    return [`${code(path.join('.'))} ${values.length === 1 ? '=' : '∈'} ${values.join(', ')}`];
  }
  if (node !== null && typeof node === 'object')
    return Object.entries(node).flatMap(([key, value]) => patternConditions(value, [...path, key]));
  return [`${code(path.join('.'))} = ${code(String(node))}`];
}

function rulesTable(deployment: Deployment): string {
  const rows = templateRules(deployment.resolver).flatMap((rule) => {
    const on = rule.scheduleExpression
      ? `schedule ${code(rule.scheduleExpression)} (driven locally only by \`cascade serve --schedule <expr>\`, ` +
        'which synthesizes with `-c batchSchedule=<expr>`)'
      : `bus ${code(rule.eventBusName)}: ${patternConditions(rule.eventPattern).join(' and ')}`;
    return rule.targets.map((target) => {
      const payload =
        target.input !== undefined
          ? code(target.input)
          : target.inputPath !== undefined
            ? `InputPath ${code(target.inputPath)}`
            : 'the event';
      const retries = `${target.retryAttempts ?? '185 (default)'}${
        target.deadLetterArn ? `, then ${code(shortArn(target.deadLetterArn))} (dropped locally)` : ''
      }`;
      return `| ${code(rule.name)} | ${rule.state} | ${cell(on)} | ${functionName(deployment, target.arn)} | ${cell(
        payload,
      )} | ${retries} |`;
    });
  });
  return `| rule | state | on | target | payload | retries |
|---|---|---|---|---|---|
${rows.join('\n')}`;
}

function routesTable(deployment: Deployment): string {
  const { resolver } = deployment;
  const integrationOf = new Map(
    resolver.ofType('AWS::ApiGatewayV2::Route').map(([, route]) => {
      const target = resolver.resolveString(route.Properties?.Target).replace(/^integrations\//, '');
      const integration = deployment.template.Resources[target]?.Properties ?? {};
      const uri = resolver.resolveString(integration.IntegrationUri);
      return [
        String(route.Properties?.RouteKey),
        `${functionName(deployment, uri)} (payload ${String(integration.PayloadFormatVersion ?? '1.0')})`,
      ];
    }),
  );
  const rows = templateRoutes(resolver).map(
    ({ routeKey, authorizationType }) =>
      `| ${code(routeKey)} | ${authorizationType} | ${
        authorizationType === 'NONE'
          ? 'public'
          : `the operator bearer token stands in for ${authorizationType === 'AWS_IAM' ? 'a SigV4 signature' : authorizationType}`
      } | ${integrationOf.get(routeKey) ?? '—'} |`,
  );
  return `| route | authorization | locally | integration |
|---|---|---|---|
${rows.join('\n')}

\`cascade serve\` also answers LOCAL-ONLY routes under \`/_local/\` (\`cascade simulate\`'s feeds, bearer token): they are
the twin's own, in neither the template nor the OpenAPI document.`;
}

function tasksTable(deployment: Deployment, machine: ExtractedMachine): string {
  const rows = Object.entries(machine.definition.States)
    .filter(([, state]) => state.Type === 'Task')
    .map(
      ([name, state]) =>
        `| ${name} | ${functionName(deployment, String(state.Resource))} | ${code(machine.taskEntries[name] ?? '—')} |`,
    );
  return `| Task state | function | entry |
|---|---|---|
${rows.join('\n')}`;
}

/** Parameter name → the functions given it (through their `*_PARAMETER` variables). */
function parameterReaders(deployment: Deployment): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  for (const fn of deployment.functions) {
    for (const [name, value] of Object.entries(fn.environment)) {
      if (!deployment.parameterEnv.has(name)) continue;
      readers.set(value, [...(readers.get(value) ?? []), fn.constructId]);
    }
  }
  return readers;
}

function parametersTable(deployment: Deployment): string {
  const rows = [...parameterReaders(deployment)].map(
    ([name, functions]) => `| ${code(name)} | SecureString | ${functions.join(', ')} |`,
  );
  return `Read through Powertools Parameters (decrypted, cached for 5 minutes) by the functions given their names; a
function may \`ssm:GetParameter\` exactly the ones it reads. Deployed, the operator creates them (see the README's deploy steps);
the embedded stack puts generated values (kept in \`--data DIR\`) and the LinkedIn sandbox's key under the same names.

| parameter | type | read by |
|---|---|---|
${rows.join('\n')}`;
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
