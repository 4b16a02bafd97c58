import type { Stack } from 'aws-cdk-lib';
import { CfnElement } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';

/**
 * IAM policies of a synthesized stack in a form a reviewer can read and a test can compare exactly:
 * `arn(LeadsTable)`, `${Region}`, statements merged by actions and condition, actions and resources sorted.
 */
export interface ReadableStatement {
  actions: string[];
  resources: string[];
  condition?: unknown;
}

type Json = Record<string, unknown>;

/** Logical id → construct path below the stack, without the trailing `/Resource` (`LeadsTable`, `Outreach/StateMachine`). */
export function logicalNames(stack: Stack): Map<string, string> {
  const names = new Map<string, string>();
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof CfnElement)) continue;
    const id = stack.resolve(construct.logicalId) as string;
    const path = construct.node.path
      .split('/')
      .slice(1)
      .join('/')
      .replace(/\/(Resource|Default)$/, '');
    names.set(id, path);
  }
  return names;
}

export function readable(value: unknown, names: Map<string, string>): string {
  if (typeof value === 'string') return value;
  const node = value as Json;
  if (node['Fn::Join']) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => readable(part, names)).join(separator);
  }
  if (node['Fn::GetAtt']) {
    const [id, attribute] = node['Fn::GetAtt'] as [string, string];
    const name = names.get(id) ?? id;
    return attribute === 'Arn' ? `arn(${name})` : `${attribute}(${name})`;
  }
  if (node.Ref) {
    const ref = node.Ref as string;
    if (ref.startsWith('AWS::')) return `<${ref.slice(5)}>`;
    return `ref(${names.get(ref) ?? ref})`;
  }
  if (node['Fn::Select']) {
    // A state machine's name: the 7th `:`-separated part of its ARN (what `stateMachineName` renders to).
    const [index, list] = node['Fn::Select'] as [number, Json];
    const [separator, source] = (list['Fn::Split'] as [string, Json] | undefined) ?? [];
    if (separator === ':' && index === 6 && typeof source?.Ref === 'string')
      return `name(${names.get(source.Ref) ?? source.Ref})`;
  }
  return JSON.stringify(value);
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every statement of every policy attached to the role of the function whose `cascade:entry` is `entry`. */
export function functionPolicy(template: Template, names: Map<string, string>, entry: string): ReadableStatement[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Json; Metadata?: Json }>;
  const fn = Object.values(resources).find(
    (resource) => resource.Type === 'AWS::Lambda::Function' && resource.Metadata?.['cascade:entry'] === entry,
  );
  if (!fn) throw new Error(`no function for ${entry}`);
  const roleId = ((fn.Properties?.Role as Json | undefined)?.['Fn::GetAtt'] as string[] | undefined)?.[0];
  const role = resources[roleId as string];
  if (role?.Properties?.ManagedPolicyArns) throw new Error(`${entry}: its role has managed policies`);
  const statements = Object.values(resources)
    .filter(
      (resource) =>
        resource.Type === 'AWS::IAM::Policy' &&
        list(resource.Properties?.Roles as Json[]).some((ref) => ref.Ref === roleId),
    )
    .flatMap((policy) =>
      list((policy.Properties?.PolicyDocument as Json | undefined)?.Statement as Json[] | undefined),
    );
  return mergeStatements(statements, names);
}

export function mergeStatements(statements: Json[], names: Map<string, string>): ReadableStatement[] {
  const merged = new Map<string, ReadableStatement>();
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') throw new Error(`unexpected ${String(statement.Effect)} statement`);
    const actions = list(statement.Action as string | string[]).sort();
    const condition =
      statement.Condition === undefined ? undefined : JSON.parse(readableJson(statement.Condition, names));
    const key = JSON.stringify([actions, condition]);
    const entry = merged.get(key) ?? { actions, resources: [], ...(condition !== undefined && { condition }) };
    entry.resources = [
      ...new Set([...entry.resources, ...list(statement.Resource).map((r) => readable(r, names))]),
    ].sort();
    merged.set(key, entry);
  }
  return [...merged.values()].sort((a, b) => a.actions.join().localeCompare(b.actions.join()));
}

function readableJson(value: unknown, names: Map<string, string>): string {
  return JSON.stringify(value, (_key, inner) =>
    inner !== null &&
    typeof inner === 'object' &&
    !Array.isArray(inner) &&
    ('Ref' in inner || 'Fn::Join' in inner || 'Fn::GetAtt' in inner)
      ? readable(inner, names)
      : inner,
  );
}
