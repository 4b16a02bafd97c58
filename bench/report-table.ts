import {
  type Estimate10k,
  type MultiTouchFigures,
  type OverheadPair,
  type PathCost,
  type Prices,
  type Sections,
  TARGETS,
  type Verdicts,
} from './figures';

/** The machine a bench ran on (it decides what the timings mean). */
export interface MachineFacts {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  platform: string;
  node: string;
  commit: string;
  uncommittedFiles: number;
}

export interface TableInput {
  startedAt: Date;
  facts: MachineFacts;
  prices: Prices;
  sections: Sections;
  costs: PathCost[];
  multiTouch: MultiTouchFigures[];
  pairs: OverheadPair[];
  estimate10k: Estimate10k;
  verdicts: Verdicts;
}

const pad = (value: string | number, width: number) => String(value).padStart(width);
const padEnd = (value: string | number, width: number) => String(value).padEnd(width);
const mark = (met: boolean) => (met ? 'MET' : 'MISSED');
const usd = (value: number) => value.toFixed(4);
const RULE = '─'.repeat(118);

/** The table's sections, in print order; each is followed by a rule. */
const SECTIONS = [headerLines, pathLines, rateLimitLines, metricsLines, coldStartLines, overheadLines];

/** The printed table, one section between rules; the caller adds the closing line. */
export function reportTable(input: TableInput): string[] {
  return SECTIONS.flatMap((section) => [...section(input), RULE]);
}

/** The run: when, on what machine, at which prices. */
function headerLines({ startedAt, facts, prices }: TableInput): string[] {
  const lines: string[] = [];
  lines.push(
    `Cascade bench · ${startedAt.toISOString()} · ${facts.cpuModel} ×${facts.cpus} · ${facts.memoryGiB} GiB · Node ${facts.node} · ${facts.commit}${facts.uncommittedFiles ? ` (+${facts.uncommittedFiles} uncommitted files)` : ''}`,
  );
  lines.push(
    `Prices: ${prices.region}, ${prices.date} (bench/prices.json) · Lambda ${prices.lambda.memoryMb} MB arm64`,
  );
  return lines;
}

/** Sections 1–3: what one lead costs on each path. */
function pathLines(input: TableInput): string[] {
  const { sections, costs, verdicts } = input;
  const lines: string[] = [];
  const { paths } = sections;
  lines.push(
    '1–3 per lead, by path (launcher share included)                                      USD per 1,000 leads',
  );
  lines.push(
    `    ${padEnd('path', 42)}${pad('transitions', 12)}${pad('λ inv.', 8)}${pad('λ GB-s', 8)}${pad('WRU', 7)}${pad('RRU', 7)}${pad('emails', 7)}${pad('excl. SES', 11)}${pad('incl. SES', 11)}`,
  );
  for (const cost of costs) {
    const path = paths.paths.find((candidate) => candidate.id === cost.id);
    lines.push(
      `    ${padEnd(`${cost.label}${path?.asExpected ? '' : ' (UNEXPECTED PATH)'}`, 42)}${pad(`${cost.transitions}${path?.taskRetries ? ` (${path.taskRetries} rtr)` : ''}`, 12)}${pad(cost.lambdaInvocations, 8)}${pad(cost.lambdaGbSeconds.toFixed(3), 8)}${pad(cost.wru.toFixed(1), 7)}${pad(cost.rru.toFixed(1), 7)}${pad(cost.emails, 7)}${pad(usd(cost.usdPer1000.excludingSes), 11)}${pad(usd(cost.usdPer1000.includingSes), 11)}`,
    );
  }
  const happyCost = costs.find((cost) => cost.id === 'email_first_try');
  if (happyCost) {
    const parts = happyCost.usdPer1000;
    lines.push(
      `    happy path per 1,000 leads: transitions $${usd(parts.transitions)} · Lambda $${usd(parts.lambda)} · DynamoDB $${usd(parts.dynamodb)} · SES $${usd(parts.ses)}`,
    );
  }
  lines.push(
    `    target: happy path ≤ ${TARGETS.happyPathTransitions} transitions → ${verdicts.happyPathTransitions.value} ${mark(verdicts.happyPathTransitions.met)}`,
  );
  return [...lines, ...multiTouchLines(input)];
}

