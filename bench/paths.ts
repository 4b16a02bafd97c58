/**
 * Bench sections 1–3 (raw figures): each lead path through the embedded stack — the CDK-synthesized state machine
 * run by aws-local-stepfunctions, the real handlers, dynalite, the SES mailbox simulator, the LinkedIn and web-site
 * sandboxes. Per path: state transitions as AWS bills them (states entered + Task retries) from the execution
 * history, Lambda invocations (Tasks incl. retries, SES events, the launcher's share), Lambda milliseconds, and
 * DynamoDB requests and capacity units. Writes its result to `--out`.
 */
import { STATE } from '#infra/state-names';
import { simulatedEvents } from '#local/ses-simulator';
import { startLocalStack } from '#local/stack';
import type { LocalExecution } from '#local/stepfunctions/executions';
import { publicIdentifierFrom } from '#shared/channels/linkedin/provider-client';
import { type LinkedInConnectionStatus, stepIdOf } from '#shared/domain/schemas';
import { storeLeads } from '#shared/leads/create';
import type { LaunchReport } from '#shared/outreach/launcher';
import { listLeadMessages } from '#shared/store/outreach';
import { addUsage, emptyUsage, inMeterScope, installDynamoMeter, type Usage } from './dynamo-meter';
import {
  argument,
  BENCH_SENDER,
  configureChannel,
  createCampaign,
  emitResult,
  happyLeads,
  type LeadSpec,
  lambdaContext,
  leadInputs,
  median,
  progress,
  quietPowertools,
  runWhenMain,
  type SequenceInput,
} from './harness';
import {
  acceptInvite,
  answerWhileWaiting,
  MULTI_TOUCH_SEQUENCE,
  type TouchFigures,
  touchesOf,
  type WaitAction,
} from './multi-touch';
import { startSesProxy } from './ses-proxy';

interface Scenario {
  id: string;
  label: string;
  /** The lead's spec; its LinkedIn relation, when it has a profile, is what the sandbox is seeded with. */
  lead(run: string): LeadSpec;
  /** The campaign's own sequence (default: Email → LinkedIn → Contact form, the classic cascade). */
  sequence?: SequenceInput;
  /** Done while the run waits for a person (e.g. the member accepting the invite), before its wait can time out. */
  whileWaiting?: WaitAction;
  expect: {
    status: string;
    channel?: string;
    outcome?: string;
    /** States the path must not enter (e.g. Person Did Not Answer: the answer came too late). */
    notEntered?: string[];
  };
}

/** A LinkedIn profile of its own per run, with the lead's relation to the sender. */
const onLinkedIn = (run: string, id: string, linkedinStatus: LinkedInConnectionStatus) => ({
  linkedinUrl: `https://www.linkedin.com/in/bench-${id}-${run}`,
  linkedinStatus,
});

/** A web site of its own per run, with a contact form. */
const withContactForm = (host: string) => ({ contactFormUrl: `https://${host}/contact`, website: `https://${host}` });

export const SCENARIOS: Scenario[] = [
  {
    id: 'email_first_try',
    label: 'email, first try, delivery confirmed',
    lead: (run) => ({ firstName: 'Ada', email: `ada.${run}@ok-${run}.example` }),
    expect: { status: 'SUCCEEDED', channel: 'EMAIL' },
  },
  {
    id: 'no_email_to_linkedin',
    label: 'no address → LinkedIn message',
    lead: (run) => ({ firstName: 'Ben', ...onLinkedIn(run, 'b', 'CONNECTED') }),
    expect: { status: 'SUCCEEDED', channel: 'LINKEDIN' },
  },
  {
    id: 'bounce_to_linkedin',
    label: 'email bounced → LinkedIn invite',
    lead: (run) => ({
      firstName: 'Cy',
      email: `bounce+${run}@simulator.amazonses.com`,
      ...onLinkedIn(run, 'c', 'NOT_CONNECTED'),
    }),
    expect: { status: 'SUCCEEDED', channel: 'LINKEDIN' },
  },
  {
    id: 'invalid_blocked_to_form',
    label: 'invalid address → LinkedIn blocked → form',
    lead: (run) => ({
      firstName: 'Di',
      email: 'not-an-email',
      ...onLinkedIn(run, 'd', 'BLOCKED'),
      ...withContactForm(`form-${run}.example`),
    }),
    expect: { status: 'SUCCEEDED', channel: 'CONTACT_FORM' },
  },
  {
    id: 'complaint_stop',
    label: 'email complaint → stop',
    lead: (run) => ({ firstName: 'Ed', email: `complaint+${run}@simulator.amazonses.com` }),
    expect: { status: 'SUCCEEDED', outcome: 'STOP' },
  },
  {
    id: 'all_exhausted',
    label: 'no channel reaches the lead → exhausted',
    lead: () => ({ firstName: 'Flo' }),
    expect: { status: 'FAILED' },
  },
  {
    id: 'worst',
    label: 'worst: email ×3 → LinkedIn ×3 → form',
    lead: (run) => ({
      firstName: 'Gus',
      email: `transient.${run}@worst-${run}.example`,
      ...onLinkedIn(run, 'g', 'CONNECTION_REQUESTED'),
      ...withContactForm(`worst-${run}.example`),
    }),
    expect: { status: 'SUCCEEDED', channel: 'CONTACT_FORM' },
  },
  {
    id: 'multi_touch',
    label: 'multi-touch: mail → Re: → invite → msg',
    lead: (run) => ({
      firstName: 'Hal',
      email: `hal.${run}@multi-${run}.example`,
      ...onLinkedIn(run, 'h', 'NOT_CONNECTED'),
    }),
    sequence: MULTI_TOUCH_SEQUENCE,
    whileWaiting: acceptInvite,
    expect: { status: 'SUCCEEDED', channel: 'LINKEDIN', notEntered: [STATE.personDidNotAnswer, STATE.waitBeforeRetry] },
  },
  {
    id: 'multi_touch_no_email',
    label: 'multi-touch, no address (Re: skipped)',
    lead: (run) => ({ firstName: 'Ida', ...onLinkedIn(run, 'i', 'NOT_CONNECTED') }),
    sequence: MULTI_TOUCH_SEQUENCE,
    whileWaiting: acceptInvite,
    expect: { status: 'SUCCEEDED', channel: 'LINKEDIN', notEntered: [STATE.personDidNotAnswer, STATE.waitBeforeRetry] },
  },
];

