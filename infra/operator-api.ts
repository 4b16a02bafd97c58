import { CfnOutput, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
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
 *
 * Console users (PRODUCT.md §12) reach the same function through a second HTTP API, `consoleApi`, whose one
 * route `ANY /v1/{proxy+}` takes a Cognito JWT instead of a SigV4 signature. A second API rather than a second
 * route set on this one: an API Gateway route has one authorizer, and the function must see the very `/v1/…`
 * path machines send (a `/console/v1/…` route would need the path rewritten before a Lambda proxy integration).
 * The console's CloudFront distribution serves that API under its own origin (infra/console-hosting.ts).
 */
export class OperatorApi extends Construct {
  readonly api: apigwv2.HttpApi;
  /** The console's API: the same function behind a JWT authorizer (routes added by `connectConsole`). */
  readonly consoleApi: apigwv2.HttpApi;

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
    const rateLimit = props.rateLimit ?? 25;
    this.addStage(this.api, 'AccessLogs', rateLimit);
    new CfnOutput(this, 'ApiUrl', { value: this.url });
    // Exists before its routes: the console's distribution names it as an origin, and the app client the
    // authorizer checks is given the distribution's URL.
    this.consoleApi = new apigwv2.HttpApi(this, 'ConsoleHttpApi', {
      description: 'Cascade operator API for console users (Cognito JWT); the same function as the IAM API',
      createDefaultStage: false,
    });
    this.addStage(this.consoleApi, 'ConsoleAccessLogs', rateLimit);
  }

  /** The console API's host, `<id>.execute-api.<region>.<suffix>` (an HTTP origin of the distribution). */
  get consoleApiDomain(): string {
    const stack = Stack.of(this);
    return `${this.consoleApi.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
  }

  /**
   * Routes every `/v1` path of the console API to the API function, for bearers of an access (or ID) token
   * that the user pool issued to the console's app client: API Gateway checks the issuer
   * (`https://cognito-idp.<region>.amazonaws.com/<pool id>`), the signature, the expiry and the audience
   * (`client_id`/`aud` = the app client) before the function runs, as IAM does on the machines' API.
   */
  connectConsole(handler: lambda.IFunction, userPool: cognito.IUserPool, client: cognito.IUserPoolClient): void {
    const integration = new HttpLambdaIntegration('ConsoleApiIntegration', handler, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    this.consoleApi.addRoutes({
      path: '/v1/{proxy+}',
      methods: [apigwv2.HttpMethod.ANY],
      integration,
      authorizer: new HttpUserPoolAuthorizer('ConsoleUsers', userPool, { userPoolClients: [client] }),
    });
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

  private addStage(api: apigwv2.HttpApi, logGroupId: string, rateLimit: number): void {
    const accessLogs = new logs.LogGroup(this, logGroupId, { retention: logs.RetentionDays.THREE_MONTHS });
    // (HTTP APIs have no X-Ray tracing; the API Lambda traces every request.)
    api.addStage('DefaultStage', {
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
            // Console requests: the Cognito user (access token claim); empty on the IAM API.
            user: '$context.authorizer.claims.username',
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
