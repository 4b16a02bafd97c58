import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { ProviderVerdict } from '../../domain/outcome';
import type { ChannelAdapter, SendResult } from '../../outreach/channel-adapter';
import { checkEmailAddress, emailDomain } from './address';

let cachedClient: SESv2Client | undefined;
/** One SES client per process; created on first use so local endpoints set at start-up apply. */
function sesClient(): SESv2Client {
  cachedClient ??= new SESv2Client({});
  return cachedClient;
}

/** SES tag values allow ASCII letters, digits, '_', '-' and '.'. */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 256);

/** Maps what SES raised to an outcome (PRODUCT.md §2). */
export function verdictForSesError(error: unknown): ProviderVerdict {
  const name = (error as { name?: string })?.name ?? 'Error';
  const message = (error as { message?: string })?.message ?? String(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  if (name === 'TooManyRequestsException' || name === 'ThrottlingException' || /maximum sending rate/i.test(message)) {
    return {
      outcome: 'RETRY',
      reason: 'provider_throttled',
      retryAfterSeconds: 300,
      detail: message,
      delivered: false,
    };
  }
  if (name === 'LimitExceededException' || /daily (message )?quota/i.test(message)) {
    return { outcome: 'RETRY', reason: 'provider_throttled', detail: message, delivered: false };
  }
  if (name === 'MessageRejected' || name === 'BadRequestException') {
    return { outcome: 'FALLBACK', reason: 'provider_error', detail: `${name}: ${message}`, delivered: false };
  }
  if (
    name === 'AccountSuspendedException' ||
    name === 'SendingPausedException' ||
    name === 'MailFromDomainNotVerifiedException' ||
    name === 'NotFoundException'
  ) {
    return {
      outcome: 'RETRY',
      reason: 'provider_error',
      detail: `operator action needed: ${name}: ${message}`,
      delivered: false,
    };
  }
  if (status === undefined) {
    // No HTTP response: SES may or may not have accepted the message. Never resend blindly.
    return { outcome: 'STOP', reason: 'ambiguous_send', detail: message, delivered: true };
  }
  return { outcome: 'RETRY', reason: 'provider_error', detail: `${name}: ${message}`, delivered: false };
}

export const emailAdapter: ChannelAdapter = {
  channel: 'EMAIL',
  async prepare({ lead }) {
    const problem = checkEmailAddress(lead.email);
    if (problem || !lead.email)
      return { verdict: { outcome: 'FALLBACK', reason: problem ?? 'missing_address', delivered: false } };
    return { plan: { recipient: lead.email.trim(), recipientDomain: emailDomain(lead.email) } };
  },
  async send(plan, { lead, campaign, config, messageId, content, unsubscribeUrl }): Promise<SendResult> {
    const sender = campaign.sender;
    const configurationSet = String(
      config.settings.configurationSet ?? process.env.CASCADE_SES_CONFIGURATION_SET ?? '',
    );
    try {
      const response = await sesClient().send(
        new SendEmailCommand({
          FromEmailAddress: `"${sender.name.replace(/"/g, '')}" <${sender.email}>`,
          Destination: { ToAddresses: [plan.recipient] },
          ReplyToAddresses: [sender.replyTo ?? sender.email],
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
        }),
      );
      return { verdict: { outcome: 'SENT', providerMessageId: response.MessageId, delivered: true } };
    } catch (error) {
      return { verdict: verdictForSesError(error) };
    }
  },
};
