#!/usr/bin/env node
import '#local/polyfills';

// Lambdas run nodejs22.x; this CLI may run on Node 20, where the SDK's Node-version notice is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import type { FormCommonOptions, FormSubmitOptions } from './form';
import type { ServeCommandOptions } from './serve';
import { setAuthOption } from './sigv4';
import { registerSimulate } from './simulate';
import { registerBatch } from './verbs/batch';
import { registerCampaigns } from './verbs/campaigns';
import { registerConfig } from './verbs/channel-config';
import { registerHistory, registerLeads } from './verbs/leads';
import { registerLimits } from './verbs/limits';
import { registerMetrics } from './verbs/metrics';
import { TOKEN_OPTION_HELP } from './verbs/options';
import { registerLinkedInAccounts, registerSenders } from './verbs/senders';
import { registerSuppress } from './verbs/suppressions';
import { registerTasks } from './verbs/tasks';
import { registerWebhooks } from './verbs/webhooks';

/**
 * The `cascade` program. Each command loads what it runs only when it runs (a dynamic import in its action),
 * so `cascade campaigns get --api …` starts fast and never loads the embedded stack.
 */

// Not imported from local/stack: verbs that talk to a remote API should not load the embedded stack.
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const CLOCK_START_HELP =
  'start the virtual clock at this ISO instant with its zone (e.g. 2026-12-24T08:00:00Z): try a weekend or a holiday on any day';

function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('start the embedded stack, import a lead file, run one batch through the synthesized state machine')
    .option('--leads <file>', 'lead CSV file', path.join(PROJECT_ROOT, 'examples/leads.csv'))
    .option('--no-progress', 'do not draw a progress bar')
    .option('--clock-start <instant>', CLOCK_START_HELP)
    .action(async (options: { leads: string; progress: boolean; clockStart?: string }) => {
      const { runDemo } = await import('./demo');
      const { parseClockStart } = await import('./serve');
      const clockStartMs = parseClockStart(options.clockStart);
      await runDemo({
        leadsFile: path.resolve(options.leads),
        progress: options.progress,
        ...(clockStartMs !== undefined && { clockStartMs }),
      });
    });
}

function registerAudit(program: Command): void {
  program
    .command('audit')
    .description(
      'print the states a run went through, with times, inputs and outputs (AWS when CASCADE_STATE_MACHINE_ARN is set, else the last local run)',
    )
    .argument('<executionName>', 'the execution name (the demo prints them; deterministic per campaign and lead)')
    .option('--state-machine-arn <arn>', 'audit an execution of this deployed state machine')
    .option('--full', 'print inputs and outputs in full')
    .option('--api <url>', 'audit through a running operator API (default: $CASCADE_API_URL)')
    .option('--token <token>', TOKEN_OPTION_HELP)
    .option('--data <dir>', 'read the local runs kept by `cascade serve --data DIR`')
    .action(
      async (
        executionName: string,
        options: { stateMachineArn?: string; full?: boolean; api?: string; token?: string; data?: string },
      ) => {
        const { runAudit } = await import('./audit');
        for (const line of await runAudit(executionName, options)) process.stdout.write(`${line}\n`);
      },
    );
}

function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'start the embedded stack and the operator API on 127.0.0.1; prints the API, OpenAPI and SES-inbox URLs and the operator token',
    )
    .option('--port <port>', 'port of the API (0 picks a free one)', '8787')
    .option('--data <dir>', 'keep DynamoDB data, executions and the unsubscribe secret in this directory between runs')
    .option(
      '--schedule <expression>',
      'also launch batches of all active campaigns on this EventBridge schedule, e.g. "rate(15 minutes)" or "cron(0 9 ? * MON-FRI *)"',
    )
    .option('--log-level <level>', "the handlers' log level (DEBUG, INFO, WARN, ERROR, SILENT)", 'SILENT')
    .option(
      '--time-scale <F>',
      'one clock for the whole stack, F virtual seconds per real second (3600: a 72 h wait takes 72 s); max (default): waits pass at once',
    )
    .option('--clock-start <instant>', CLOCK_START_HELP)
    .option('--events', 'print every event as it happens (a loopback webhook receiver, signatures checked)')
    .option(
      '--allow-private-network',
      'let webhooks and other outbound requests reach loopback, private and link-local addresses (local testing)',
    )
    .action(async (options: ServeCommandOptions) => {
      const { runServe } = await import('./serve');
      await runServe(options);
    });
}

