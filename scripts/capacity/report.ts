import { DEFAULT_MIX } from './lead-paths';
import type { ResourcePeak, ScenarioResult } from './quotas';
import { DAY } from './simulate';

/** The capacity model's text report: one block per scenario, one row per resource. */

const count = (value: number) => value.toLocaleString('en-US');

/** A second of the simulated week as `Mon 08:05:00`. */
const when = (seconds: number | undefined): string => {
  if (seconds === undefined) return 'never';
  const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][Math.floor(seconds / DAY) % 7];
  const time = new Date((seconds % DAY) * 1000).toISOString().slice(11, 19);
  return `${day} ${time}`;
};

export interface ReportHeading {
  leadsPerDay: number;
  regions: string;
  launcherRate: number;
}

function heading({ leadsPerDay, regions, launcherRate }: ReportHeading): string {
  const mix = Object.entries(DEFAULT_MIX)
    .map(([id, weight]) => `${id} ${Math.round(weight * 100)}%`)
    .join(', ');
  return `Capacity model: ${count(leadsPerDay)} leads/day imported evenly (Mon–Fri), ${regions} regions, lead mix ${mix}; launcher ${launcherRate.toFixed(0)} starts/s`;
}

function resourceRow(name: string, resource: ResourcePeak): string {
  const peak = count(Math.round(resource.peak)).padStart(12);
  const quota = count(resource.quota).padStart(12);
  return `  ${name.padEnd(62)}${peak}${quota}  ${when(resource.firstExceededAt)}  (${resource.unit})`;
}

function scenarioBlock(result: ScenarioResult): string[] {
  const perDay = (values: number[]) => values.map(count).join(' / ');
  const first = result.firstBottleneck;
  return [
    '',
    `${result.scenario}`,
    `  started per day ${perDay(result.startedPerDay)} · emails accepted per day ${perDay(result.emailsAcceptedPerDay)}`,
    `  SES-throttled sends ${count(result.sesThrottled)} · never launched ${count(result.backlogAtEnd)} · ${result.transitionsPerLead.toFixed(1)} transitions per started lead · most leads held back in one second ${count(result.maxDeferredLeads)}`,
    `  ${'resource'.padEnd(62)}${'peak'.padStart(12)}${'quota'.padStart(12)}  first exceeded`,
    '  (peaks are demand; throttled work is delayed, not dropped)',
    ...Object.entries(result.resources).map(([name, resource]) => resourceRow(name, resource)),
    `  first bottleneck: ${first ? `${first.resource} at ${when(first.atSeconds)}` : 'none'}`,
  ];
}

export function formatReport(head: ReportHeading, results: ScenarioResult[]): string {
  return `${[heading(head), ...results.flatMap(scenarioBlock)].join('\n')}\n`;
}
