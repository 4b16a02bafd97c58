import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CascadeStack } from '#infra/cascade-stack';

let template: Template;

beforeAll(() => {
  process.env.CDK_VALIDATION = 'false';
  const app = new App({ outdir: 'cdk.out/test-operator-api', postCliContext: { 'aws:cdk:bundling-stacks': [] } });
  template = Template.fromStack(new CascadeStack(app, 'Cascade'));
});

describe('operator API (CDK)', () => {
  it('puts IAM authorisation on every route except the unsubscribe link and the provider webhook', () => {
    // Prepare
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((route) => route.Properties);

    // Assess
    expect(routes.map((route) => route.RouteKey).sort()).toEqual([
      'ANY /v1/{proxy+}',
      'GET /v1/unsubscribe',
      'POST /v1/unsubscribe',
      'POST /v1/webhooks/linkedin',
    ]);
    for (const route of routes) {
      // The public ones carry their own proof: a signed token, a shared webhook secret.
      const isPublic = /\/v1\/(unsubscribe|webhooks\/linkedin)$/.test(String(route.RouteKey));
      expect(route.AuthorizationType, route.RouteKey).toBe(isPublic ? 'NONE' : 'AWS_IAM');
    }
  });

  it('logs every request and throttles the stage', () => {
    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 },
    });
  });

  it('integrates the one API Lambda with payload format 2.0', () => {
    // Assess
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
    const apiFunction = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (resource) => resource.Metadata?.['cascade:entry'] === 'functions/api/index.ts',
    );
    expect(apiFunction?.Properties).toMatchObject({ Timeout: 29, MemorySize: 1024 });
  });
});
