import type { PolicyStatement, RoleGrant } from '#local/iam';

/** What the tests of the local peers share: the account, roles granted a few statements, and SDK clients. */

/** The account and region the embedded stack's twins name in ARNs. */
export const LOCAL_ACCOUNT = { accountId: '000000000000', region: 'us-east-1' } as const;

/** A role with one identity policy holding the statements (what CDK synthesizes for a function's grants). */
export function roleGranting(roleName: string, ...statements: PolicyStatement[]): RoleGrant {
  return { roleName, policies: [{ Version: '2012-10-17', Statement: statements }] };
}

/**
 * The message of a call no statement allows, as AWS words it for the role's session (`local`): S3 quotes the
 * resource, so pass it quoted there.
 */
export function implicitDenialMessage(roleName: string, action: string, resource: string): string {
  return (
    `User: arn:aws:sts::${LOCAL_ACCOUNT.accountId}:assumed-role/${roleName}/local is not authorized to perform: ` +
    `${action} on resource: ${resource} because no identity-based policy allows the ${action} action`
  );
}

/** What the SDK clients are given: the peer's endpoint, and an access key that names the caller's role. */
export interface PeerClientConfig {
  endpoint?: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** SDK clients made for the tests of a file, destroyed together once they are done. */
export class PeerClients {
  private readonly made: { destroy(): void }[] = [];

  /** A client of `Client` calling `endpoint` (the SDK's own resolution when undefined) as `accessKeyId`. */
  make<C extends { destroy(): void }>(
    Client: new (config: PeerClientConfig) => C,
    endpoint: string | undefined,
    accessKeyId = 'local',
  ): C {
    const client = new Client({
      ...(endpoint ? { endpoint } : {}),
      region: LOCAL_ACCOUNT.region,
      credentials: { accessKeyId, secretAccessKey: 'local' },
    });
    this.made.push(client);
    return client;
  }

  destroyAll(): void {
    for (const client of this.made.splice(0)) client.destroy();
  }
}