/** How `form inspect` and `form submit` reach the page: the options both take, last in their help. */
function formTargetOptions(command: Command): Command {
  return command
    .option(
      '--discover',
      'treat <url> as a web site: look for its contact page first (home page and its contact links)',
    )
    .option('--allow-private-network', 'allow loopback, private and link-local targets (local testing)')
    .option('--timeout <seconds>', 'time limit per request', '15');
}

function registerForm(program: Command): void {
  const form = program
    .command('form')
    .description("read a web page's forms and fill its contact form as the CONTACT_FORM channel does");

  formTargetOptions(
    form
      .command('inspect')
      .description(
        'print the forms of a page as JSON, best contact-form candidate first, with field roles and protections',
      )
      .argument('<url>', 'the page to read'),
  ).action(async (url: string, options: FormCommonOptions) => {
    const { inspectForms } = await import('./form');
    process.stdout.write(`${JSON.stringify(await inspectForms(url, options), null, 2)}\n`);
  });

  formTargetOptions(
    form
      .command('submit')
      .description(
        'fill and submit the first-ranked form of a page as the channel would; prints JSON {outcome, reason, submitted}',
      )
      .argument('<url>', 'the page holding the form')
      .requiredOption('--name <name>', "the sender's full name")
      .requiredOption('--email <email>', "the sender's email address")
      .option('--company <company>', "the sender's company")
      .option('--phone <phone>', "the sender's phone number")
      .option('--subject <subject>', 'the subject (a default one is written when the form asks for one)')
      .requiredOption('--message <message>', 'the message')
      .option('--dry-run', 'print what would be submitted and send nothing')
      .option('--tick-consent', 'tick a required consent box (campaign setting consentPolicy: tick_required)'),
  ).action(async (url: string, options: FormSubmitOptions) => {
    const { submitForm } = await import('./form');
    process.stdout.write(`${JSON.stringify(await submitForm(url, options), null, 2)}\n`);
  });
}

const program = new Command()
  .name('cascade')
  .description('Cascade: multi-channel outreach (Email → LinkedIn → Contact form) on AWS Step Functions')
  .exitOverride()
  .showHelpAfterError()
  // Every verb's --help lists --auth too, under "Global Options".
  .configureHelp({ showGlobalOptions: true })
  .option(
    '--auth <mode>',
    'how to authenticate to --api: iam (SigV4 from the default AWS credential chain; the default for an execute-api ' +
      'URL) or token (bearer --token; the default elsewhere) (default: $CASCADE_API_AUTH)',
  )
  // Recorded before the verb runs so every API client it builds (audit's too) signs or sends the token alike.
  .hook('preAction', (_program, verb) => setAuthOption(verb.optsWithGlobals<{ auth?: string }>().auth));

// In the order `cascade --help` lists them; the operator verbs (docs/product.md §7) from campaigns to suppress.
for (const register of [
  registerDemo,
  registerAudit,
  registerServe,
  registerCampaigns,
  registerLeads,
  registerBatch,
  registerHistory,
  registerMetrics,
  registerConfig,
  registerLimits,
  registerSenders,
  registerLinkedInAccounts,
  registerSuppress,
  registerTasks,
  registerWebhooks,
  registerSimulate,
  registerForm,
])
  register(program);

async function main() {
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) process.exit(error.exitCode);
    process.stderr.write(`cascade: ${(error as Error).message.split('\n')[0]}\n`);
    process.exit(1);
  }
}

await main();
