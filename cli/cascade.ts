#!/usr/bin/env node
import '../infra/local/polyfills';
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
