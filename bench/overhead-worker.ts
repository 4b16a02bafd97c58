/**
 * Bench section 7, one measurement in its own process: N leads on the happy path, either through the full embedded
 * stack (launch-batch → StartExecution → the synthesized state machine run by aws-local-stepfunctions, Tasks calling
 * the handlers, Wait states, histories, virtual clocks) or with the same handlers called directly in a loop (the
 * same launch-batch handler, its StartExecution calls answered by a stub that only records the inputs, then
 * SendEmail and CheckDelivery invoked with exactly the payloads the state machine would build). Time is measured
 * from the launch to the last lead done; memory is the process's peak RSS and heap during that phase.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalStack } from '#local/stack';
import type { ExecutionInput } from '#shared/outreach/task-input';
import { stackWithHappyCampaign } from './happy-campaign';
import { argument, emitResult, lambdaContext, quietPowertools, runWhenMain } from './harness';

export interface OverheadRun {
  mode: 'stack' | 'direct';
  leads: number;
  concurrency: number | 'all';
  seconds: number;
  msPerLead: number;
  /** The launch-batch handler alone (direct mode: nothing else runs meanwhile). */
  launchSeconds: number;
  completed: number;
  baselineRssMb: number;
  peakRssMb: number;
  peakHeapMb: number;
}

interface Started {
  name: string;
  input: ExecutionInput;
}

/** Answers StartExecution like Step Functions, starting nothing: the inputs are kept for the direct loop. */
async function startRecordingSfn(started: Started[]) {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { name: string; input: string };
    started.push({ name: body.name, input: JSON.parse(body.input) as ExecutionInput });
    response.setHeader('content-type', 'application/x-amz-json-1.0');
    response.end(
      JSON.stringify({
        executionArn: `arn:aws:states:us-east-1:000000000000:execution:CascadeOutreach:${body.name}`,
        startDate: Date.now() / 1000,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Peak RSS and heap from now on, sampled every 25 ms until `stop`. */
function sampleMemory() {
  global.gc?.();
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  let peakHeap = process.memoryUsage().heapUsed;
  const take = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const sampler = setInterval(take, 25);
  return {
    stop() {
      clearInterval(sampler);
      take();
      return { baselineRss, peakRss, peakHeap };
    },
  };
}

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

/**
 * The direct loop: each recorded execution's SendEmail then CheckDelivery, with the payloads the state machine
 * would build, `concurrency` leads at a time. Returns how many leads ended confirmed.
 */
async function runDirect(started: Started[], concurrency: number, sendEmail: Handler, checkDelivery: Handler) {
  let completed = 0;
  let next = 0;
  const worker = async () => {
    while (next < started.length) {
      const { name, input } = started[next++] as Started;
      const payload = {
        campaignId: input.campaignId,
        leadId: input.leadId,
        executionName: name,
        maxTotalAttemptsPerLead: input.sequence.maxTotalAttemptsPerLead,
        cursor: input.cursor,
        override: input.override,
      };
      const sent = (await sendEmail(payload, lambdaContext('SendEmailFunction'))) as { outcome: string };
      if (sent.outcome !== 'SENT' || input.cursor.step.confirmDeliverySeconds <= 0) continue;
      const checked = (await checkDelivery({ leadId: input.leadId, sent }, lambdaContext('CheckDeliveryFunction'))) as {
        confirmed?: boolean;
      };
      if (checked.confirmed) completed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return completed;
}

/** Executions of the embedded stack that succeeded with a confirmed delivery. */
function confirmedInStack(stack: LocalStack): number {
  return stack.stepFunctions
    .list()
    .filter(
      (execution) =>
        execution.status === 'SUCCEEDED' &&
        (JSON.parse(execution.output ?? '{}') as { confirmed?: boolean }).confirmed === true,
    ).length;
}

async function main(): Promise<void> {
  quietPowertools();
  const out = argument('out');
  const mode = (argument('mode') ?? 'stack') as OverheadRun['mode'];
  const leads = Number(argument('leads') ?? 100);
  const concurrency = Number(argument('concurrency') ?? 32);
  // Limits far above the run, so every lead takes the same happy path in both modes.
  const stack = await stackWithHappyCampaign('oh', leads, {
    email: { perHour: 10_000_000, perDay: 10_000_000 },
    account: { globalPerDay: 10_000_000, perDomainPerDay: 1_000, leadCooldownHours: 24 },
  });

  const started: Started[] = [];
  const recorder = mode === 'direct' ? await startRecordingSfn(started) : undefined;
  if (recorder) process.env.AWS_ENDPOINT_URL_SFN = recorder.endpoint;
  const { handler: launch } = await import('#functions/launch-batch/index');
  const { handler: sendEmail } = await import('#functions/send-email/index');
  const { handler: checkDelivery } = await import('#functions/check-delivery/index');

  const memory = sampleMemory();
  const t0 = performance.now();
  await launch({ campaignId: 'oh' }, lambdaContext('LaunchBatchFunction'));
  const launchSeconds = (performance.now() - t0) / 1000;
  let completed: number;
  if (mode === 'stack') {
    await stack.stepFunctions.drain();
    completed = confirmedInStack(stack);
  } else {
    completed = await runDirect(started, concurrency, sendEmail as Handler, checkDelivery as Handler);
  }
  const seconds = (performance.now() - t0) / 1000;
  const { baselineRss, peakRss, peakHeap } = memory.stop();

  const result: OverheadRun = {
    mode,
    leads,
    concurrency: mode === 'stack' ? 'all' : concurrency,
    seconds,
    msPerLead: (seconds * 1000) / leads,
    launchSeconds,
    completed,
    baselineRssMb: baselineRss / 2 ** 20,
    peakRssMb: peakRss / 2 ** 20,
    peakHeapMb: peakHeap / 2 ** 20,
  };
  await recorder?.close();
  await stack.close();
  emitResult(out, result);
}

runWhenMain(import.meta.url, main);