export interface PathRun {
  status: string;
  output?: { outcome?: string; channelUsed?: string; channel?: string };
  error?: string;
  statePath: string[];
  /** Seconds from the execution's start (its virtual clock) at which each state of `statePath` was entered. */
  stateOffsets: number[];
  statesEntered: number;
  taskRetries: number;
  transitions: number;
  /** Wait Before Retry states a rate limit caused (the routed result used up no retry). */
  rateLimitedWaits: number;
  /** The transitions by sequence step, in the order the steps ran (steps skipped without a Task are absent). */
  touches: TouchFigures[];
  taskInvocations: number;
  taskNames: string[];
  taskMs: number[];
  sesAccepted: number;
  sesEvents: number;
  sesInjectedFailures: number;
}

export interface PathResult extends Omit<PathRun, 'taskMs'> {
  id: string;
  label: string;
  expected: Scenario['expect'];
  asExpected: boolean;
  /** The ids of the campaign's sequence steps, when it has its own sequence (a step absent from `touches` cost 0). */
  sequenceSteps?: string[];
  /** Median over the unmetered runs of the summed Task handler milliseconds. */
  taskMsTotal: number;
  taskMsRuns: number[];
  dynamo: Usage;
}

export interface PathsSection {
  paths: PathResult[];
  /** The launcher's DynamoDB use per lead (its duration is measured without executions competing, in section 7). */
  launch: { batch: number; perLead: Usage };
  sesEventMs: number;
  durationRuns: number;
}

/** A Wait Before Retry entered for a rate limit: the cursor's routed result did not use up a retry. */
function isRateLimitWait(event: LocalExecution['events'][number]): boolean {
  const details = event.stateEnteredEventDetails;
  if (details?.name !== STATE.waitBeforeRetry || !details.input) return false;
  const input = JSON.parse(details.input) as { cursor?: { result?: { usesRetry?: boolean } } };
  return input.cursor?.result?.usesRetry === false;
}

/** States entered plus Task retries, as Step Functions bills them; Task durations from the history's timestamps. */
export function analyseHistory(
  execution: LocalExecution,
): Omit<PathRun, 'sesAccepted' | 'sesEvents' | 'sesInjectedFailures'> {
  const events = execution.events;
  const entered = events.filter((event) => event.type.endsWith('StateEntered'));
  const taskEntered = events.filter((event) => event.type === 'TaskStateEntered').length;
  const scheduled = events.filter((event) => event.type === 'TaskScheduled').length;
  const taskMs: number[] = [];
  const taskNames: string[] = [];
  let currentTask = '';
  events.forEach((event, index) => {
    if (event.type === 'TaskStateEntered') currentTask = event.stateEnteredEventDetails?.name ?? '';
    if (event.type !== 'TaskScheduled') return;
    const end = events
      .slice(index + 1)
      .find((later) => later.type === 'TaskStateExited' || later.type === 'TaskFailed');
    taskNames.push(currentTask);
    taskMs.push(end ? end.timestamp - event.timestamp : 0);
  });
  return {
    status: execution.status,
    output: execution.output ? JSON.parse(execution.output) : undefined,
    error: execution.error,
    statePath: entered.map((event) => event.stateEnteredEventDetails?.name ?? '?'),
    stateOffsets: entered.map((event) => Math.round((event.timestamp - execution.startDate) / 1000)),
    statesEntered: entered.length,
    taskRetries: scheduled - taskEntered,
    transitions: entered.length + (scheduled - taskEntered),
    rateLimitedWaits: entered.filter(isRateLimitWait).length,
    touches: touchesOf(execution),
    taskInvocations: scheduled,
    taskNames,
    taskMs,
  };
}

