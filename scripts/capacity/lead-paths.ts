import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The lead paths the capacity model replays, as `npm run bench` measured them (bench/results.json): the states
 * entered and their offsets on the execution's clock, Task invocations and durations, SES calls and events,
 * writes to shared DynamoDB items. Each path is cut into segments at its Wait states.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface BenchPath {
  id: string;
  statePath: string[];
  stateOffsets: number[];
  taskInvocations: number;
  taskMsTotal: number;
  sesAccepted: number;
  sesEvents: number;
  sesInjectedFailures: number;
  dynamo: { sharedWrites: Record<string, number> };
}

/** The lead mix: which path a lead takes (a B2B list where most leads have a working address). */
export const DEFAULT_MIX: Record<string, number> = {
  email_first_try: 0.7,
  no_email_to_linkedin: 0.1,
  bounce_to_linkedin: 0.05,
  invalid_blocked_to_form: 0.07,
  complaint_stop: 0.01,
  all_exhausted: 0.05,
  worst: 0.02,
};

const TASKS = new Set([
  'Send Email',
  'Send LinkedIn Message',
  'Submit Contact Form',
  'Create Phone Task',
  'Check Delivery',
  'Mark Lead Exhausted',
]);
const CHANNEL_TASKS = new Set(['Send Email', 'Send LinkedIn Message', 'Submit Contact Form']);

/** The shared DynamoDB items the model follows (patterns as the bench meter records them). */
export const HOT_ITEMS: Record<string, string> = {
  'RateCounters:ALL#D#<day>': 'ALL#D#<day> (global daily counter)',
  'RateCounters:EMAIL#H#<hour>': 'EMAIL#H#<hour>',
  'RateCounters:EMAIL#D#<day>': 'EMAIL#D#<day>',
  'Outreach:METRICS#*|<day>#EMAIL': 'METRICS#* <day>#EMAIL (all-campaign metrics)',
  'Outreach:METRICS#<campaign>|<day>#EMAIL': 'METRICS#<campaign> <day>#EMAIL',
};

export interface Segment {
  /** Seconds after the execution started. */
  offset: number;
  transitions: number;
  invocations: number;
  lambdaSeconds: number;
  sesCalls: number;
  sesEvents: number;
  writes: Record<string, number>;
  /** The segment sends an email: SES may throttle it. */
  sends: boolean;
}

export interface PathModel {
  id: string;
  weight: number;
  segments: Segment[];
  /** Lambda seconds of one channel Task, for the retry an SES throttle costs. */
  taskSeconds: number;
}

function segmentAt(segments: Segment[], offset: number): Segment {
  const last = segments.at(-1);
  if (last && last.offset === offset) return last;
  const segment: Segment = {
    offset,
    transitions: 0,
    invocations: 0,
    lambdaSeconds: 0,
    sesCalls: 0,
    sesEvents: 0,
    writes: {},
    sends: false,
  };
  segments.push(segment);
  return segment;
}

/** Cuts a measured path at its Wait states: every state between two waits happens at one offset. */
export function pathModel(bench: BenchPath, weight: number): PathModel {
  const taskSeconds = bench.taskInvocations > 0 ? bench.taskMsTotal / bench.taskInvocations / 1000 : 0.2;
  const channelTasks = bench.statePath.filter((state) => CHANNEL_TASKS.has(state)).length || 1;
  const sesCalls = bench.sesAccepted + Math.ceil(bench.sesInjectedFailures / 3);
  let sesCallsLeft = sesCalls;
  const segments: Segment[] = [];
  bench.statePath.forEach((state, index) => {
    const segment = segmentAt(segments, bench.stateOffsets[index] ?? 0);
    segment.transitions++;
    if (TASKS.has(state)) {
      segment.invocations++;
      segment.lambdaSeconds += taskSeconds;
    }
    if (CHANNEL_TASKS.has(state)) {
      for (const [key, writes] of Object.entries(bench.dynamo.sharedWrites))
        if (HOT_ITEMS[key]) segment.writes[key] = (segment.writes[key] ?? 0) + writes / channelTasks;
    }
    if (state === 'Send Email' && sesCallsLeft > 0) {
      sesCallsLeft--;
      segment.sesCalls++;
      segment.sends = true;
      if (bench.sesAccepted > 0 && sesCallsLeft < bench.sesAccepted)
        segment.sesEvents += bench.sesEvents / bench.sesAccepted;
    }
  });
  return { id: bench.id, weight, segments, taskSeconds };
}

export function loadBench(file = path.join(ROOT, 'bench', 'results.json')) {
  return JSON.parse(readFileSync(file, 'utf8')) as { paths: { paths: BenchPath[]; sesEventMs?: number } };
}

export function loadPaths(
  results: ReturnType<typeof loadBench>,
  mix: Record<string, number> = DEFAULT_MIX,
): PathModel[] {
  return Object.entries(mix).map(([id, weight]) => {
    const bench = results.paths.paths.find((candidate) => candidate.id === id);
    if (!bench?.stateOffsets)
      throw new Error(`bench/results.json has no path ${id} with state offsets: run npm run bench`);
    return pathModel(bench, weight);
  });
}