/** Issue 13: the multi-touch paths step by step (billed transitions), and their Step Functions cost. */
function multiTouchLines({ multiTouch, verdicts }: TableInput): string[] {
  if (multiTouch.length === 0) return [];
  const lines = [
    '    multi-touch, billed transitions per step (touch + wait for a person; — = skipped, channel closed):',
  ];
  for (const path of multiTouch) {
    const steps = path.touches.map((touch) =>
      touch.skipped
        ? `${touch.stepId} — ${touch.touch}`
        : `${touch.stepId} ${touch.touch}${touch.wait ? ` + wait ${touch.wait} (${touch.waitTasks} Task)` : ''}`,
    );
    lines.push(
      `      ${padEnd(path.label, 50)}${steps.join(' · ')} = ${path.transitions} → Step Functions $${usd(path.stepFunctionsUsdPer1000)} per 1,000 leads`,
    );
  }
  lines.push(
    `    target: touch ≤ ${TARGETS.touchTransitions}, closed channel's later step ≤ ${TARGETS.closedStepTransitions}, a wait = ${TARGETS.waitTasks} Task (no loop) → ${mark(verdicts.multiTouch.met)}`,
  );
  return lines;
}

/** Section 4: sends per hour window against the limit. */
function rateLimitLines({ sections, verdicts }: TableInput): string[] {
  const lines: string[] = [];
  const { rateLimit } = sections;
  lines.push(
    `4   rate limit: ${rateLimit.executions} concurrent executions, ${rateLimit.perHourLimit} emails/hour, compressed clock (${rateLimit.seconds.toFixed(1)} s real)`,
  );
  lines.push(
    `    sends per hour window: ${rateLimit.windows.map((window) => window.sends).join(' / ')} (counters ${rateLimit.windows.map((window) => window.counter).join(' / ')}); ${rateLimit.rateLimitedWaits} rate-limit waits; daily ${rateLimit.dailyShards}-shard and global ${rateLimit.globalShards}-shard counters = ${rateLimit.dailyCounterTotal} / ${rateLimit.globalCounterTotal}`,
  );
  lines.push(
    `    target: utilisation ≥ ${TARGETS.utilisation} → ${verdicts.rateLimit.utilisation}, overshoot = 0 → ${rateLimit.overshoot}  ${mark(verdicts.rateLimit.met)}`,
  );
  return lines;
}

/** Section 5: what a metrics call reads at each volume. */
function metricsLines({ sections, verdicts }: TableInput): string[] {
  const lines: string[] = [];
  const { metrics } = sections;
  lines.push(
    '5   metrics read cost: items read per call (RCU)                              per-message read for 30 days',
  );
  for (const level of metrics.levels) {
    lines.push(
      `    ${padEnd(`${level.messages.toLocaleString('en-US')} messages`, 18)}${level.calls.map((call) => `${call.label}: ${call.itemsRead} (${call.rcu})`).join(' · ')}   ${level.perMessageItemsRead === null ? 'not run' : level.perMessageItemsRead.toLocaleString('en-US')}`,
    );
  }
  lines.push(
    `    target: constant → at most days × channels × ${metrics.shards} shards (${metrics.levels[0]?.calls.map((call) => call.bound).join(' / ')}) at every volume → ${mark(verdicts.metricsConstant.met)}`,
  );
  return lines;
}

