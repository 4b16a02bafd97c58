import type { PolicyStatement } from '#local/iam';
import type { CfnTemplate, ExtractedMachine } from '#local/synth';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  LOCAL_TABLE_PREFIX,
  rolePolicies,
  type TemplateFunction,
  type TemplateResolver,
  templateRoutes,
  templateRules,
} from '#local/template';
import { SETTINGS, type SettingSpec } from '#shared/config/settings';
import { ALL_TABLES } from '#shared/store/tables';

// The detail tables of docs/architecture.md's twins section (functions, grants, rules, routes, Task states,
// parameters), each read from the synthesized template the way the twins read it.

export const code = (text: string) => `\`${text}\``;
export const cell = (text: string) => text.replace(/\|/g, '\\|');
export const list = (items: string[]) => (items.length === 0 ? '—' : items.join(', '));
/** An ARN without `arn:aws:<service>:<region>:<account>:`: what is left names the resource. */
const shortArn = (arn: string) => arn.replace(/^arn:aws:[^:]+:[^:]*:[^:]*:/, '');

/** The services with a local twin: IAM grants on the others are never exercised locally (not listed). */
const TWINNED_SERVICES = new Set(['dynamodb', 'ses', 'states', 'ssm', 'events', 's3', 'sqs']);

/** The synthesized template as the twins read it. */
export interface Deployment {
  template: CfnTemplate;
  resolver: TemplateResolver;
  functions: TemplateFunction[];
  byArn: Map<string, TemplateFunction>;
  parameterEnv: Set<string>;
}

/** A function by its construct id, else what its ARN names. */
export const functionName = (deployment: Deployment, arn: string) =>
  deployment.byArn.get(arn)?.constructId ?? shortArn(arn);

export function functionsTable(deployment: Deployment): string {
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

type TableAccessLabel = 'read' | 'read/write';

/** One role's grants on twinned services: DynamoDB access by table, every other statement as text. */
interface TwinnedGrants {
  tables: Map<string, TableAccessLabel>;
  others: string[];
}

/** Reads the grants of one function's role; the services of its other grants are added to `untwinned`. */
function twinnedGrants(statements: PolicyStatement[], untwinned: Set<string>): TwinnedGrants {
  const grants: TwinnedGrants = { tables: new Map(), others: [] };
  for (const statement of statements) {
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
      addTableAccess(grants.tables, twinned.includes('dynamodb:PutItem') ? 'read/write' : 'read', resources);
      continue;
    }
    grants.others.push(`${effect}${twinned.map(code).join(', ')} on ${list(resources.map((r) => code(shortArn(r))))}`);
  }
  return grants;
}

/** The tables among `resources` (not their indexes), each with the widest access granted on it. */
function addTableAccess(tables: Map<string, TableAccessLabel>, access: TableAccessLabel, resources: string[]): void {
  for (const resource of resources) {
    const name = /:table\/([^/]+)$/.exec(resource)?.[1];
    if (!name) continue;
    const table = name.replace(`${LOCAL_TABLE_PREFIX}-`, '');
    if (tables.get(table) !== 'read/write') tables.set(table, access);
  }
}

export function grantsTable(deployment: Deployment): string {
  const policies = rolePolicies(deployment.resolver);
  const untwinned = new Set<string>();
  const rows = deployment.functions.map((fn) => {
    const statements = (policies.get(fn.roleLogicalId) ?? []).flatMap(
      (policy) => [policy.Statement].flat() as PolicyStatement[],
    );
    const { tables, others } = twinnedGrants(statements, untwinned);
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

export function rulesTable(deployment: Deployment): string {
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
        target.deadLetterArn ? `, then ${code(shortArn(target.deadLetterArn))}` : ''
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

/** What the local bearer token replaces, by route authorization type. */
const AUTHORIZATION: Record<string, string> = {
  AWS_IAM: 'a SigV4 signature',
  JWT: "a Cognito JWT (the console's API)",
};

export function routesTable(deployment: Deployment): string {
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
          : `the operator bearer token stands in for ${AUTHORIZATION[authorizationType] ?? authorizationType}`
      } | ${integrationOf.get(routeKey) ?? '—'} |`,
  );
  return `| route | authorization | locally | integration |
|---|---|---|---|
${rows.join('\n')}

\`cascade serve\` also answers LOCAL-ONLY routes under \`/_local/\` (\`cascade simulate\`'s feeds, bearer token): they are
the twin's own, in neither the template nor the OpenAPI document.`;
}

export function tasksTable(deployment: Deployment, machine: ExtractedMachine): string {
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
export function parameterReaders(deployment: Deployment): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  for (const fn of deployment.functions) {
    for (const [name, value] of Object.entries(fn.environment)) {
      if (!deployment.parameterEnv.has(name)) continue;
      readers.set(value, [...(readers.get(value) ?? []), fn.constructId]);
    }
  }
  return readers;
}

export function parametersTable(deployment: Deployment): string {
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
