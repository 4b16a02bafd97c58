import { linkedinRelationEvent } from '#cli/simulate-events';
import { linkedinWebhookCall } from '#cli/webhook-call';
import { STATE } from '#infra/state-names';
import type { LocalStack } from '#local/stack';
import type { LocalExecution } from '#local/stepfunctions/executions';
import { publicIdentifierFrom } from '#shared/channels/linkedin/provider-client';
import { getLead } from '#shared/store/leads';
import { listWaits } from '#shared/store/waits';
import type { SequenceInput } from './harness';

/**
 * The multi-touch paths of issue 13's cost target: a campaign with its own sequence (email → threaded follow-up
 * after 72 h → LinkedIn invite → wait for the acceptance → message), and what each touch of it costs in billed
 * transitions. A touch is every state from its Route By Channel up to the next one: route, send, route outcome
 * and the wait before the next touch (plus, for a step that waits for a person, Wait For Person and Route Answer).
 */

/**
 * The path's sequence. The invite and the message each wait 24 h before they go: the account's default
 * one-touch-a-day lead cooldown would otherwise defer them (a rate-limit wait, off the happy path), as the
 * acceptance arrives on the bench's instant clock at the moment the run starts waiting.
 */
export const MULTI_TOUCH_SEQUENCE = {
  steps: [
    { id: 'intro', channel: 'EMAIL', onSent: 'next' },
    { id: 'bump', channel: 'EMAIL', waitHoursBefore: 72, threadWith: 'intro', onSent: 'next' },
    {
      id: 'invite',
      channel: 'LINKEDIN',
      waitHoursBefore: 24,
      linkedinAction: 'invite',
      onSent: 'next',
      waitFor: { event: 'invite_accepted', timeoutHours: 48, onTimeout: 'end' },
    },
    { id: 'message', channel: 'LINKEDIN', waitHoursBefore: 24, linkedinAction: 'message' },
  ],
} as const satisfies SequenceInput;

/** Done while a run of the path waits for a person (its Wait For Person function has registered the token). */
export type WaitAction = (stack: LocalStack, leadId: string) => Promise<void>;

/**
 * The member accepts the invitation: the sandbox member becomes connected and the provider's `new_relation`
 * webhook reaches the API function (its secret check, its role), which answers the run's task token. Found by
 * the member's profile rather than the lead's `linkedinProviderId` (what `cascade simulate invite-accepted`
 * needs): an invite sent after an earlier touch does not keep that id on the lead (see the bench's report).
 */
export const acceptInvite: WaitAction = async (stack, leadId) => {
  const lead = await getLead(leadId);
  const profile = lead?.linkedinUrl ? stack.linkedin.getProfile(publicIdentifierFrom(lead.linkedinUrl)) : undefined;
  if (!profile) throw new Error(`lead ${leadId} has no sandbox LinkedIn member`);
  stack.linkedin.seedProfile({ ...profile, status: 'CONNECTED' });
  const event = linkedinRelationEvent(profile.providerId, profile.publicIdentifier);
  const answer = (await stack.lambda.invoke('ApiFunction', linkedinWebhookCall(event, 'bench'))) as {
    statusCode?: number;
  };
  if ((answer?.statusCode ?? 200) >= 300) throw new Error(`the webhook answered ${answer?.statusCode}`);
  if (!(await listWaits(leadId)).every((wait) => wait.event !== 'invite_accepted'))
    throw new Error(`the webhook left lead ${leadId} waiting for the acceptance`);
};

/**
 * Runs each campaign's action as soon as its run's Wait For Person function returns, before the Task starts
 * waiting: on the instant clock a token wait times out after `pauseMs`, so an answer must be in by then. The
 * task token is open once the function has been invoked, so the answer lands during the wait, as in AWS.
 */
export function answerWhileWaiting(stack: LocalStack, actions: Map<string, WaitAction>): { failures: Error[] } {
  const failures: Error[] = [];
  const lambda = stack.lambda;
  const invoke = lambda.invoke.bind(lambda);
  const awaitPerson = lambda.function('AwaitPersonFunction');
  lambda.invoke = async (key, event, options) => {
    const result = await invoke(key, event, options);
    if (lambda.function(key) !== awaitPerson) return result;
    const { campaignId = '', leadId = '' } = event as { campaignId?: string; leadId?: string };
    try {
      await actions.get(campaignId)?.(stack, leadId);
    } catch (error) {
      failures.push(error as Error);
    }
    return result;
  };
  return { failures };
}

/** What one step of a run cost: its states entered and Task retries, the wait for a person among them. */
export interface TouchFigures {
  stepId: string;
  channel: string;
  /** Billed transitions of the step: states entered from its Route By Channel to the next, plus Task retries. */
  transitions: number;
  /** Of which waiting for a person: Wait For Person, Route Answer or Person Did Not Answer, Answer Stopped. */
  waitTransitions: number;
  /** Wait For Person Tasks entered (a wait is one Task, never a loop). */
  waitTasks: number;
}

const WAIT_STATES: ReadonlySet<string> = new Set([
  STATE.waitForPerson,
  STATE.routeAnswer,
  STATE.personDidNotAnswer,
  STATE.answerStopped,
]);

/** The step a Route By Channel state entered routes (its input's cursor). */
function routedStep(input: string | undefined): { id: string; channel: string } {
  const cursor = (JSON.parse(input ?? '{}') as { cursor?: { step?: { id?: string; channel?: string } } }).cursor;
  return { id: cursor?.step?.id ?? '?', channel: cursor?.step?.channel ?? '?' };
}

/**
 * The execution's transitions by step, in the order the steps ran; a step tried again after a retry wait adds
 * to its own figures. Steps skipped without a Task (a closed channel) do not appear: they cost nothing.
 */
export function touchesOf(execution: LocalExecution): TouchFigures[] {
  const touches: TouchFigures[] = [];
  let current: TouchFigures | undefined;
  for (const event of execution.events) {
    const entered = event.type.endsWith('StateEntered') ? event.stateEnteredEventDetails : undefined;
    if (entered?.name === STATE.routeByChannel) {
      const step = routedStep(entered.input);
      current = touches.find((touch) => touch.stepId === step.id);
      if (!current) {
        current = { stepId: step.id, channel: step.channel, transitions: 0, waitTransitions: 0, waitTasks: 0 };
        touches.push(current);
      }
    }
    if (!current) continue;
    // A Task's first schedule is part of its state entry; each further one is a billed retry.
    if (event.type === 'TaskScheduled') current.transitions++;
    if (event.type === 'TaskStateEntered') current.transitions--;
    if (!entered) continue;
    current.transitions++;
    if (WAIT_STATES.has(entered.name)) current.waitTransitions++;
    if (entered.name === STATE.waitForPerson) current.waitTasks++;
  }
  return touches;
}
