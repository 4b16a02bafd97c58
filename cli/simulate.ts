import type { Command } from 'commander';
import { HttpProblem } from '#shared/errors';
import { type ApiClient, ApiError, formatApiError } from './api-client';
import { type ApiCommandOptions, withApi } from './api-session';
import { writeJson, writeLines } from './output';
import { SIMULATE_PATHS } from './simulate-routes';
import type { Json } from './verbs/answers';
import { apiOptions, readInputFile, readJsonFile } from './verbs/options';

/**
 * `cascade simulate` (docs/product.md §7): what happens after a send — an SES event, a reply, a raw inbound
 * mail — fed to the same handlers as in AWS, through a running `cascade serve` (its LOCAL-ONLY `/_local/…`
 * routes) or the embedded stack started for the command.
 */

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** POST to a local route; an API without them (a deployed one) gets a clear line. */
async function postLocal(
  client: ApiClient,
  pathname: string,
  body: unknown,
  options: { contentType?: string; query?: Record<string, string | undefined> } = {},
): Promise<Json> {
  try {
    return (await client.request<Json>('POST', pathname, { root: true, body, ...options })) ?? {};
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && error.code === 'route_not_found')
      throw new Error(
        `the API at ${client.baseUrl} has no local simulation routes: simulate works against \`cascade serve\` or, without --api, the embedded stack`,
      );
    throw error;
  }
}

type SimulateEvents = typeof import('./simulate-events');

/** The check the local route makes, run before any stack is started: a failure is one line naming the file. */
async function checkInput(file: string, check: (events: SimulateEvents) => unknown): Promise<void> {
  const events = await import('./simulate-events');
  try {
    await check(events);
  } catch (error) {
    if (error instanceof HttpProblem)
      throw new Error(`${file}: ${formatApiError(error.code, error.message, error.details)}`);
    throw error;
  }
}

/** The route's answer: as JSON, or the one line saying what the handler did. */
function printResult(options: ApiCommandOptions, result: Json, line: (result: Json) => string): void {
  if (options.json) writeJson(result);
  else writeLines([line(result)]);
}

function sesEventLine(result: Json): string {
  const eventType = str(result.eventType) ?? 'event';
  // The event went on the bus as SES puts it there: no rule of the stack matched, so no function ran.
  if (Array.isArray(result.rules) && result.rules.length === 0)
    return `no rule of the stack matches this event (another configuration set?); nothing ran, as in AWS`;
  const message = str(result.messageId);
  const lead = str(result.leadId);
  const where = message ? `message ${message}${lead ? ` of lead ${lead}` : ''}` : undefined;
  const state = [
    str(result.messageStatus) && `message ${str(result.messageStatus)}`,
    str(result.leadStatus) && `lead ${str(result.leadStatus)}`,
  ]
    .filter(Boolean)
    .join(', ');
  switch (result.effect) {
    case 'status':
      return `${eventType}: ${where} → ${str(result.status)}${state ? ` (${state})` : ''}`;
    case 'field':
      return `${eventType}: ${where} noted${state ? ` (${state})` : ''}`;
    case 'suppressed':
      return `${eventType}: ${where}: address suppressed${state ? ` (${state})` : ''}`;
    default:
      return where
        ? `${eventType}: ${where}: nothing changed (duplicate or late event)${state ? ` (${state})` : ''}`
        : `${eventType}: no message with SES id or tags of this event; ignored, as the handler does in AWS`;
  }
}

function replyLine(result: Json): string {
  if (result.matched !== true) return 'the mail answers no message of ours; ignored, as the handler does in AWS';
  const lead = str(result.leadId) ?? '?';
  const via = [str(result.channel), str(result.messageId) && `message ${str(result.messageId)}`]
    .filter(Boolean)
    .join(', ');
  if (result.autoReply === true && str(result.resumeAt))
    return `out of office for lead ${lead}${via ? ` (${via})` : ''}: lead ${str(result.leadStatus) ?? '-'}, its sequence resumes at ${str(result.resumeAt)}`;
  if (result.autoReply === true)
    return `auto-reply noted for lead ${lead}${via ? ` (${via})` : ''}: not a reply, lead stays ${str(result.leadStatus) ?? '-'}`;
  const stopped = str(result.stoppedExecution);
  return `reply recorded for lead ${lead}${via ? ` (${via})` : ''}: lead ${str(result.leadStatus) ?? '-'}${
    stopped ? `, execution ${stopped} stopped` : ''
  }`;
}

interface SesEventOptions extends ApiCommandOptions {
  lead?: string;
  messageId?: string;
}

interface ReplyOptions extends ApiCommandOptions {
  channel?: string;
  messageId?: string;
  text?: string;
  autoReply?: boolean;
}

