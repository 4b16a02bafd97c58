import { CfnOutput } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledgements';

export interface OperatorApiProps {
  /** Steady-state requests per second across the API (burst is twice that). */
  rateLimit?: number;
}

/**
 * The operator API: one HTTP API in front of the one API Lambda. Every operator route requires IAM
 * (SigV4) authorisation; the one-click unsubscribe link in every mail is the only public route.
 */
export class OperatorApi extends Construct {
  readonly api: apigwv2.HttpApi;

  /**
   * The API exists before its function (`connect`), so the functions that write links to it (unsubscribe)
   * can be given its URL: the function's environment refers to the API, the routes refer to the function.
   */
  constructor(scope: Construct, id: string, props: OperatorApiProps = {}) {
    super(scope, id);
    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Cascade operator API (OpenAPI at /v1/openapi.json)',
      createDefaultStage: false,
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    this.addStage(props.rateLimit ?? 25);
    new CfnOutput(this, 'ApiUrl', { value: this.url });
  }

  /** The `$default` stage's base URL, `https://<id>.execute-api.<region>.<suffix>/`. */
  get url(): string {
    return `${this.api.apiEndpoint}/`;
  }

  /** Routes every `/v1` path to the API function; the unsubscribe and provider-webhook routes are public. */
  connect(handler: lambda.IFunction): void {
    const integration = new HttpLambdaIntegration('ApiIntegration', handler, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    this.api.addRoutes({ path: '/v1/{proxy+}', methods: [apigwv2.HttpMethod.ANY], integration });
    // Public: the LinkedIn provider calls it; the handler verifies the shared secret header.
    const webhook = this.api.addRoutes({
      path: '/v1/webhooks/linkedin',
      methods: [apigwv2.HttpMethod.POST],
      integration,
      authorizer: new apigwv2.HttpNoneAuthorizer(),
    });
    for (const route of webhook) {
      acknowledge(
        route,
        'AwsSolutions-APIG4',
        "The LinkedIn provider's webhook cannot sign AWS requests; the handler checks the shared secret header " +
          '(constant-time) before reading the event, and the route only records replies and accepted invitations.',
      );
    }
    // Public: mail clients call it without credentials (RFC 8058 one-click), guarded by a signed token.
    const unsubscribe = this.api.addRoutes({
      path: '/v1/unsubscribe',
      methods: [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST],
      integration,
      authorizer: new apigwv2.HttpNoneAuthorizer(),
    });
    for (const route of unsubscribe) {
      acknowledge(
        route,
        'AwsSolutions-APIG4',
        'RFC 8058 one-click unsubscribe: mail clients and recipients call it without credentials; the HMAC-signed ' +
          'token in the link is the authorisation and it can only unsubscribe the lead it names.',
      );
    }
  }

  private addStage(rateLimit: number): void {
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    // (HTTP APIs have no X-Ray tracing; the API Lambda traces every request.)
    this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit, burstLimit: rateLimit * 2 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            sourceIp: '$context.identity.sourceIp',
            caller: '$context.identity.caller',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
  }
}
