/**
 * `npm run bench`: the figures of issue 7, all from the real code on the embedded stack, in one run — printed as a
 * table and written to bench/results.json with the machine's facts and the date.
 *
 * Sections run in fresh processes (each with its own embedded stack): paths (1–3) then the rate-limit run (4),
 * alongside the metrics volumes (5) on the other core; then, alone, the cold starts (6) and the engine overhead
 * pairs (7), whose timings must not share the CPU.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ColdStartSection } from './cold-start';
import type { ConsoleSection } from './console';
import {
  costOf,
  estimateAt10k,
  multiTouchFigures,
  overheadPairs,
  type Prices,
  type Sections,
  TARGETS,
  verdictsOf,
} from './figures';
import { BENCH_DIR, PROJECT_ROOT, round, runSection } from './harness';
import type { MetricsSection } from './metrics-scale';
import type { OverheadRun } from './overhead-worker';
import type { PathsSection } from './paths';
import type { RateLimitSection } from './rate-limit';
import { type MachineFacts, reportTable } from './report-table';

function machine(): MachineFacts {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpus: cpus.length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    commit: git(['rev-parse', '--short', 'HEAD']),
    uncommittedFiles: git(['status', '--porcelain']).split('\n').filter(Boolean).length,
  };
}

/**
 * Runs every section in a fresh process, timing each: paths then the rate limit beside the metrics volumes (on
 * the other core), then the cold starts and the engine overhead pairs alone, as their timings must not share a CPU.
 */
async function runSections(
  overheadLeads: number[],
): Promise<{ sections: Sections; consoleSection: ConsoleSection; sectionSeconds: Record<string, number> }> {
  const sectionSeconds: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      sectionSeconds[name] = round((performance.now() - started) / 1000, 1);
    }
  };
  process.stderr.write('cascade bench: sections 1–5 (paths, rate limit ‖ metrics volumes)\n');

  const [stackSections, metrics] = await Promise.all([
    (async () => {
      const paths = await timed('paths', () => runSection<PathsSection>('paths.ts'));
      const rateLimit = await timed('rateLimit', () => runSection<RateLimitSection>('rate-limit.ts'));
      return { paths, rateLimit };
    })(),
    timed('metrics', () => runSection<MetricsSection>('metrics-scale.ts')),
  ]);
  const { paths, rateLimit } = stackSections;
  process.stderr.write('cascade bench: section 6 (cold starts, alone)\n');
  const coldStart = await timed('coldStart', () => runSection<ColdStartSection>('cold-start.ts', ['--runs', '11']));
  process.stderr.write('cascade bench: section 7 (embedded engine overhead, alone)\n');
  const overhead: OverheadRun[] = [];
  for (const leads of overheadLeads) {
    for (const mode of ['direct', 'stack'] as const) {
      process.stderr.write(`  · overhead: ${mode}, ${leads} leads\n`);
      overhead.push(
        await timed(`overhead ${mode} ${leads}`, () =>
          runSection<OverheadRun>(
            'overhead-worker.ts',
            ['--mode', mode, '--leads', String(leads), '--concurrency', '1'],
            ['--expose-gc'],
          ),
        ),
      );
    }
  }
  process.stderr.write('cascade bench: section 8 (the console: bundle, first render with 10,000 leads, alone)\n');
  const consoleSection = await timed('console', () => runSection<ConsoleSection>('console.ts', ['--leads', '10000']));
  return { sections: { paths, rateLimit, metrics, coldStart, overhead }, consoleSection, sectionSeconds };
}

/** Issue 17's targets: the console bundle ≤ 250 KB gzipped, the campaigns page of 10,000 leads drawn in ≤ 1 s. */
const CONSOLE_TARGETS = { bundleGzipKb: 250, firstRenderMs: 1000 };

function consoleLines(section: ConsoleSection): string[] {
  const kb = section.bundleGzipBytes / 1024;
  const mark = (met: boolean) => (met ? '✓' : '✗ missed');
  return [
    '8. Operator console',
    `    bundle ${kb.toFixed(1)} KB gzipped (${section.files.map((file) => `${file.name} ${(file.bytes / 1024).toFixed(1)} KB`).join(', ')})`,
    `    target: ≤ ${CONSOLE_TARGETS.bundleGzipKb} KB gzipped → ${mark(kb <= CONSOLE_TARGETS.bundleGzipKb)}`,
    `    campaigns page, one campaign of ${section.leads} leads: first render ${section.firstRenderMs.toFixed(0)} ms (median of ${section.runsMs.length})`,
    `    target: ≤ ${CONSOLE_TARGETS.firstRenderMs} ms → ${mark(section.firstRenderMs <= CONSOLE_TARGETS.firstRenderMs)}`,
  ];
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const clock = performance.now();
  const prices = JSON.parse(readFileSync(path.join(BENCH_DIR, 'prices.json'), 'utf8')) as Prices;
  const overheadLeads = (process.env.BENCH_OVERHEAD_LEADS ?? '300,1000,2000').split(',').map(Number);
  const { sections, consoleSection, sectionSeconds } = await runSections(overheadLeads);
  const { paths, overhead } = sections;
  const largestDirect = [...overhead].filter((run) => run.mode === 'direct').sort((a, b) => b.leads - a.leads)[0];
  const launchMsPerLead = largestDirect ? (largestDirect.launchSeconds * 1000) / largestDirect.leads : 0;
  const launch = { usage: paths.launch.perLead, ms: launchMsPerLead };
  const costs = paths.paths.map((path) => costOf(path, launch, prices));
  const pairs = overheadPairs(overhead, overheadLeads);
  const estimate10k = estimateAt10k(pairs);
  const multiTouch = multiTouchFigures(paths.paths, prices);
  const verdicts = verdictsOf(sections, pairs, estimate10k, multiTouch);
  const facts = machine();
  const lines = reportTable({ startedAt, facts, prices, sections, costs, multiTouch, pairs, estimate10k, verdicts });
  lines.push(...consoleLines(consoleSection));
  const seconds = (performance.now() - clock) / 1000;
  lines.push(`bench took ${seconds.toFixed(0)} s · results in bench/results.json`);
  process.stdout.write(`${lines.join('\n')}\n`);

  const results = {
    date: startedAt.toISOString(),
    durationSeconds: round(seconds, 1),
    sectionSeconds,
    machine: facts,
    prices: { region: prices.region, date: prices.date, file: 'bench/prices.json' },
    targets: TARGETS,
    verdicts,
    paths: { ...paths, costs, multiTouch, launcherMsPerLead: round(launchMsPerLead, 2) },
    rateLimit: sections.rateLimit,
    metrics: sections.metrics,
    coldStart: sections.coldStart,
    console: {
      ...consoleSection,
      targets: CONSOLE_TARGETS,
      met: {
        bundle: consoleSection.bundleGzipBytes / 1024 <= CONSOLE_TARGETS.bundleGzipKb,
        firstRender: consoleSection.firstRenderMs <= CONSOLE_TARGETS.firstRenderMs,
      },
    },
    overhead: {
      runs: overhead,
      pairs: pairs.map(({ leads, ratio }) => ({ leads, ratio: round(ratio, 3) })),
      estimate10k,
    },
    table: lines,
  };
  writeFileSync(path.join(BENCH_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