function registerSesEvent(simulate: Command): void {
  apiOptions(
    simulate
      .command('ses-event')
      .description(
        'feed an SES event in its EventBridge envelope (e.g. test/fixtures/ses-events/bounce-permanent.json) to the handler EventBridge invokes in AWS',
      )
      .argument('<file.json>', 'the EventBridge event (source aws.ses); - reads stdin')
      .option('--lead <leadId>', "re-address the event to this lead's newest email (tags, SES id, recipient)")
      .option('--message-id <messageId>', 'with --lead: to this email message instead'),
  ).action(async (file: string, options: SesEventOptions) => {
    if (options.messageId && !options.lead) throw new Error('--message-id needs --lead');
    const event = readJsonFile(file);
    await checkInput(file, ({ prepareSesEvent }) => prepareSesEvent(event));
    const query = { leadId: options.lead, messageId: options.messageId };
    const result = await withApi(options, ({ client }) => postLocal(client, SIMULATE_PATHS.sesEvent, event, { query }));
    printResult(options, result, sesEventLine);
  });
}

function registerReply(simulate: Command): void {
  apiOptions(
    simulate
      .command('reply')
      .description(
        "record an inbound reply from a lead through the same handlers as real replies: EMAIL as a reply mail to its newest email (inbound-mail handler), LINKEDIN as the provider's message_received webhook",
      )
      .argument('<leadId>')
      .option(
        '--channel <channel>',
        "EMAIL | LINKEDIN (default: the channel of the lead's newest email or LinkedIn message)",
      )
      .option('--message-id <messageId>', 'EMAIL: the message answered (default: the newest email)')
      .option('--text <text>', 'the reply text')
      .option(
        '--auto-reply',
        'EMAIL: send it as an auto-responder would (Auto-Submitted: auto-replied); with an away --text, e.g. "I am out of the office until 12 January", the lead is paused until it is back',
      ),
  ).action(async (leadId: string, options: ReplyOptions) => {
    const channel = options.channel?.toUpperCase();
    if (channel !== undefined && channel !== 'EMAIL' && channel !== 'LINKEDIN')
      throw new Error(`--channel "${options.channel}" is not EMAIL or LINKEDIN`);
    const body = {
      leadId,
      channel,
      messageId: options.messageId,
      text: options.text,
      ...(options.autoReply && { autoReply: true }),
    };
    const result = await withApi(options, ({ client }) => postLocal(client, SIMULATE_PATHS.reply, body));
    printResult(options, result, replyLine);
  });
}

function registerInbound(simulate: Command): void {
  apiOptions(
    simulate
      .command('inbound')
      .description(
        'drop a raw mail (.eml, RFC 822) into the inbound-mail handler, as the SES receipt rule does through S3',
      )
      .argument('<file.eml>', 'the raw message; - reads stdin'),
  ).action(async (file: string, options: ApiCommandOptions) => {
    const raw = readInputFile(file, { stdin: true });
    await checkInput(file, ({ checkRawEmail }) => checkRawEmail(raw));
    const result = await withApi(options, ({ client }) =>
      postLocal(client, SIMULATE_PATHS.inboundEmail, raw, { contentType: 'message/rfc822' }),
    );
    printResult(options, result, replyLine);
  });
}

function inviteAcceptedLine(result: Json): string {
  const lead = str(result.leadId) ?? '?';
  const answered = Array.isArray(result.answeredWaits) ? result.answeredWaits.map(String) : [];
  const resumed =
    answered.length > 0 ? `; resumed ${answered.join(', ')}` : '; no sequence was waiting for the acceptance';
  return `invite accepted by lead ${lead}: ${str(result.linkedinConnectionStatus) ?? '-'}${resumed}`;
}

function registerInviteAccepted(simulate: Command): void {
  apiOptions(
    simulate
      .command('invite-accepted')
      .description(
        "the lead's LinkedIn member accepts our invitation: the provider's new_relation webhook (the lead becomes CONNECTED; a step waiting for the acceptance goes on at once)",
      )
      .argument('<leadId>'),
  ).action(async (leadId: string, options: ApiCommandOptions) => {
    const result = await withApi(options, ({ client }) => postLocal(client, SIMULATE_PATHS.inviteAccepted, { leadId }));
    printResult(options, result, inviteAcceptedLine);
  });
}

export function registerSimulate(program: Command): void {
  const simulate = program
    .command('simulate')
    .description(
      'feed what happens after a send (SES events, replies, inbound mail, accepted invitations) to the same handlers as in AWS; against `cascade serve` or the embedded stack',
    );
  registerSesEvent(simulate);
  registerReply(simulate);
  registerInbound(simulate);
  registerInviteAccepted(simulate);
}
