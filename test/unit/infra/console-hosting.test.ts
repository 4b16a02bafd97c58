import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CascadeStack } from '#infra/cascade-stack';

/** The deployed console (PRODUCT.md §12): private site behind CloudFront, Cognito sign-in, the JWT API. */

// biome-ignore lint/suspicious/noExplicitAny: template JSON is read field by field in the assertions.
type Json = Record<string, any>;

const outdirs: string[] = [];
function synth(context: Record<string, string> = {}): { template: Template; outdir: string } {
  process.env.CDK_VALIDATION = 'false';
  const outdir = mkdtempSync(path.join(tmpdir(), 'cascade-console-'));
  outdirs.push(outdir);
  const app = new App({ outdir, context, postCliContext: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new CascadeStack(app, 'Cascade');
  app.synth();
  return { template: Template.fromStack(stack), outdir };
}

let template: Template;
let outdir: string;
const one = (type: string): [string, Json] => {
  const found = Object.entries(template.findResources(type));
  expect(found, type).toHaveLength(1);
  return found[0] as [string, Json];
};
const logicalId = (type: string, prefix: RegExp) =>
  Object.keys(template.findResources(type)).find((id) => prefix.test(id)) as string;

beforeAll(() => {
  ({ template, outdir } = synth());
});

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe('the site', () => {
  it('keeps the files in a private bucket that only the distribution reads, through origin access control', () => {
    // Prepare
    const site = logicalId('AWS::S3::Bucket', /^ConsoleSite[0-9A-F]{8}$/);
    const [distributionId, distribution] = one('AWS::CloudFront::Distribution');
    const [oacId, oac] = one('AWS::CloudFront::OriginAccessControl');
    const origin = distribution.Properties.DistributionConfig.Origins.find(
      (each: Json) => each.DomainName['Fn::GetAtt']?.[0] === site,
    );
    const policy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
      (each) => each.Properties.Bucket.Ref === site,
    );
    const allows = policy?.Properties.PolicyDocument.Statement.filter(
      (statement: Json) => statement.Effect === 'Allow',
    );

    // Assess
    expect(origin.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(origin.S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    expect(template.findResources('AWS::S3::Bucket')[site]?.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(allows).toEqual([
      expect.objectContaining({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.objectContaining({ 'Fn::Join': expect.anything() }) } },
      }),
    ]);
    expect(JSON.stringify(allows[0].Condition)).toContain(distributionId);
  });

  it('serves HTTPS only, index.html at the root, price class 100, with standard logs', () => {
    // Prepare
    const [, distribution] = one('AWS::CloudFront::Distribution');
    const config = distribution.Properties.DistributionConfig;

    // Assess
    expect(config).toMatchObject({
      DefaultRootObject: 'index.html',
      PriceClass: 'PriceClass_100',
      Logging: { Bucket: { 'Fn::GetAtt': [expect.stringMatching(/^ConsoleAccessLogs/), 'RegionalDomainName'] } },
    });
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors])
      expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    // The fallback is a function on the site's behavior, not error responses that would rewrite the API's 404s.
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  it('answers the app for extension-less paths (the single-page fallback) and files as they are', () => {
    // Prepare
    const [functionId, fn] = one('AWS::CloudFront::Function');
    const [, distribution] = one('AWS::CloudFront::Distribution');
    const handler = new Function(`${fn.Properties.FunctionCode}; return handler;`)() as (event: Json) => Json;
    const uri = (value: string) => handler({ request: { uri: value } }).uri;

    // Assess
    expect(distribution.Properties.DistributionConfig.DefaultCacheBehavior.FunctionAssociations).toEqual([
      { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } },
    ]);
    expect(distribution.Properties.DistributionConfig.CacheBehaviors[0].FunctionAssociations).toBeUndefined();
    expect(uri('/campaigns/c1')).toBe('/index.html');
    expect(uri('/')).toBe('/index.html');
    expect(uri('/app.js')).toBe('/app.js');
    expect(uri('/config.json')).toBe('/config.json');
  });

  it('sends security headers on every response: HSTS, nosniff, DENY, no referrer, a CSP for itself and Cognito', () => {
    // Prepare
    const [policyId, policy] = one('AWS::CloudFront::ResponseHeadersPolicy');
    const headers = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy.ContentSecurityPolicy);
    const domain = logicalId('AWS::Cognito::UserPoolDomain', /^ConsoleUsersDomain/);
    const config = one('AWS::CloudFront::Distribution')[1].Properties.DistributionConfig;

    // Assess
    expect(headers).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
    expect(csp).toContain("default-src 'self'; script-src 'self'");
    expect(csp).toContain("connect-src 'self' https://");
    expect(csp).toContain(`{"Ref":"${domain}"},".auth."`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    for (const behavior of [config.DefaultCacheBehavior, ...config.CacheBehaviors])
      expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
  });

  it('puts the console API under /v1/* of the same origin: never cached, every method, Authorization passed on', () => {
    // Prepare
    const config = one('AWS::CloudFront::Distribution')[1].Properties.DistributionConfig;
    const [behavior] = config.CacheBehaviors;
    const origin = config.Origins.find((each: Json) => each.Id === behavior.TargetOriginId);

    // Assess
    expect(behavior).toMatchObject({
      PathPattern: '/v1/*',
      AllowedMethods: expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']),
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', // Managed-CachingDisabled
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac', // Managed-AllViewerExceptHostHeader
    });
    expect(JSON.stringify(origin.DomainName)).toMatch(/"Ref":"OperatorApiConsoleHttpApi[0-9A-F]{8}"},".execute-api."/);
    expect(origin.CustomOriginConfig).toEqual({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] });
  });
});

