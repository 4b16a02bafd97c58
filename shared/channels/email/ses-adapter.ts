import { SESv2Client, SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import type { ProviderVerdict } from '../../domain/outcome';
import type { ChannelAdapter, SendResult, StepContext } from '../../outreach/channel-adapter';
import { dayWindow } from '../../rate-limit/limiter';
import { nowMs } from '../../time/clock';
import { checkEmailAddress, emailDomain } from './address';
import { addressPolicyProblem, checkMailExchanger } from './address-policy';

let cachedClient: SESv2Client | undefined;
/** One SES client per process; created on first use so local endpoints set at start-up apply. */
function sesClient(): SESv2Client {
  cachedClient ??= new SESv2Client({});
  return cachedClient;
}

/** SES tag values allow ASCII letters, digits, '_', '-' and '.'. */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 256);

const HOUR = 3600;
const ACCOUNT_PROBLEM_RETRY_SECONDS = 6 * HOUR;
/** Errors raised before the request left this machine: SES cannot have seen it. */
const NEVER_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL']);

function secondsToUtcMidnight(): number {
  const now = nowMs();
  return Math.max(60, Math.ceil((dayWindow(now).endMs - now) / 1000));
}

/**
 * Maps what SES v2 raised to an outcome (PRODUCT.md §2). Problems with the sending account (paused,
 * suspended, unverified identity, missing configuration set) are the operator's: they wait long, keep the
 * step's retries and raise an alert, so every lead is not silently moved to the next channel.
 */
export function verdictForSesError(error: unknown): ProviderVerdict {
  const name = (error as { name?: string })?.name ?? 'Error';
  const message = (error as { message?: string })?.message ?? String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const code = (error as { code?: string })?.code ?? '';
  const detail = `${name}: ${message}`;
  const accountProblem = (alert: string): ProviderVerdict => ({
    outcome: 'RETRY',
    reason: 'provider_error',
    detail: `operator action needed: ${detail}`,
    retryAfterSeconds: ACCOUNT_PROBLEM_RETRY_SECONDS,
    usesRetry: false,
    operatorAlert: alert,
    delivered: false,
  });

  if (/daily (message )?quota/i.test(message) || name === 'LimitExceededException') {
    return {
      outcome: 'RETRY',
      reason: 'provider_throttled',
      detail,
      retryAfterSeconds: secondsToUtcMidnight(),
      usesRetry: false,
      delivered: false,
    };
  }
  if (name === 'TooManyRequestsException' || name === 'ThrottlingException' || /maximum sending rate/i.test(message)) {
    // SES asks for a pause of minutes, not the step's day-long backoff; the lead is not the cause.
    return {
      outcome: 'RETRY',
      reason: 'provider_throttled',
      detail,
      retryAfterSeconds: 10 * 60,
      usesRetry: false,
      delivered: false,
    };
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

/**
 * The SES v2 SendEmail request for one message: text and HTML parts, the one-click unsubscribe headers,
 * the configuration set (SES events) and message tags that let every event be matched back.
 */
export function buildSendEmailRequest(
  recipient: string,
  { lead, campaign, config, messageId, content, unsubscribeUrl }: StepContext,
): SendEmailCommandInput {
  const sender = campaign.sender;
  const configurationSet = String(config.settings.configurationSet ?? process.env.CASCADE_SES_CONFIGURATION_SET ?? '');
  return {
    FromEmailAddress: `"${sender.name.replace(/"/g, '')}" <${sender.email}>`,
    Destination: { ToAddresses: [recipient] },
    ReplyToAddresses: [
      replyToAddress(lead.leadId, messageId, sender, config.settings.replyDomain as string | undefined),
    ],
    ConfigurationSetName: configurationSet || undefined,
    EmailTags: [
      { Name: 'campaign', Value: tagValue(campaign.campaignId) },
      { Name: 'lead', Value: tagValue(lead.leadId) },
      { Name: 'message', Value: tagValue(messageId) },
    ],
    Content: {
      Simple: {
        Subject: { Data: content.subject ?? '', Charset: 'UTF-8' },
        Body: {
          Text: { Data: content.text, Charset: 'UTF-8' },
          ...(content.html && { Html: { Data: content.html, Charset: 'UTF-8' } }),
        },
        Headers: [
          { Name: 'List-Unsubscribe', Value: `<${unsubscribeUrl}>` },
          { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
          { Name: 'X-Cascade-Message-Id', Value: messageId },
        ],
      },
    },
  };
}

export const emailAdapter: ChannelAdapter = {
  channel: 'EMAIL',
  async prepare({ lead, config }) {
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
    return { plan: { recipient: address, recipientDomain: domain } };
  },
  async send(plan, context): Promise<SendResult> {
    try {
      const response = await sesClient().send(new SendEmailCommand(buildSendEmailRequest(plan.recipient, context)));
      return { verdict: { outcome: 'SENT', providerMessageId: response.MessageId, delivered: true } };
    } catch (error) {
      return { verdict: verdictForSesError(error) };
    }
  },
};
