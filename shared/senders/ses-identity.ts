import { GetEmailIdentityCommand, type GetEmailIdentityCommandOutput } from '@aws-sdk/client-sesv2';

/** The one SES call the check makes: `sesClient()` in AWS and on the embedded stack, a fake in tests. */
export interface SesIdentityClient {
  send(
    command: GetEmailIdentityCommand,
    options?: { abortSignal?: AbortSignal },
  ): Promise<GetEmailIdentityCommandOutput>;
}

/** What SES knows of the identity a sender's mail goes out under. */
export interface SesIdentity {
  /** The identity that answered: the sender's domain, else its address; null when SES has neither. */
  identity: string | null;
  verifiedForSending: boolean;
  /** SES's DKIM status (SUCCESS, PENDING, FAILED, TEMPORARY_FAILURE, NOT_STARTED). */
  dkimStatus: string;
  /** SES signs with the identity's own domain (Easy DKIM or BYODKIM, signing enabled). */
  dkimSigning: boolean;
  /** The DKIM selectors to find in DNS: Easy DKIM's tokens, or the BYODKIM selector. */
  selectors: string[];
  /** The custom MAIL FROM domain once SES has verified it; absent: SES's own (amazonses.com) envelope. */
  mailFromDomain?: string;
}

export const SES_TIMEOUT_MS = 3_000;

const isNotFound = (error: unknown) => (error as { name?: string })?.name === 'NotFoundException';

function identityOf(identity: string, output: GetEmailIdentityCommandOutput): SesIdentity {
  const dkim = output.DkimAttributes;
  const mailFrom = output.MailFromAttributes;
  return {
    identity,
    verifiedForSending: output.VerifiedForSendingStatus === true,
    dkimStatus: dkim?.Status ?? 'NOT_STARTED',
    dkimSigning: dkim?.SigningEnabled === true && dkim.Status === 'SUCCESS',
    selectors: dkim?.Tokens ?? [],
    ...(mailFrom?.MailFromDomain &&
      mailFrom.MailFromDomainStatus === 'SUCCESS' && { mailFromDomain: mailFrom.MailFromDomain.toLowerCase() }),
  };
}

/**
 * The identity the sender's mail goes out under (GetEmailIdentity): its domain (which carries DKIM and MAIL
 * FROM), else its address. Undefined when SES cannot be asked (no permission, unreachable, a local peer without
 * the operation): the check then reports `unknown`, never an error.
 */
export async function readSesIdentity(
  ses: SesIdentityClient,
  domain: string,
  email: string,
  timeoutMs = SES_TIMEOUT_MS,
): Promise<SesIdentity | undefined> {
  for (const identity of [domain, email]) {
    try {
      const output = await ses.send(new GetEmailIdentityCommand({ EmailIdentity: identity }), {
        abortSignal: AbortSignal.timeout(timeoutMs),
      });
      return identityOf(identity, output);
    } catch (error) {
      if (!isNotFound(error)) return undefined;
    }
  }
  return { identity: null, verifiedForSending: false, dkimStatus: 'NOT_STARTED', dkimSigning: false, selectors: [] };
}
