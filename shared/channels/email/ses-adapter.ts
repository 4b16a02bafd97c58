import { SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { sesClient } from '#shared/aws/clients';
import { runtimeVariable, setting } from '#shared/config/settings';
import type { ProviderVerdict } from '#shared/domain/outcome';
import {
  formatMailbox,
  HeaderValueError,
  isHeaderSafeAddress,
  isSesHeaderValue,
  singleLineHeaderText,
} from '#shared/mail/header';
import { logger } from '#shared/observability';
import type { ChannelAdapter, SendResult, StepContext } from '#shared/outreach/channel-adapter';
import type { RuntimeStep } from '#shared/outreach/task-input';
import { dayWindow } from '#shared/rate-limit/limiter';
import { findSentStepMessage, setSentMailHeaders } from '#shared/store/message-lookup';
import { nowMs } from '#shared/time/clock';
import { checkEmailAddress, emailDomain } from './address';
import { addressPolicyProblem, checkMailExchanger } from './address-policy';
import { messageTags } from './ses-tags';
import { settingProblem } from './settings';
import { sesMessageIdDomain, type ThreadReply, threadReply } from './thread';

const HOUR = 3600;
const ACCOUNT_PROBLEM_RETRY_SECONDS = 6 * HOUR;
/** Errors raised before the request left this machine: SES cannot have seen it. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);

function secondsToUtcMidnight(): number {
  const now = nowMs();
  return Math.max(60, Math.ceil((dayWindow(now).endMs - now) / 1000));
}

/**
 * Problems with the sending account or the campaign's sender settings (paused, suspended, unverified
 * identity, missing configuration set, a sender name that cannot be written) are the operator's: they wait
 * long, keep the step's retries and raise an alert, so every lead is not silently moved to the next channel.
 */
function operatorProblem(alert: string, detail: string): ProviderVerdict {
  return {
    outcome: 'RETRY',
    reason: 'provider_error',
    detail: `operator action needed: ${detail}`,
    retryAfterSeconds: ACCOUNT_PROBLEM_RETRY_SECONDS,
    usesRetry: false,
    operatorAlert: alert,
    delivered: false,
  };
}

/** Maps what SES v2 raised to an outcome (docs/product.md §2). */
export function verdictForSesError(error: unknown): ProviderVerdict {
  const name = (error as { name?: string })?.name ?? 'Error';
  const message = (error as { message?: string })?.message ?? String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const code = (error as { code?: string })?.code ?? '';
  const detail = `${name}: ${message}`;
  const accountProblem = (alert: string) => operatorProblem(alert, detail);

  // SES asks for a pause (until the quota's day ends, or minutes), not the step's day-long backoff; the lead is
  // not the cause, so the wait uses no retry.
  const throttled = (retryAfterSeconds: number): ProviderVerdict => ({
    outcome: 'RETRY',
    reason: 'provider_throttled',
    detail,
    retryAfterSeconds,
    usesRetry: false,
    delivered: false,
  });
  if (/daily (message )?quota/i.test(message) || name === 'LimitExceededException') {
    return throttled(secondsToUtcMidnight());
  }
  if (name === 'TooManyRequestsException' || name === 'ThrottlingException' || /maximum sending rate/i.test(message)) {
    return throttled(10 * 60);
  }
  if (
    name === 'SendingPausedException' ||
    name === 'AccountSendingPausedException' ||
    name === 'AccountSuspendedException'
  ) {
    return accountProblem('ses_sending_paused');
  }
  if (
    name === 'MailFromDomainNotVerifiedException' ||
    (name === 'MessageRejected' && /not verified|verify/i.test(message))
  ) {
    return accountProblem('ses_identity_unverified');
  }
  if (name === 'NotFoundException') return accountProblem('ses_configuration_missing');
  if (name === 'MessageRejected' || name === 'BadRequestException') {
    return { outcome: 'FALLBACK', reason: 'provider_error', detail, delivered: false };
  }
  if (status === undefined) {
    if (NEVER_SENT_CODES.has(code)) return { outcome: 'RETRY', reason: 'provider_error', detail, delivered: false };
    // No HTTP response: SES may or may not have accepted the message. Never resend blindly.
    return { outcome: 'STOP', reason: 'ambiguous_send', detail, delivered: true };
  }
  return { outcome: 'RETRY', reason: 'provider_error', detail, delivered: false };
}

/** Where replies go: a per-message address on the reply domain names the lead and message it answers. */
export function replyToAddress(
  leadId: string,
  messageId: string,
  sender: { email: string; replyTo?: string },
  replyDomain?: string,
): string {
  if (replyDomain) return `reply+${leadId}.${messageId}@${replyDomain}`;
  return sender.replyTo ?? sender.email;
}

/** A setting that reaches a header, checked again here: a config stored before the API checked it may break it. */
function headerSetting(key: string, value: unknown): string | undefined {
  const problem = settingProblem(key, value);
  if (problem) throw new HeaderValueError(`settings.${key}`, problem);
  return value === undefined || value === '' ? undefined : String(value);
}

/**
 * The rendered subject as SES gets it. Decision: a line break (or tab) folds to one space, as the
 * renderer already does and as RFC 5322 unfolding reads it, so nothing the reader would see is lost; any
 * other control character (NUL, ESC, …) means the lead's data is damaged and cannot be shown faithfully,
 * so it is that lead's `template_error` (its sequence stops and an operator can fix the lead), never a
 * guess sent in its name.
 */
function subjectLine(subject: string | undefined): string {
  return singleLineHeaderText('subject', subject ?? '').trim();
}

/** The reply-to address, which carries our ids and the reply domain: plain ASCII or nothing is sent. */
function replyToLine(context: StepContext): string {
  const { lead, campaign, config, messageId } = context;
  const replyDomain = headerSetting('replyDomain', config.settings.replyDomain);
  const address = replyToAddress(lead.leadId, messageId, campaign.sender, replyDomain);
  if (!isHeaderSafeAddress(address))
    throw new HeaderValueError('reply-to address', `${JSON.stringify(address)} is not a plain ASCII address`);
  return address;
}

/**
 * Our custom headers; SES takes printable ASCII only (MessageHeader: 1–870 characters), so no CR or LF can
 * start another header. A threaded follow-up adds In-Reply-To and References (each at most once, as SES requires).
 */
function customHeaders(unsubscribeUrl: string, messageId: string, thread?: ThreadReply) {
  const headers = [
    { Name: 'List-Unsubscribe', Value: `<${unsubscribeUrl}>` },
    { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
    { Name: 'X-Cascade-Message-Id', Value: messageId },
    ...(thread
      ? [
          { Name: 'In-Reply-To', Value: thread.inReplyTo },
          { Name: 'References', Value: thread.references },
        ]
      : []),
  ];
  for (const header of headers)
    if (!isSesHeaderValue(header.Value))
      throw new HeaderValueError(header.Name, 'is not printable ASCII (at most 870)');
  return headers;
}

/**
 * The SES v2 SendEmail request for one message: text and HTML parts, the one-click unsubscribe headers,
 * the configuration set (SES events) and message tags that let every event be matched back. Every string
 * bound for a header is checked or encoded here; throws `HeaderValueError` for one that cannot be. A
 * `thread` (a `threadWith` follow-up) gives the subject, the In-Reply-To/References and the sender of its thread.
 */
export function buildSendEmailRequest(
  recipient: string,
  context: StepContext,
  thread?: ThreadReply,
): SendEmailCommandInput {
  const { lead, campaign, config, messageId, content, unsubscribeUrl } = context;
  const sender = campaign.sender;
  const configurationSet = String(config.settings.configurationSet ?? setting('CASCADE_SES_CONFIGURATION_SET') ?? '');
  return {
    // SES takes a non-ASCII display name only as RFC 2047 encoded-words, and specials only quoted.
    FromEmailAddress: thread?.from ?? formatMailbox(sender.name, sender.email),
    Destination: { ToAddresses: [recipient] },
    ReplyToAddresses: [replyToLine(context)],
    ConfigurationSetName: headerSetting('configurationSet', configurationSet),
    EmailTags: messageTags({ campaignId: campaign.campaignId, leadId: lead.leadId, messageId }),
    Content: {
      Simple: {
        Subject: { Data: subjectLine(thread?.subject ?? content.subject), Charset: 'UTF-8' },
        Body: {
          Text: { Data: content.text, Charset: 'UTF-8' },
          ...(content.html && { Html: { Data: content.html, Charset: 'UTF-8' } }),
        },
        Headers: customHeaders(unsubscribeUrl, messageId, thread),
      },
    },
  };
}

/** What a header problem means: the lead's own subject is its template_error; the rest is the operator's. */
function verdictForHeaderProblem(problem: HeaderValueError): ProviderVerdict {
  if (problem.field === 'subject')
    return { outcome: 'STOP', reason: 'template_error', detail: problem.message, delivered: false };
  return operatorProblem('ses_sender_settings_invalid', problem.message);
}

/** The request, or the verdict when a header-bound value cannot be written: nothing unsafe reaches SES. */
function checkedRequest(
  recipient: string,
  context: StepContext,
  thread?: ThreadReply,
): SendEmailCommandInput | { verdict: ProviderVerdict } {
  try {
    return buildSendEmailRequest(recipient, context, thread);
  } catch (error) {
    if (error instanceof HeaderValueError) return { verdict: verdictForHeaderProblem(error) };
    throw error;
  }
}

/**
 * The step this try runs, when the step runner passes it on the context (`step`): its id and `threadWith`.
 * Without it (an older runner, an operator's one-off send) every mail is a fresh one.
 */
type ThreadingContext = StepContext & { step?: Pick<RuntimeStep, 'id'> & Partial<Pick<RuntimeStep, 'threadWith'>> };

/** The region whose Message-ID domain SES stamps: the SES client's own (the SDK's chain), else AWS_REGION. */
async function sesRegion(): Promise<string> {
  try {
    return await sesClient().config.region();
  } catch {
    return runtimeVariable('AWS_REGION') ?? '';
  }
}

/**
 * A `threadWith` step's reply to the mail its thread step sent this lead in this campaign; undefined when that
 * step never sent (or sent nothing SES named): the follow-up is then a fresh mail with its own subject.
 */
async function threadOf(context: StepContext): Promise<ThreadReply | undefined> {
  const threadWith = (context as ThreadingContext).step?.threadWith;
  if (!threadWith) return undefined;
  const parent = await findSentStepMessage(context.lead.leadId, context.campaign.campaignId, threadWith);
  return parent && threadReply(parent, sesMessageIdDomain(await sesRegion()));
}

/**
 * Notes on the message the From, subject and References it goes out with, so a later `threadWith` step can
 * answer it in its thread. Best effort, before the call: failing here must neither stop the send nor, after
 * the try is CALLING, turn it into an ambiguous one; a follow-up then falls back to the campaign's sender.
 */
async function recordSentHeaders(context: StepContext, request: SendEmailCommandInput, thread?: ThreadReply) {
  if (!(context as ThreadingContext).step?.id) return;
  try {
    await setSentMailHeaders(context.lead.leadId, context.messageId, {
      fromHeader: request.FromEmailAddress ?? '',
      subjectHeader: request.Content?.Simple?.Subject?.Data ?? '',
      ...(thread && { referencesHeader: thread.references }),
    });
  } catch (error) {
    logger.warn('could not record the headers of a mail for its follow-ups', {
      messageId: context.messageId,
      error: (error as Error).message,
    });
  }
}

export const emailAdapter: ChannelAdapter = {
  channel: 'EMAIL',
  async prepare(context) {
    const { lead, config } = context;
    const problem = checkEmailAddress(lead.email);
    if (problem || !lead.email)
      return { verdict: { outcome: 'FALLBACK', reason: problem ?? 'missing_address', delivered: false } };
    const address = lead.email.trim();
    const policyProblem = addressPolicyProblem(address, {
      rejectRoleAddresses: config.settings.rejectRoleAddresses === true,
      rejectDisposableAddresses: config.settings.rejectDisposableAddresses !== false,
    });
    if (policyProblem)
      return { verdict: { outcome: 'FALLBACK', reason: 'invalid_address', detail: policyProblem, delivered: false } };
    const domain = emailDomain(address);
    if (
      config.settings.mxCheck === true &&
      (await checkMailExchanger(domain, Number(config.settings.mxTimeoutMs ?? 1500))) === 'none'
    ) {
      return {
        verdict: {
          outcome: 'FALLBACK',
          reason: 'invalid_address',
          detail: `${domain} accepts no mail (no MX or A record)`,
          delivered: false,
        },
      };
    }
    const thread = await threadOf(context);
    // Header problems are found before a rate slot is reserved or a message recorded.
    const request = checkedRequest(address, context, thread);
    if ('verdict' in request) return request;
    return { plan: { recipient: address, recipientDomain: domain, ...(thread && { data: { thread } }) } };
  },
  async send(plan, context): Promise<SendResult> {
    const thread = plan.data?.thread as ThreadReply | undefined;
    // Built outside the try: a refusal here is ours, not an SES answer (never an ambiguous send).
    const request = checkedRequest(plan.recipient, context, thread);
    if ('verdict' in request) return request;
    await recordSentHeaders(context, request, thread);
    try {
      const response = await sesClient().send(new SendEmailCommand(request));
      return { verdict: { outcome: 'SENT', providerMessageId: response.MessageId, delivered: true } };
    } catch (error) {
      return { verdict: verdictForSesError(error) };
    }
  },
};
