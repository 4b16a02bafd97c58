import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CascadeStack } from '#infra/cascade-stack';

let template: Template;

/** The route resources of one HTTP API, by its logical id. */
function routesOf(api: RegExp) {
  return Object.values(template.findResources('AWS::ApiGatewayV2::Route'))
    .map((route) => route.Properties)
    .filter((route) => api.test(route.ApiId?.Ref));
}

beforeAll(() => {
  process.env.CDK_VALIDATION = 'false';
  const app = new App({ outdir: 'cdk.out/test-operator-api', postCliContext: { 'aws:cdk:bundling-stacks': [] } });
  template = Template.fromStack(new CascadeStack(app, 'Cascade'));
});

describe('operator API (CDK)', () => {
  it('puts IAM authorisation on every route of the operator API except the unsubscribe link and the provider webhook', () => {
    // Prepare
    const routes = routesOf(/^OperatorApiHttpApi[0-9A-F]{8}$/);

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

  it("gives console users the same /v1 paths on the console API, behind the user pool's JWT authorizer only", () => {
    // Prepare
    const routes = routesOf(/^OperatorApiConsoleHttpApi[0-9A-F]{8}$/);
    const [authorizerId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'));

    // Assess: one route, no public one, every request needs a token of the console's app client
    expect(routes).toEqual([
      expect.objectContaining({
        RouteKey: 'ANY /v1/{proxy+}',
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: authorizerId },
      }),
    ]);
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
  });

  it('logs every request and throttles the stage, on both APIs', () => {
    // Prepare
    const stages = Object.values(template.findResources('AWS::ApiGatewayV2::Stage')).map((stage) => stage.Properties);

    // Assess
    expect(stages).toHaveLength(2);
    for (const stage of stages) {
      expect(stage).toMatchObject({
        StageName: '$default',
        AutoDeploy: true,
        AccessLogSettings: { DestinationArn: expect.anything(), Format: expect.stringMatching(/requestId.*user/) },
        DefaultRouteSettings: { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 },
      });
    }
  });

  it('integrates the one API Lambda with payload format 2.0, from both APIs', () => {
    // Prepare
    const integrations = Object.values(template.findResources('AWS::ApiGatewayV2::Integration')).map(
      (integration) => integration.Properties,
    );
    const apiFunction = Object.entries(template.findResources('AWS::Lambda::Function')).find(
      ([, resource]) => resource.Metadata?.['cascade:entry'] === 'functions/api/index.ts',
    );

    // Assess
    expect(integrations.map((integration) => integration.ApiId.Ref).sort()).toEqual([
      expect.stringMatching(/^OperatorApiConsoleHttpApi/),
      expect.stringMatching(/^OperatorApiHttpApi/),
    ]);
    for (const integration of integrations) {
      expect(integration).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [apiFunction?.[0], 'Arn'] },
      });
    }
    expect(apiFunction?.[1].Properties).toMatchObject({ Timeout: 29, MemorySize: 1024 });
  });
});
