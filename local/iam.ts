import { type RunSimulationResults, runSimulation } from '@cloud-copilot/iam-simulate';

/**
 * IAM for the embedded stack: every Lambda function calls the local peers with an access key id that names its
 * role, and each call is evaluated against that role's synthesized identity policies with
 * @cloud-copilot/iam-simulate, so a call the template does not allow fails locally as it would in AWS.
 * Signatures are not verified (local credentials differ by design): the key only identifies the caller.
 */

/** An IAM policy document as the template gives it, references already resolved to plain ARNs. */
export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface RoleGrant {
  roleName: string;
  /** The role's identity policies (inline and managed), plain ARNs, no CloudFormation intrinsics. */
  policies: PolicyDocument[];
}

export interface IamAuthorizerOptions {
  accountId: string;
  region: string;
  /** Access key id → the role whose credentials carry it. */
  roles: Record<string, RoleGrant>;
  /** The operator's own shell and tests: allowed everything, as an administrator is. */
  adminAccessKeys: string[];
}

/** One authorization AWS makes for a request (a request may need several: one per table of a batch). */
export interface AuthorizationRequest {
  action: string;
  /** Every one of these must be allowed. */
  resources: string[];
  /** Alternatives, one of which must be allowed in full (the address identity or its domain's, for SES). */
  anyOf?: string[][];
  /** Condition keys of the request (`ses:FromAddress`, …); global keys the authorizer adds itself. */
  context?: Record<string, string | string[]>;
}

export interface Denial {
  /** The caller as AWS names it; undefined when the access key names no role. */
  principal?: string;
  action: string;
  resource: string;
  /** implicit: no statement allows it; explicit: a Deny matched; unknown-key: no such caller; invalid: not evaluable. */
  reason: 'implicit' | 'explicit' | 'unknown-key' | 'invalid';
  /** For `invalid`: what the simulator rejected (an action it does not know, a policy it cannot parse). */
  detail?: string;
}

export type AuthorizationDecision = { allowed: true } | { allowed: false; message: string; denial: Denial };

