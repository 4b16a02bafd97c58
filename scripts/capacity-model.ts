/**
 * Capacity model (docs/capacity.md): 1 million leads a day on AWS under default quotas — where the first
 * bottleneck is and what the design does about it.
 *
 *   npx tsx scripts/capacity-model.ts [--leads 1000000] [--regions large|other] [--json]
 *
 * A per-second fluid simulation over a week (`capacity/simulate.ts`) of the lead paths measured by `npm run bench`
 * (`capacity/lead-paths.ts`), in the mix of paths given there, against the default quotas (`capacity/quotas.ts`).
 * It reports, for each scenario below, when each quota is first exceeded and the peak demand against it.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBench, loadPaths } from './capacity/lead-paths';
import { type Quotas, quotas, type Scenario } from './capacity/quotas';
import { formatReport } from './capacity/report';
import { simulate } from './capacity/simulate';

/**
 * One launch-batch invocation enrols 8 leads at a time; each enrolment is a BatchGetItem, an UpdateItem and a
 * StartExecution in sequence (~8 + 8 + 30 ms in-region, an assumption: the embedded stack cannot measure AWS
 * latencies).
 */
const LAUNCHER_RATE = 8 / 0.046;

const SCHEDULE: Scenario['launch'] = { kind: 'schedule' };
const EVERY_MINUTE: Scenario['launch'] = { kind: 'spread', everySeconds: 60 };

/** The scenarios compared: default quotas, SES raised, transitions raised; the default cron or spread launches. */
function scenarios(leadsPerDay: number, base: Quotas, sesEventSeconds: number): Scenario[] {
  const raisedSes = { ...base, ses: { perSecond: 200, perDay: 2_000_000 } };
  const scenario = (name: string, launch: Scenario['launch'], quotas: Quotas): Scenario => ({
    name,
    leadsPerDay,
    launch,
    launcherRate: LAUNCHER_RATE,
    quotas,
    globalPerDay: leadsPerDay * 2,
    sesEventSeconds,
  });
  return [
    scenario('A. default quotas, default schedule', SCHEDULE, base),
    scenario('B. default quotas, launches spread (every minute)', EVERY_MINUTE, base),
    scenario('C. SES raised (200/s, 2M/day), default schedule', SCHEDULE, raisedSes),
    scenario('D. SES raised (200/s, 2M/day), launches spread', EVERY_MINUTE, raisedSes),
    // AWS raises state-transition quotas with sustained use; then a herd is only held back by Lambda.
    scenario('E. as B, state transitions raised to 10,000/s (SES quota still default)', EVERY_MINUTE, {
      ...base,
      stateTransitions: { bucket: 10_000, refill: 10_000 },
    }),
  ];
}

function main(): void {
  const args = process.argv.slice(2);
  const option = (name: string) => {
    const index = args.indexOf(`--${name}`);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const leadsPerDay = Number(option('leads') ?? 1_000_000);
  const regions = (option('regions') ?? 'large') as 'large' | 'other';
  const bench = loadBench(option('results'));
  const paths = loadPaths(bench);
  const sesEventSeconds = (bench.paths.sesEventMs ?? 50) / 1000;
  const results = scenarios(leadsPerDay, quotas(regions), sesEventSeconds).map((scenario) => simulate(scenario, paths));
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  process.stdout.write(formatReport({ leadsPerDay, regions, launcherRate: LAUNCHER_RATE }, results));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