/** The embedded stack behind the SES proxy, with the DynamoDB meter installed and the launcher loaded. */
async function startPathBench() {
  const stack = await startLocalStack({});
  const proxy = await startSesProxy(stack.environment.AWS_ENDPOINT_URL_SESV2 ?? '');
  process.env.AWS_ENDPOINT_URL_SESV2 = proxy.endpoint;
  const campaignsSeen = new Set<string>();
  const meter = installDynamoMeter({
    indexes: true,
    normaliseKey: (key) => {
      let pattern = key
        // A metrics counter's shards (METRICS#<shard>#<scope>) are one logical counter to the capacity model.
        .replace(/^METRICS#\d+#/, 'METRICS#')
        .replace(/\d{4}-\d{2}-\d{2}T\d{2}/g, '<hour>')
        .replace(/\d{4}-\d{2}-\d{2}/g, '<day>')
        .replace(/LINKEDIN:[\w-]+/g, 'LINKEDIN:<account>')
        .replace(/^DOMAIN#[^#]+/, 'DOMAIN#<recipient domain>')
        .replace(/^(EMAIL|DOMAIN)#[^|]*@[^|]*/, '$1#<address>');
      for (const campaignId of campaignsSeen) pattern = pattern.split(campaignId).join('<campaign>');
      return pattern;
    },
  });
  const { handler: launch } = await import('#functions/launch-batch/index');
  // What each campaign's run does while it waits for a person (by campaign id).
  const waitActions = new Map<string, WaitAction>();
  const waitAnswers = answerWhileWaiting(stack, waitActions);
  return { stack, proxy, meter, launch, campaignsSeen, waitActions, waitAnswers };
}
type PathBench = Awaited<ReturnType<typeof startPathBench>>;

/** One lead of `scenario` in its own campaign, through to the end of its execution; metered or not. */
async function runOnce(bench: PathBench, scenario: Scenario, run: string, metered: boolean) {
  const { stack, proxy, meter, launch } = bench;
  const campaignId = `p-${run}-${scenario.id}`.replace(/_/g, '-');
  bench.campaignsSeen.add(campaignId);
  meter.pause(true);
  const campaign = await createCampaign(campaignId, scenario.sequence);
  if (scenario.whileWaiting) bench.waitActions.set(campaignId, scenario.whileWaiting);
  // Each run sends LinkedIn actions from its own account, so one run's spacing never delays another's.
  await configureChannel(campaignId, 'LINKEDIN', { perHour: 5, perDay: 20 }, { accountId: `acct-${campaignId}` });
  const spec = scenario.lead(run);
  await storeLeads(campaign, leadInputs([spec]));
  if (spec.linkedinUrl && spec.linkedinStatus)
    stack.linkedin.seedProfile({
      publicIdentifier: publicIdentifierFrom(spec.linkedinUrl),
      status: spec.linkedinStatus as LinkedInConnectionStatus,
    });
  meter.pause(!metered);
  meter.reset();
  const before = { accepted: proxy.accepted, events: proxy.events, failures: proxy.injectedFailures };
  const [report] = (await inMeterScope('launch', () =>
    launch({ campaignId }, lambdaContext('LaunchBatchFunction')),
  )) as LaunchReport[];
  const name = report?.executions[0];
  const execution = name ? stack.stepFunctions.get(name) : undefined;
  if (!execution) throw new Error(`${scenario.id}: no execution started (${JSON.stringify(report)})`);
  await execution.done;
  const usage = meter.take();
  meter.pause(true);
  const failedAnswer = bench.waitAnswers.failures.shift();
  if (failedAnswer) throw new Error(`${scenario.id}: answering the wait failed: ${failedAnswer.message}`);
  return {
    run: {
      ...analyseHistory(execution),
      sesAccepted: proxy.accepted - before.accepted,
      sesEvents: proxy.events - before.events,
      sesInjectedFailures: proxy.injectedFailures - before.failures,
    } satisfies PathRun,
    execution: usage.get('execution') ?? emptyUsage(),
  };
}

/** One metered run of a path for its requests, then `durationRuns` unmetered ones for its Task time. */
async function measurePath(bench: PathBench, scenario: Scenario, durationRuns: number): Promise<PathResult> {
  const metered = await runOnce(bench, scenario, 'm', true);
  const timed: number[] = [];
  for (let index = 0; index < durationRuns; index++) {
    const { run } = await runOnce(bench, scenario, `t${index}`, false);
    timed.push(run.taskMs.reduce((sum, ms) => sum + ms, 0));
  }
  const { taskMs: _taskMs, ...run } = metered.run;
  const output = run.output;
  const asExpected =
    run.status === scenario.expect.status &&
    (scenario.expect.channel === undefined || output?.channelUsed === scenario.expect.channel) &&
    (scenario.expect.outcome === undefined || output?.outcome === scenario.expect.outcome) &&
    !(scenario.expect.notEntered ?? []).some((state) => run.statePath.includes(state));
  return {
    id: scenario.id,
    label: scenario.label,
    expected: scenario.expect,
    asExpected,
    ...(scenario.sequence && { sequenceSteps: scenario.sequence.steps.map((step, index) => stepIdOf(step, index)) }),
    ...run,
    taskMsTotal: median(timed),
    taskMsRuns: timed,
    dynamo: metered.execution,
  };
}

/** The launcher's own requests for one batch of `batch` leads (executions are counted elsewhere). */
async function launcherUsage({ stack, meter, launch }: PathBench, batch: number): Promise<Usage> {
  meter.pause(true);
  const launchCampaign = await createCampaign('p-launch');
  await storeLeads(launchCampaign, happyLeads('launch', batch), { concurrency: 8 });
  meter.pause(false);
  meter.reset();
  await inMeterScope('launch', () => launch({ campaignId: 'p-launch' }, lambdaContext('LaunchBatchFunction')));
  const launchUsage = meter.take().get('launch') ?? emptyUsage();
  meter.pause(true);
  await stack.stepFunctions.drain();
  return launchUsage;
}

/**
 * The ses-events handler's own duration, replaying real events of real messages (lookups, conditional writes).
 * Locally the SES simulator runs it inside the SendEmail call, so it is already part of the Send Email Task's time.
 */
async function sesEventMilliseconds(stack: PathBench['stack']): Promise<number[]> {
  const { handler: sesEvents } = await import('#functions/ses-events/index');
  const sesMs: number[] = [];
  const happy = stack.stepFunctions
    .list()
    .filter((execution) => execution.name.startsWith('p-t') && execution.name.includes('email-first-try'));
  for (const execution of happy) {
    const leadId = (JSON.parse(execution.input) as { leadId: string }).leadId;
    for (const message of await listLeadMessages(leadId)) {
      if (!message.providerMessageId) continue;
      const events = simulatedEvents({
        sesMessageId: message.providerMessageId,
        recipient: 'replay@bench.example',
        from: BENCH_SENDER,
        subject: message.subject ?? '',
        tags: { campaign: [message.campaignId], lead: [message.leadId], message: [message.messageId] },
      });
      for (const event of events) {
        const started = performance.now();
        await sesEvents(event, lambdaContext('SesEventsFunction'));
        sesMs.push(performance.now() - started);
      }
    }
  }
  return sesMs;
}

async function main(): Promise<void> {
  quietPowertools();
  const out = argument('out');
  const durationRuns = Number(argument('runs') ?? 3);
  // `--only a,b`: just those paths (a quick look at one path; `npm run bench` runs them all).
  const only = argument('only')?.split(',');
  const scenarios = only ? SCENARIOS.filter((scenario) => only.includes(scenario.id)) : SCENARIOS;
  const bench = await startPathBench();

  // Warm-up: every handler module loaded and every peer touched once, so no run pays a first import.
  progress('paths: warm-up');
  for (const scenario of scenarios) await runOnce(bench, scenario, 'w', false);

  const paths: PathResult[] = [];
  for (const scenario of scenarios) {
    progress(`paths: ${scenario.id}`);
    paths.push(await measurePath(bench, scenario, durationRuns));
  }

  // The launcher's share per lead, from one batch.
  progress('paths: launcher share (batch of 30)');
  const batch = 30;
  const launchUsage = await launcherUsage(bench, batch);

  progress('paths: ses-events handler duration');
  const sesMs = await sesEventMilliseconds(bench.stack);

  const perLead = addUsage(emptyUsage(), launchUsage, 1 / batch);
  const result: PathsSection = {
    paths,
    launch: { batch, perLead },
    sesEventMs: median(sesMs),
    durationRuns,
  };
  await bench.proxy.close();
  await bench.stack.close();
  emitResult(out, result);
}

runWhenMain(import.meta.url, main);
