import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { CascadeStack } from '#infra/cascade-stack';
import { TemplateResolver, templateFunctions } from './template';

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
}

/**
 * The context the embedded stack deploys with, as an operator passes `-c key=value` to `cdk deploy`: the
 * sender identity the demo and tests send as, and endpoints (the LinkedIn sandbox) — nothing else.
 */
export const LOCAL_DEPLOY_CONTEXT = { senderIdentity: 'cascade-demo.example' } as const;

/**
 * Synthesizes the Cascade stack in-process (no bundling, no credentials) and returns its template.
 * `context` is what `cdk synth -c key=value` would pass.
 */
export function synthesizeTemplate(context: Record<string, string> = {}): CfnTemplate {
  process.env.CDK_VALIDATION ??= 'false';
  const outdir = mkdtempSync(path.join(tmpdir(), 'cascade-synth-'));
  try {
    const app = new App({ outdir, context, postCliContext: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new CascadeStack(app, 'Cascade');
    return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export interface ExtractedMachine {
  definition: { StartAt: string; States: Record<string, Record<string, unknown>>; TimeoutSeconds?: number };
  /** Task state name → function source entry (e.g. functions/send-email/index.ts). */
  taskEntries: Record<string, string>;
}

/** The state machine definition exactly as CloudFormation would deploy it, with references made local. */
export function extractStateMachine(template: CfnTemplate): ExtractedMachine {
  const resolver = new TemplateResolver(template, { apiUrl: 'http://127.0.0.1' });
  const machines = resolver.ofType('AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine in the template, found ${machines.length}`);
  const definition = JSON.parse(
    resolver.resolveString(machines[0]?.[1].Properties?.DefinitionString),
  ) as ExtractedMachine['definition'];
  const entryByArn = new Map(templateFunctions(resolver).map((fn) => [fn.arn, fn.entry]));
  const taskEntries: Record<string, string> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task') continue;
    const entry = entryByArn.get(taskFunctionArn(state));
    if (!entry) throw new Error(`Task "${name}" calls ${taskFunctionArn(state)}, which has no entry metadata`);
    taskEntries[name] = entry;
  }
  return { definition, taskEntries };
}

/**
 * The function a Task state invokes: its Resource (the optimised Lambda integration), or, for the
 * `lambda:invoke` service integrations (`.waitForTaskToken`), its Parameters' FunctionName.
 */
export function taskFunctionArn(state: Record<string, unknown>): string {
  const resource = String(state.Resource);
  if (!/:states:::lambda:invoke/.test(resource)) return resource;
  const parameters = state.Parameters as { FunctionName?: unknown; 'FunctionName.$'?: unknown } | undefined;
  return String(parameters?.FunctionName ?? resource);
}
