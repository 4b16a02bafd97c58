import { type ChildProcess, spawn } from 'node:child_process';
import { linkedinRelationEvent } from '#cli/simulate-events';
import { linkedinWebhookCall } from '#cli/webhook-call';
import type { LocalStack } from '#local/stack';
import { CodedError } from '#shared/errors';

/**
 * What the waits' fault suite (test/faults/waits.test.ts) shares: the provider's webhook as API Gateway
 * delivers it, a hook on the stack's Lambda service around Wait For Person's function, and `cascade serve`
 * in a child process that can be killed.
 */

/** What Step Functions sees when a Lambda invocation dies (the Task's Retry on Lambda.Unknown applies). */
export class InjectedLambdaFault extends CodedError('Lambda.Unknown', 'injected_fault', 'internal') {}

/**
 * The member `publicIdentifier` accepts the invitation: connected in the sandbox, then the provider's
 * `new_relation` webhook through the API function (its secret check, its role). Resolves with its HTTP status.
 */
export async function memberAccepts(stack: LocalStack, publicIdentifier: string): Promise<number> {
  const profile = stack.linkedin.getProfile(publicIdentifier);
  if (!profile) throw new Error(`no sandbox member ${publicIdentifier}`);
  stack.linkedin.seedProfile({ ...profile, status: 'CONNECTED' });
  const event = linkedinRelationEvent(profile.providerId, profile.publicIdentifier);
  const answer = (await stack.lambda.invoke('ApiFunction', linkedinWebhookCall(event, 'waits-faults'))) as {
    statusCode?: number;
  };
  return answer?.statusCode ?? 200;
}

/** Per lead: what happens around each invocation of Wait For Person's function. */
export interface AwaitPersonPlan {
  /** Before the function runs: true fails the invocation (the function never ran). */
  failBefore?: (invocation: number) => boolean;
  /** After the function ran (the wait is recorded): true fails the invocation as Lambda would report a crash. */
  failAfter?: (invocation: number) => boolean;
  /** Once an invocation succeeded, before the Task waits: the run's wait is registered and its token open. */
  whileWaiting?: () => Promise<void>;
}

/**
 * Wraps the stack's Lambda service for Wait For Person's function: the plan of the invocation's lead decides.
 * Answers are given before the Task starts waiting, since on the instant clock a wait times out in `pauseMs`.
 */
export function hookAwaitPerson(stack: LocalStack, plans: Map<string, AwaitPersonPlan>) {
  const lambda = stack.lambda;
  const invoke = lambda.invoke.bind(lambda);
  const awaitPerson = lambda.function('AwaitPersonFunction');
  const invocations = new Map<string, number>();
  const errors: Error[] = [];
  lambda.invoke = async (key, event, options) => {
    if (lambda.function(key) !== awaitPerson) return invoke(key, event, options);
    const leadId = (event as { leadId?: string }).leadId ?? '';
    const plan = plans.get(leadId) ?? {};
    const invocation = (invocations.get(leadId) ?? 0) + 1;
    invocations.set(leadId, invocation);
    if (plan.failBefore?.(invocation)) throw new InjectedLambdaFault('injected crash before the function ran');
    const result = await invoke(key, event, options);
    if (plan.failAfter?.(invocation)) throw new InjectedLambdaFault('injected crash after the function ran');
    await plan.whileWaiting?.().catch((error: Error) => errors.push(error));
    return result;
  };
  return { invocations, errors };
}

/** `cascade serve --data DIR` in one process (tsx as a loader), so SIGKILL takes it down as a crash would. */
export async function serve(
  dir: string,
  token: string,
  timeScale: number,
): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'cli/cascade.ts', 'serve', '--data', dir, '--port', '0', '--time-scale', String(timeScale)],
    { env: { ...process.env, CASCADE_API_TOKEN: token, CASCADE_API_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${output}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(/CASCADE_API_URL=(http:\/\/127\.0\.0\.1:\d+)/);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('exit', (code) => reject(new Error(`serve exited (${code}): ${output}`)));
  });
  return { url, process: child };
}

/** The operator API of a served stack, with its bearer token. */
export function apiOf(url: string, token: string) {
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are read field by field in the assertions.
  return async (method: string, pathname: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const response = await fetch(`${url}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
}
