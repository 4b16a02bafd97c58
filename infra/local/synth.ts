import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { CascadeStack, ENTRY_METADATA } from '../cascade-stack';

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
}

/** Synthesizes the Cascade stack in-process (no bundling, no credentials) and returns its template. */
export function synthesizeTemplate(): CfnTemplate {
  process.env.CDK_VALIDATION ??= 'false';
  const outdir = mkdtempSync(path.join(tmpdir(), 'cascade-synth-'));
  try {
    const app = new App({ outdir, postCliContext: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new CascadeStack(app, 'Cascade');
    return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Placeholder ARN for a function's logical id: what a Task's Resource becomes in the extracted definition. */
export const localFunctionArn = (logicalId: string) => `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`;

function resolveIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as Record<string, unknown>;
  if ('Fn::Join' in node) {
    const [separator, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map(resolveIntrinsic).join(separator);
  }
  if ('Fn::GetAtt' in node) {
    const [logicalId, attribute] = node['Fn::GetAtt'] as [string, string];
    if (attribute === 'Arn') return localFunctionArn(logicalId);
    throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute}`);
  }
  if ('Ref' in node) {
    const ref = node.Ref as string;
    return PSEUDO[ref] ?? ref;
  }
  throw new Error(`cannot resolve intrinsic ${JSON.stringify(value).slice(0, 120)}`);
}

export interface ExtractedMachine {
  definition: { StartAt: string; States: Record<string, Record<string, unknown>>; TimeoutSeconds?: number };
  /** Task state name → function source entry (e.g. functions/send-email/index.ts). */
  taskEntries: Record<string, string>;
}

/** The state machine definition exactly as CloudFormation would deploy it, with Lambda ARNs made local. */
export function extractStateMachine(template: CfnTemplate): ExtractedMachine {
  const machines = Object.values(template.Resources).filter(
    (resource) => resource.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1) throw new Error(`expected one state machine in the template, found ${machines.length}`);
  const definition = JSON.parse(
    resolveIntrinsic(machines[0]?.Properties?.DefinitionString),
  ) as ExtractedMachine['definition'];
  const entryByArn = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const entry = resource.Metadata?.[ENTRY_METADATA];
    if (resource.Type === 'AWS::Lambda::Function' && typeof entry === 'string')
      entryByArn.set(localFunctionArn(logicalId), entry);
  }
  const taskEntries: Record<string, string> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    const entry = entryByArn.get(String(state.Resource));
    if (!entry)
      throw new Error(`Task "${name}" calls ${String(state.Resource)}, which has no ${ENTRY_METADATA} metadata`);
    taskEntries[name] = entry;
  }
  return { definition, taskEntries };
}

/** All function entries of the template (the launcher and event handlers are not Tasks). */
export function functionEntries(template: CfnTemplate): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const entry = resource.Metadata?.[ENTRY_METADATA];
    if (resource.Type === 'AWS::Lambda::Function' && typeof entry === 'string') entries[logicalId] = entry;
  }
  return entries;
}