describe('sign-in', () => {
  it('has no self sign-up, a strong password policy, optional TOTP and threat protection', () => {
    // Prepare
    const [, pool] = one('AWS::Cognito::UserPool');

    // Assess
    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
    expect(pool.DeletionPolicy).toBe('Retain');
  });

  it('gives the console a public app client: code flow (PKCE) only, back to the distribution URL', () => {
    // Prepare
    const [, client] = one('AWS::Cognito::UserPoolClient');
    const distribution = logicalId('AWS::CloudFront::Distribution', /^ConsoleDistribution/);
    const url = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }, '/']] };

    // Assess
    expect(client.Properties).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [url],
      LogoutURLs: [url],
      SupportedIdentityProviders: ['COGNITO'],
    });
  });

  it("checks the pool's issuer and the client's audience on the console routes; IAM stays on the machines' /v1", () => {
    // Prepare
    const [authorizerId, authorizer] = one('AWS::ApiGatewayV2::Authorizer');
    const pool = logicalId('AWS::Cognito::UserPool', /^ConsoleUsers/);
    const client = logicalId('AWS::Cognito::UserPoolClient', /^ConsoleUsersConsoleClient/);
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => route.Properties);
    const proxies = routes.filter((route) => route.RouteKey === 'ANY /v1/{proxy+}');

    // Assess
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: client }],
        Issuer: {
          'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: pool }]],
        },
      },
    });
    expect(
      proxies.map((route) => [route.ApiId.Ref.replace(/[0-9A-F]{8}$/, ''), route.AuthorizationType]).sort(),
    ).toEqual([
      ['OperatorApiConsoleHttpApi', 'JWT'],
      ['OperatorApiHttpApi', 'AWS_IAM'],
    ]);
    expect(proxies.find((route) => route.AuthorizationType === 'JWT')?.AuthorizerId).toEqual({ Ref: authorizerId });
  });

  it('derives the hosted-UI domain prefix from the stack and account, or takes -c consoleDomainPrefix', () => {
    // Act
    const custom = synth({ consoleDomainPrefix: 'acme-outreach-console' }).template;

    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['', ['cascade-', { Ref: 'AWS::AccountId' }]] },
    });
    custom.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-outreach-console' });
    expect(() => synth({ consoleDomainPrefix: 'My_Console' })).toThrow(/consoleDomainPrefix/);
    expect(() => synth({ consoleDomainPrefix: 'aws-console' })).toThrow(/consoleDomainPrefix/);
  });
});

describe('config.json', () => {
  it("is generated at deploy time from the stack's values: API under the distribution, pool, client, region, domain", () => {
    // Prepare
    const [, deployment] = one('Custom::CDKBucketDeployment');
    const { SourceObjectKeys: keys, SourceMarkers: markers } = deployment.Properties;
    const index = markers.findIndex((each: Json) => Object.keys(each).length > 0);
    const asset = path.join(outdir, `asset.${String(keys[index]).replace(/\.zip$/, '')}`, 'config.json');
    const raw = readFileSync(asset, 'utf8');
    const resolved = JSON.parse(
      raw.replace(/<<marker:0xbaba:\d+>>/g, (marker) => {
        const value = markers[index][marker];
        return value.Ref ? `{${value.Ref}}` : `{${value['Fn::GetAtt'].join('.')}}`;
      }),
    );
    const id = (type: string, prefix: RegExp) => logicalId(type, prefix);

    // Assess
    expect(resolved).toEqual({
      apiUrl: `https://{${id('AWS::CloudFront::Distribution', /^ConsoleDistribution/)}.DomainName}/v1`,
      auth: 'cognito',
      userPoolId: `{${id('AWS::Cognito::UserPool', /^ConsoleUsers/)}}`,
      clientId: `{${id('AWS::Cognito::UserPoolClient', /^ConsoleUsersConsoleClient/)}}`,
      region: '{AWS::Region}',
      domain: `{${id('AWS::Cognito::UserPoolDomain', /^ConsoleUsersDomain/)}}.auth.{AWS::Region}.amazoncognito.com`,
    });
    expect(deployment.Properties).toMatchObject({
      DestinationBucketName: { Ref: id('AWS::S3::Bucket', /^ConsoleSite/) },
      SystemMetadata: { 'cache-control': 'no-cache' },
      Prune: true,
    });
    expect(keys).toHaveLength(2); // the built app and config.json
  });

  it('outputs the console URL, the pool and the client', () => {
    // Assess
    const outputs = template.toJSON().Outputs;
    expect(outputs.ConsoleUrl.Value['Fn::Join'][1]).toEqual([
      'https://',
      { 'Fn::GetAtt': [expect.stringMatching(/^ConsoleDistribution/), 'DomainName'] },
      '/',
    ]);
    expect(outputs.UserPoolId.Value).toEqual({ Ref: expect.stringMatching(/^ConsoleUsers[0-9A-F]{8}$/) });
    expect(outputs.UserPoolClientId.Value).toEqual({ Ref: expect.stringMatching(/^ConsoleUsersConsoleClient/) });
  });
});