type Outcome = { result: 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied' } | { result: 'Invalid'; detail: string };

/** Simulations are pure functions of caller, action, resource and context: bound the memo, not the calls. */
const MEMO_LIMIT = 5_000;

export class IamAuthorizer {
  private readonly admins: Set<string>;
  private readonly memo = new Map<string, Promise<Outcome>>();

  constructor(private readonly options: IamAuthorizerOptions) {
    this.admins = new Set(options.adminAccessKeys);
  }

  /** The principal AWS reports for a Lambda function's role session (the session name is `local` here). */
  principalOf(roleName: string): string {
    return `arn:aws:sts::${this.options.accountId}:assumed-role/${roleName}/local`;
  }

  /**
   * Allowed only if every request is: each of its `resources`, and one `anyOf` alternative in full.
   * An empty list asks nothing of the caller (routes that are not AWS APIs) and is allowed.
   */
  async authorize(accessKeyId: string | undefined, requests: AuthorizationRequest[]): Promise<AuthorizationDecision> {
    if (requests.length === 0) return { allowed: true };
    if (accessKeyId !== undefined && this.admins.has(accessKeyId)) return { allowed: true };
    // Own keys only: a key id such as `constructor` must not find something on Object.prototype.
    const role =
      accessKeyId !== undefined && Object.hasOwn(this.options.roles, accessKeyId)
        ? this.options.roles[accessKeyId]
        : undefined;
    if (!role) return unknownKey(accessKeyId, requests[0] as AuthorizationRequest);
    for (const request of requests) {
      const denial = await this.firstDenial(accessKeyId as string, role, request);
      if (denial) return { allowed: false, message: denialMessage(denial), denial };
    }
    return { allowed: true };
  }

  private async firstDenial(key: string, role: RoleGrant, request: AuthorizationRequest): Promise<Denial | undefined> {
    for (const resource of request.resources) {
      const denial = await this.check(key, role, request, resource);
      if (denial) return denial;
    }
    if (!request.anyOf || request.anyOf.length === 0) return undefined;
    let first: Denial | undefined;
    for (const alternative of request.anyOf) {
      let denial: Denial | undefined;
      for (const resource of alternative) {
        denial = await this.check(key, role, request, resource);
        if (denial) break;
      }
      if (!denial) return undefined;
      // AWS names the first identity it tried (the address) when none is allowed.
      first ??= denial;
    }
    return first;
  }

  private async check(
    key: string,
    role: RoleGrant,
    request: AuthorizationRequest,
    resource: string,
  ): Promise<Denial | undefined> {
    const context = { ...this.globalContext(role), ...request.context };
    const memoKey = JSON.stringify([key, request.action, resource, context]);
    let outcome = this.memo.get(memoKey);
    if (!outcome) {
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      outcome = this.simulate(role, request.action, resource, context);
      this.memo.set(memoKey, outcome);
    }
    const found = await outcome;
    if (found.result === 'Allowed') return undefined;
    const principal = this.principalOf(role.roleName);
    if (found.result === 'Invalid')
      return { principal, action: request.action, resource, reason: 'invalid', detail: found.detail };
    const reason = found.result === 'ExplicitlyDenied' ? 'explicit' : 'implicit';
    return { principal, action: request.action, resource, reason };
  }

  /** Global condition keys AWS sets on every request a Lambda role session makes. */
  private globalContext(role: RoleGrant): Record<string, string> {
    const { accountId, region } = this.options;
    return {
      'aws:RequestedRegion': region,
      'aws:PrincipalAccount': accountId,
      'aws:PrincipalArn': `arn:aws:iam::${accountId}:role/${role.roleName}`,
      'aws:PrincipalType': 'AssumedRole',
      'aws:SecureTransport': 'true',
    };
  }

  private async simulate(
    role: RoleGrant,
    action: string,
    resource: string,
    context: Record<string, string | string[]>,
  ): Promise<Outcome> {
    const result = await runSimulation(
      {
        request: {
          principal: this.principalOf(role.roleName),
          action,
          resource: { resource, accountId: this.options.accountId },
          contextVariables: context,
        },
        identityPolicies: role.policies.map((policy, index) => ({ name: `${role.roleName}-${index}`, policy })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      { simulationMode: 'Strict' },
    );
    return outcomeOf(result);
  }
}

/**
 * A request resource of `*` for an action that takes resources (only our fallback for a request that names none)
 * is simulated per pattern found in the policies, allowed if any pattern is. AWS would match the literal `*`, which
 * only a statement with `Resource: "*"` does, so that is what is required here.
 */
function outcomeOf(result: RunSimulationResults): Outcome {
  if (result.resultType === 'error') return { result: 'Invalid', detail: JSON.stringify(result.errors) };
  if (result.resultType === 'single') return { result: result.overallResult };
  if (result.results.some((each) => each.analysis.result === 'ExplicitlyDenied')) return { result: 'ExplicitlyDenied' };
  const literal = result.results.find((each) => each.resourcePattern === '*');
  return { result: literal?.analysis.result === 'Allowed' ? 'Allowed' : 'ImplicitlyDenied' };
}

function unknownKey(accessKeyId: string | undefined, request: AuthorizationRequest): AuthorizationDecision {
  const denial: Denial = {
    action: request.action,
    resource: request.resources[0] ?? request.anyOf?.[0]?.[0] ?? '*',
    reason: 'unknown-key',
  };
  const message =
    accessKeyId === undefined
      ? 'The request is not signed: no access key id names its caller'
      : `The security token included in the request is invalid: access key id ${accessKeyId} names no role of this stack`;
  return { allowed: false, message, denial };
}

/** AWS's wording (the SES REST API words it differently; see the authorizing proxy). */
export function denialMessage(denial: Denial): string {
  const head = `User: ${denial.principal} is not authorized to perform: ${denial.action} on resource: ${denial.resource}`;
  if (denial.reason === 'explicit') return `${head} with an explicit deny in an identity-based policy`;
  // Not an AWS wording: AWS has no such case, and the operator needs to see what the simulator refused.
  if (denial.reason === 'invalid')
    return `${head} because the local IAM simulator cannot evaluate it: ${denial.detail}`;
  return `${head} because no identity-based policy allows the ${denial.action} action`;
}

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const key = Object.keys(headers).find((each) => each.toLowerCase() === name);
  const value = key === undefined ? undefined : headers[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The access key id of a SigV4-signed request: from `Authorization: AWS4-HMAC-SHA256 Credential=<AKID>/<scope>, …`
 * or, for a presigned URL, the `X-Amz-Credential` query parameter of `path`.
 */
export function accessKeyIdOf(headers: Headers, path?: string): string | undefined {
  const authorization = header(headers, 'authorization');
  const signed = authorization?.match(/Credential=([^/,\s]+)\//);
  if (signed) return signed[1];
  const query = path?.includes('?') ? new URLSearchParams(path.slice(path.indexOf('?') + 1)) : undefined;
  const credential = query?.get('X-Amz-Credential');
  return credential ? credential.split('/')[0] || undefined : undefined;
}