/** Section 6: bundle sizes and init times. */
function coldStartLines({ sections, verdicts }: TableInput): string[] {
  const lines: string[] = [];
  const { coldStart } = sections;
  lines.push(
    `6   cold start: CDK bundling (externals ${coldStart.externals.join(', ')}), init = import in a fresh process, median of ${coldStart.runs}`,
  );
  lines.push(
    `    ${padEnd('function', 22)}${pad('bundle KB', 10)}${pad('init ms', 9)}${pad('bare ms', 9)}${pad('ratio', 7)}  largest parts`,
  );
  for (const fn of coldStart.functions) {
    lines.push(
      `    ${padEnd(fn.name, 22)}${pad((fn.bytes / 1024).toFixed(0), 10)}${pad(fn.initMs.toFixed(0), 9)}${pad(fn.bareInitMs.toFixed(0), 9)}${pad(fn.ratio.toFixed(2), 7)}  ${fn.largest
        .slice(0, 3)
        .map((part) => `${part.module} ${(part.bytes / 1024).toFixed(0)}`)
        .join(', ')}`,
    );
  }
  lines.push(
    `    target: bundle ≤ ${TARGETS.bundleKb} KB → ${mark(verdicts.bundleSize.met)}${verdicts.bundleSize.over.length ? ` (over: ${verdicts.bundleSize.over.join(', ')})` : ''}; init ≤ ${TARGETS.initRatio}× bare → ${mark(verdicts.initRatio.met)}${verdicts.initRatio.over.length ? ` (over: ${verdicts.initRatio.over.join(', ')})` : ''}`,
  );
  return lines;
}

/** Section 7: the embedded engine against the bare handlers. */
function overheadLines({ pairs, estimate10k, verdicts }: TableInput): string[] {
  const lines: string[] = [];
  lines.push('7   embedded engine overhead: happy-path leads, full local stack vs the same handlers called in a loop');
  lines.push(
    `    ${padEnd('leads', 8)}${pad('stack s', 9)}${pad('direct s', 10)}${pad('ratio', 7)}${pad('stack ms/lead', 15)}${pad('direct ms/lead', 16)}${pad('peak RSS stack/direct MB', 26)}`,
  );
  for (const pair of pairs) {
    lines.push(
      `    ${padEnd(pair.leads, 8)}${pad(pair.stack?.seconds.toFixed(1) ?? '—', 9)}${pad(pair.direct?.seconds.toFixed(1) ?? '—', 10)}${pad(pair.ratio.toFixed(2), 7)}${pad(pair.stack?.msPerLead.toFixed(1) ?? '—', 15)}${pad(pair.direct?.msPerLead.toFixed(1) ?? '—', 16)}${pad(`${pair.stack?.peakRssMb.toFixed(0) ?? '—'} / ${pair.direct?.peakRssMb.toFixed(0) ?? '—'}`, 26)}`,
    );
  }
  if (estimate10k.stackSeconds !== undefined) {
    lines.push(
      `    10,000 leads not run: stack + direct would take ~${((estimate10k.stackSeconds ?? 0) + (estimate10k.directSeconds ?? 0)).toFixed(0)} s, beyond the 10-minute budget. Estimated from the rows above: stack ~${estimate10k.stackSeconds.toFixed(0)} s, direct ~${estimate10k.directSeconds?.toFixed(0)} s, peak RSS ~${estimate10k.stackPeakRssMb?.toFixed(0)} / ~${estimate10k.directPeakRssMb?.toFixed(0)} MB`,
    );
  }
  lines.push(
    `    target: ≤ ${TARGETS.overheadRatio}× at ${TARGETS.overheadLeads.toLocaleString('en-US')} leads → ${verdicts.engineOverhead.ratio}× measured at ${verdicts.engineOverhead.leads?.toLocaleString('en-US')} leads, ~${verdicts.engineOverhead.estimatedRatio10k}× estimated at ${TARGETS.overheadLeads.toLocaleString('en-US')} → ${mark(verdicts.engineOverhead.met)}${(verdicts.engineOverhead.leads ?? 0) < TARGETS.overheadLeads ? ' (on a smaller N, see above)' : ''}`,
  );
  return lines;
}
