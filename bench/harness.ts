import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { LOCAL_DEPLOY_CONTEXT } from '#local/synth';
import {
  type Campaign,
  ChannelConfig,
  type ChannelType,
  DEFAULT_SEQUENCE,
  SequenceConfig,
} from '#shared/domain/schemas';
import { type LeadInput, validateLeadRows } from '#shared/leads/import';
import { putChannelConfig } from '#shared/store/config';
import { putCampaign } from '#shared/store/leads';

/** A campaign's sequence as an operator writes it (defaults filled in by its schema). */
export type SequenceInput = z.input<typeof SequenceConfig>;

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = path.resolve(BENCH_DIR, '..');

/**
 * Powertools Metrics warns on stderr when a shared Metrics instance is flushed empty (concurrent invocations
 * in one process flush each other's metrics); harmless here and thousands of lines long, so it is dropped.
 */
export function quietPowertools(): void {
  const warn = console.warn.bind(console);
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('No application metrics to publish')) return;
    warn(...args);
  };
}

export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: `bench-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => 300_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The bench sends from the identity the local deploy context verifies (ses:SendEmail is granted only on it). */
export const BENCH_SENDER = `ada@${LOCAL_DEPLOY_CONTEXT.senderIdentity}`;

/**
 * An active campaign that enrols every grade, with the default sequence (Email → LinkedIn → Contact form) unless
 * it is given one (a sequence as an operator writes it, parsed with its defaults).
 */
export async function createCampaign(campaignId: string, sequence?: SequenceInput): Promise<Campaign> {
  const now = new Date().toISOString();
  const campaign: Campaign = {
    campaignId,
    name: `bench ${campaignId}`,
    // The embedded stack runs the synthesized IAM policy: SES sends only from the deployed sender identity.
    sender: { name: 'Ada Bench', email: BENCH_SENDER, company: 'Cascade Bench' },
    templates: {},
    sequence: sequence ? SequenceConfig.parse(sequence) : DEFAULT_SEQUENCE,
    minGrade: 'D',
    state: 'ACTIVE',
    createdAt: now,
    updatedAt: now,
  };
  await putCampaign(campaign);
  return campaign;
}

/** A channel configuration for one campaign (or `ACCOUNT`): limits and settings, defaults otherwise. */
export async function configureChannel(
  scope: string,
  channel: ChannelType,
  rateLimits: { perHour: number; perDay: number },
  settings: Record<string, string | number | boolean> = {},
): Promise<void> {
  await putChannelConfig(ChannelConfig.parse({ channel, scope, rateLimits, settings }));
}

export interface LeadSpec {
  firstName: string;
  email?: string;
  linkedinUrl?: string;
  linkedinStatus?: string;
  contactFormUrl?: string;
  website?: string;
}

export function leadInputs(specs: LeadSpec[]): LeadInput[] {
  const result = validateLeadRows(
    specs.map((spec) => ({ lastName: 'Bench', company: 'Bench Co', leadScore: 0.8, timezone: 'UTC', ...spec })),
  );
  if (result.rejected.length > 0) throw new Error(`bench leads rejected: ${JSON.stringify(result.rejected[0])}`);
  return result.accepted;
}

/** `count` leads that reach the happy path: a deliverable address, each on its own domain. */
export function happyLeads(prefix: string, count: number): LeadInput[] {
  return leadInputs(
    Array.from({ length: count }, (_, index) => ({
      firstName: `Lead${index}`,
      email: `lead${index}@${prefix}-${index}.example`,
    })),
  );
}

export const median = (values: number[]): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

export const round = (value: number, digits = 2): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/**
 * Runs a bench section in a fresh Node process (its own embedded stack, its own memory) and returns the JSON it
 * wrote. Progress goes to this process's stderr.
 */
export async function runSection<T>(script: string, args: string[] = [], extraNodeArgs: string[] = []): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'cascade-bench-'));
  const out = path.join(dir, 'result.json');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [...extraNodeArgs, '--import', 'tsx', path.join(BENCH_DIR, script), '--out', out, ...args],
        {
          cwd: PROJECT_ROOT,
          stdio: ['ignore', 'inherit', 'inherit'],
          // This machine's Node is older than the Lambda runtime; the SDK's notice about it is noise here.
          env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        },
      );
      child.once('error', reject);
      child.once('exit', (code, signal) =>
        code === 0 ? resolve() : reject(new Error(`${script} ${args.join(' ')} exited with ${code ?? signal}`)),
      );
    });
    return JSON.parse(readFileSync(out, 'utf8')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** True when the module at `url` is the script Node was started with. */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(url);
}

/** A worker's result: to the file the parent named, else to stdout. */
export function emitResult(out: string | undefined, result: unknown): void {
  if (out) writeFileSync(out, JSON.stringify(result, null, 2));
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

/** Runs a worker's `main` when the file is executed directly (the parent starts each in a fresh process). */
export function runWhenMain(url: string, main: () => Promise<void>): void {
  if (!isMain(url)) return;
  main().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}

/** `--name value` from argv. */
export function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

export function progress(line: string): void {
  process.stderr.write(`  · ${line}\n`);
}
