#!/usr/bin/env node
import '../infra/local/polyfills';

// Lambdas run nodejs22.x; this CLI may run on Node 20, where the SDK's Node-version notice is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { PROJECT_ROOT } from '../infra/local/stack';

const program = new Command()
  .name('cascade')
  .description('Cascade: multi-channel outreach (Email → LinkedIn → Contact form) on AWS Step Functions')
  .exitOverride()
  .showHelpAfterError();

program
  .command('demo')
  .description('start the embedded stack, import a lead file, run one batch through the synthesized state machine')
  .option('--leads <file>', 'lead CSV file', path.join(PROJECT_ROOT, 'examples/leads.csv'))
  .option('--no-progress', 'do not draw a progress bar')
  .action(async (options: { leads: string; progress: boolean }) => {
    const { runDemo } = await import('./demo');
    await runDemo({ leadsFile: path.resolve(options.leads), progress: options.progress });
  });

program
  .command('audit')
  .description(
    'print the states a run went through, with times, inputs and outputs (AWS when CASCADE_STATE_MACHINE_ARN is set, else the last local run)',
  )
  .argument('<executionName>', 'the execution name (the demo prints them; deterministic per campaign and lead)')
  .option('--state-machine-arn <arn>', 'audit an execution of this deployed state machine')
  .option('--full', 'print inputs and outputs in full')
  .action(async (executionName: string, options: { stateMachineArn?: string; full?: boolean }) => {
    const { runAudit } = await import('./audit');
    for (const line of await runAudit(executionName, options)) process.stdout.write(`${line}\n`);
  });

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
