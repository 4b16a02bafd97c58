/**
 * Bench section 6: each Lambda bundled as CDK's NodejsFunction bundles it (infra/cascade-function.ts: ESM, minify,
 * source map, target node22, platform node, the createRequire banner, and CDK's default externals for a Node 18+
 * runtime: `@aws-sdk/*`, which the Lambda runtime provides — `@smithy/*` too only when the
 * `@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages` flag is on, read from cdk.json). Sizes come from the
 * esbuild metafile. Module init is timed in fresh Node processes (`--enable-source-maps`, as the stack's
 * NODE_OPTIONS) as the time to import the bundle, against a bare handler bundled the same way that imports the
 * same `@aws-sdk/*` packages the function's bundle imports; runs alternate between the two.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, FeatureFlags, Stack } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { build, type Metafile } from 'esbuild';
import { tableEnvironment } from '#local/dynamodb';
import { argument, isMain, median, PROJECT_ROOT, progress } from './harness';

export interface ColdStartFunction {
  name: string;
  bytes: number;
  mapBytes: number;
  sdkImports: string[];
  /** Largest contributors to the bundle (package or first-party folder → bytes in output). */
  largest: { module: string; bytes: number }[];
  initMs: number;
  bareInitMs: number;
  ratio: number;
  initRuns: number[];
  bareRuns: number[];
}

export interface ColdStartSection {
  externals: string[];
  runs: number;
  functions: ColdStartFunction[];
}

const BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** The externals CDK's NodejsFunction uses for this app's runtime (nodejs22.x) and feature flags. */
export function cdkExternals(): string[] {
  const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const stack = new Stack(new App({ context: cdkJson.context ?? {} }), 'Flags');
  return FeatureFlags.of(stack).isEnabled(cxapi.LAMBDA_NODEJS_SDK_V3_EXCLUDE_SMITHY_PACKAGES)
    ? ['@aws-sdk/*', '@smithy/*']
    : ['@aws-sdk/*'];
}

async function bundle(entry: string, outfile: string, externals: string[]): Promise<Metafile> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: true,
    outfile,
    external: externals,
    banner: { js: BANNER },
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: PROJECT_ROOT,
  });
  return result.metafile;
}

function moduleOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match?.[1]) return match[1];
  return input.split('/').slice(0, 2).join('/');
}

/** What the Lambda environment gives every function (names only; nothing is called at import). */
function lambdaEnvironment(name: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_SERVICE_NAME: 'cascade',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    CASCADE_SES_CONFIGURATION_SET: 'cascade',
    CASCADE_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:000000000000:stateMachine:CascadeOutreach',
    CASCADE_UNSUBSCRIBE_SECRET_PARAMETER: '/cascade/unsubscribe-secret',
    CASCADE_LINKEDIN_API_KEY_PARAMETER: '/cascade/linkedin-api-key',
    CASCADE_LINKEDIN_WEBHOOK_SECRET_PARAMETER: '/cascade/linkedin-webhook-secret',
    ...tableEnvironment('cascade'),
  };
}

/** Milliseconds to import `file` in a fresh Node process. */
function importTime(file: string, name: string): number {
  const script = `const started = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - started));`;
  const child = spawnSync(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    cwd: path.dirname(file),
    env: lambdaEnvironment(name),
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`importing ${file} failed: ${child.stderr}`);
  return Number(child.stdout.trim());
}

export async function measureColdStarts(runs: number): Promise<ColdStartSection> {
  const externals = cdkExternals();
  // Under the project so the external @aws-sdk packages resolve from its node_modules, as from the runtime's.
  const buildDir = path.join(PROJECT_ROOT, '.cascade', 'bench-bundles');
  rmSync(buildDir, { recursive: true, force: true });
  // Each function is a folder with an index.ts; others (functions/commons) are code the functions share.
  const names = readdirSync(path.join(PROJECT_ROOT, 'functions'))
    .filter((name) => existsSync(path.join(PROJECT_ROOT, 'functions', name, 'index.ts')))
    .sort();
  const functions: ColdStartFunction[] = [];
  for (const name of names) {
    progress(`cold start: ${name}`);
    const outfile = path.join(buildDir, name, 'index.mjs');
    const metafile = await bundle(path.join('functions', name, 'index.ts'), outfile, externals);
    const output = Object.entries(metafile.outputs).find(([file]) => file.endsWith('index.mjs'))?.[1];
    const mapOutput = Object.entries(metafile.outputs).find(([file]) => file.endsWith('index.mjs.map'))?.[1];
    if (!output) throw new Error(`no bundle for ${name}`);
    const sdkImports = [
      ...new Set(
        output.imports
          .filter((entry) => entry.external && entry.path.startsWith('@aws-sdk/'))
          .map((entry) => entry.path),
      ),
    ].sort();
    const byModule = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs))
      byModule.set(moduleOf(input), (byModule.get(moduleOf(input)) ?? 0) + bytesInOutput);
    const largest = [...byModule.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([module, bytes]) => ({ module, bytes }));

    const bareDir = path.join(buildDir, `${name}-bare`);
    mkdirSync(bareDir, { recursive: true });
    const bareSource = path.join(bareDir, 'handler.ts');
    writeFileSync(
      bareSource,
      `${sdkImports.map((module, index) => `import * as sdk${index} from '${module}';`).join('\n')}
export const handler = async () => [${sdkImports.map((_, index) => `sdk${index}`).join(', ')}].length;
`,
    );
    const bareFile = path.join(bareDir, 'index.mjs');
    await bundle(bareSource, bareFile, externals);

    importTime(bareFile, name); // the first spawn of a file pays for the disk cache, not for init
    importTime(outfile, name);
    const initRuns: number[] = [];
    const bareRuns: number[] = [];
    for (let run = 0; run < runs; run++) {
      bareRuns.push(importTime(bareFile, name));
      initRuns.push(importTime(outfile, name));
    }
    const initMs = median(initRuns);
    const bareInitMs = median(bareRuns);
    functions.push({
      name,
      bytes: output.bytes,
      mapBytes: mapOutput?.bytes ?? 0,
      sdkImports,
      largest,
      initMs,
      bareInitMs,
      ratio: bareInitMs > 0 ? initMs / bareInitMs : 0,
      initRuns,
      bareRuns,
    });
  }
  return { externals, runs, functions };
}

if (isMain(import.meta.url)) {
  const out = argument('out');
  measureColdStarts(Number(argument('runs') ?? 7)).then(
    (result) => {
      if (out) writeFileSync(out, JSON.stringify(result, null, 2));
      else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      process.exit(0);
    },
    (error) => {
      process.stderr.write(`${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}
