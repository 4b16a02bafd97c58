import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, Aws, CfnOutput, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct, type IConstruct } from 'constructs';
import { acknowledge } from './acknowledgements';
import { DeploymentContextError } from './deployment-context';
import type { OperatorApi } from './operator-api';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONSOLE_DIR = path.join(ROOT, 'console');

export interface ConsoleHostingProps {
  /** The operator API: its console API is served under the distribution's `/v1/*`. */
  operatorApi: OperatorApi;
  /** The API function both APIs invoke. */
  handler: lambda.IFunction;
}

/**
 * The deployed operator console (PRODUCT.md §12): the static app in a private bucket behind CloudFront (origin
 * access control, security headers), Cognito for sign-in (admin-created users, hosted UI, code flow with
 * PKCE), and the console API (JWT) under the same origin at `/v1/*`, so the page calls its own origin: no
 * CORS, and `connect-src` needs only 'self' and Cognito. `config.json` is written at deploy time from the
 * stack's values: a new deploy changes it without rebuilding the app.
 */
export class ConsoleHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: ConsoleHostingProps) {
    super(scope, id);
    const logBucket = this.accessLogBucket();
    this.bucket = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logBucket,
      serverAccessLogsPrefix: 'site/',
      // Only build output and config.json (both rewritten by every deploy). CloudFormation cannot delete a
      // non-empty bucket, and emptying it at delete time (autoDeleteObjects) is one more deploy-time Lambda:
      // a deleted stack leaves this private bucket behind, to be emptied and deleted by hand.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPool = this.users();
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: domainPrefix(this) } });
    this.distribution = this.site(props.operatorApi, logBucket);
    const url = `https://${this.distribution.distributionDomainName}/`;
    this.client = this.userPool.addClient('ConsoleClient', {
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [url],
        logoutUrls: [url],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    props.operatorApi.connectConsole(props.handler, this.userPool, this.client);
    this.deployFiles(url);
    new CfnOutput(this, 'ConsoleUrl', { value: url, key: 'ConsoleUrl' });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId, key: 'UserPoolId' });
    new CfnOutput(this, 'UserPoolClientId', { value: this.client.userPoolClientId, key: 'UserPoolClientId' });
  }

  /** Operators only: no self sign-up; an administrator creates each user, who sets a password (and TOTP). */
  private users(): cognito.UserPool {
    const pool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus: threat protection (compromised credentials, adaptive authentication) at ~$0.02 per monthly
      // active user; a handful of operators costs cents.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: 'Your Cascade console account',
        emailBody:
          'An administrator created your Cascade console account. User name: {username}; temporary password: ' +
          '{####} (change it at first sign-in).',
      },
      // The operators' accounts outlive a stack replacement.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    acknowledge(
      pool,
      'AwsSolutions-COG2',
      'MFA is optional (TOTP only, no SMS): operators are created by an administrator, who can require TOTP per ' +
        'user; Plus threat protection asks for the second factor on risky sign-ins of users who set one up.',
    );
    return pool;
  }

  /**
   * Server access logs of the site bucket and the distribution's standard logs (kept 90 days). (cdk-nag asks
   * no access log of a bucket other buckets log to.)
   */
  private accessLogBucket(): s3.Bucket {
    const bucket = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logging writes with an ACL grant (awslogsdelivery), so ACLs must stay enabled.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    return bucket;
  }

  private site(api: OperatorApi, logBucket: s3.IBucket): cloudfront.Distribution {
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Cascade console: security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: contentSecurityPolicy(this.domain.baseUrl()),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
    });
    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Cascade operator console',
      defaultRootObject: 'index.html',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
        functionAssociations: [
          { eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: this.spaFallback() },
        ],
      },
      additionalBehaviors: {
        // The console API, same origin: never cached; every viewer header but Host (API Gateway routes on its
        // own host name) goes through, the Authorization header included (allowed when caching is disabled).
        '/v1/*': {
          origin: new origins.HttpOrigin(api.consoleApiDomain, {
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
          }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: headers,
        },
      },
    });
    acknowledgeDistribution(distribution);
    return distribution;
  }

  /**
   * The single-page fallback, on the site's behavior only: a path without a file extension is the app
   * (`/index.html`). Not CloudFront error responses: they apply to every behavior and would turn the API's
   * own 403/404 answers into the page.
   */
  private spaFallback(): cloudfront.Function {
    return new cloudfront.Function(this, 'SpaFallback', {
      comment: 'Cascade console: extension-less paths serve index.html',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromInline(
        [
          'function handler(event) {',
          '  var request = event.request;',
          "  if (!/\\.[A-Za-z0-9]+$/.test(request.uri)) request.uri = '/index.html';",
          '  return request;',
          '}',
        ].join('\n'),
      ),
    });
  }

  /**
   * The built app and `config.json` (the stack's values, resolved at deploy time). No invalidation (its grant
   * would be `cloudfront:CreateInvalidation` on every distribution): the files are sent `no-cache`, so the
   * edge keeps them for the cache policy's minimum TTL (1 s) and browsers revalidate them on every load.
   */
  private deployFiles(url: string): void {
    const region = Stack.of(this).region;
    const config = {
      apiUrl: `${url}v1`,
      auth: 'cognito',
      userPoolId: this.userPool.userPoolId,
      clientId: this.client.userPoolClientId,
      region,
      // The hosted UI's host (the base URL without its scheme).
      domain: this.domain.baseUrl().replace(/^https:\/\//, ''),
    };
    const deployment = new s3deploy.BucketDeployment(this, 'Files', {
      sources: [consoleSource(), s3deploy.Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      cacheControl: [s3deploy.CacheControl.noCache()],
      memoryLimit: 256,
      logGroup: new logs.LogGroup(this, 'FilesLogs', { retention: logs.RetentionDays.THREE_MONTHS }),
    });
    acknowledgeDeploymentHandler(deployment, this.bucket);
  }
}

/** `console/build.ts --out <asset dir>` at synth time (skipped where bundling is: tests, the embedded stack). */
function consoleSource(): s3deploy.ISource {
  if (!existsSync(path.join(CONSOLE_DIR, 'build.ts')))
    return s3deploy.Source.data('index.html', '<!doctype html><title>Cascade console</title><p>Not built.</p>');
  return s3deploy.Source.asset(CONSOLE_DIR, {
    assetHashType: AssetHashType.OUTPUT,
    exclude: ['dist', 'node_modules'],
    bundling: {
      // Only if local bundling were impossible; it never is where `npm ci` ran.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
      local: {
        tryBundle(outputDir: string): boolean {
          execFileSync(process.execPath, ['--import', 'tsx', 'console/build.ts', '--out', outputDir], {
            cwd: ROOT,
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          return true;
        },
      },
    },
  });
}

/** 'self' for everything (the API is under the same origin); Cognito's token endpoint for sign-in. */
export function contentSecurityPolicy(authOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${authOrigin}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Context `consoleDomainPrefix`, else `<stack name>-<account>` (a Cognito domain prefix is global per region). */
function domainPrefix(scope: IConstruct): string {
  const value = scope.node.tryGetContext('consoleDomainPrefix') as unknown;
  if (value === undefined || value === null || value === '')
    return `${Stack.of(scope).stackName.toLowerCase()}-${Aws.ACCOUNT_ID}`;
  if (typeof value !== 'string' || !DOMAIN_PREFIX.test(value) || /aws|amazon|cognito/.test(value))
    throw new DeploymentContextError(
      'context consoleDomainPrefix must be lower-case letters, digits and hyphens, without "aws", "amazon" or "cognito"',
    );
  return value;
}

function acknowledgeDistribution(distribution: cloudfront.Distribution): void {
  acknowledge(
    distribution,
    'AwsSolutions-CFR1',
    'Operators may work from anywhere; sign-in is Cognito (admin-created users, threat protection) and every ' +
      'API call needs a valid JWT, so a country block would add nothing but lock-outs.',
  );
  acknowledge(
    distribution,
    'AwsSolutions-CFR2',
    'No WAF web ACL (a fixed monthly cost for a few operators): the site is static files, the API under /v1 ' +
      'needs a Cognito JWT before the function runs, and its stage is throttled.',
  );
  acknowledge(
    distribution,
    'AwsSolutions-CFR4',
    'The console has no custom domain: the default *.cloudfront.net certificate has a fixed security policy; ' +
      'viewers are HTTPS only with HSTS, and the origins are reached over TLS 1.2.',
  );
}

/** CDK's singleton function that copies the files at deploy time (not application code). */
function acknowledgeDeploymentHandler(deployment: s3deploy.BucketDeployment, bucket: s3.Bucket): void {
  const stack = Stack.of(deployment);
  const handler = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (!handler) return;
  const reason =
    "CDK's deploy-time handler of the console's BucketDeployment: CloudFormation invokes it synchronously and " +
    'reports its failures; it copies the build from the CDK asset bucket into the console bucket only.';
  for (const id of [
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    'Serverless-LambdaDLQ',
    'Serverless-LambdaTracing',
    'AwsSolutions-L1',
    'Serverless-LambdaLatestVersion',
  ])
    acknowledge(handler, id, reason);
  // CDK's grants: read the CDK asset bucket (the staged build), write and prune the console bucket's objects.
  const wildcards =
    'CDK grants it read on its asset bucket (the zipped build) and write/delete on the objects of the console ' +
    'bucket only (s3:GetObject*, s3:List*, s3:DeleteObject*, s3:Abort* on those two buckets and their objects).';
  for (const finding of [
    'Action::s3:GetObject*',
    'Action::s3:GetBucket*',
    'Action::s3:List*',
    'Action::s3:DeleteObject*',
    'Action::s3:Abort*',
    'Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*',
    `Resource::<${stack.resolve((bucket.node.defaultChild as s3.CfnBucket).logicalId)}.Arn>/*`,
  ])
    acknowledge(handler, `AwsSolutions-IAM5[${finding}]`, wildcards);
}
