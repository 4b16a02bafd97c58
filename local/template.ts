import { ENTRY_METADATA } from '#infra/cascade-function';
import { busNameOf, type LocalRule } from './eventbridge/rules';
import type { PolicyDocument } from './iam';
import type { EventSourceMappingConfig } from './sqs/event-source';
import type { QueueConfig } from './sqs/queue';
import type { CfnTemplate } from './synth';

type CfnResource = CfnTemplate['Resources'][string];

/**
 * The synthesized template read as the embedded stack's deployment: every `Ref`/`Fn::GetAtt`/`Fn::Join`
 * resolved to a local resource (table names, ARNs, URLs), so functions, policies, rules and routes are taken
 * from the template as CloudFormation would create them. Only names of our choosing differ (account
 * 000000000000, region us-east-1, physical names derived from logical ids), as they would in another account.
 */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/** The account and region the embedded stack deploys into, as the peers take them. */
export const LOCAL_NAMES = { accountId: LOCAL_ACCOUNT, region: LOCAL_REGION };
export const STATE_MACHINE_NAME = 'CascadeOutreach';
export const LOCAL_STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${STATE_MACHINE_NAME}`;
/** The embedded stack's table names: `cascade-local-<table id>` (kept from earlier versions: --data dirs stay valid). */
export const LOCAL_TABLE_PREFIX = 'cascade-local';

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'Cascade',
  'AWS::NoValue': '',
};

/** Placeholder ARN for a function's logical id: what a Task's Resource becomes in the extracted definition. */
export const localFunctionArn = (logicalId: string) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;

export interface LocalEndpoints {
  /** The operator API's base URL (the HTTP API's `ApiEndpoint`), e.g. http://127.0.0.1:8787. */
  apiUrl: string;
  /**
   * The SQS endpoint queue URLs start with (`<endpoint>/<account>/<queue name>`): the SDK sends a request to its
   * `QueueUrl`'s host when that differs from its endpoint, so a queue URL must name the local SQS peer.
   */
  sqsUrl?: string;
}

/** The host of queue URLs when no SQS peer is given (architecture docs, tests that only read the template). */
const UNSERVED_SQS_URL = `http://sqs.${LOCAL_REGION}.localhost`;

type Attributes = { ref: string; attributes: Record<string, string> };

const arn = (service: string, resource: string, region = LOCAL_REGION) =>
  `arn:aws:${service}:${region}:${LOCAL_ACCOUNT}:${resource}`;

/** What `Ref` and `Fn::GetAtt` give for one resource, by type, locally. */
function localResource(logicalId: string, resource: CfnResource, endpoints: LocalEndpoints): Attributes {
  switch (resource.Type) {
    case 'AWS::DynamoDB::GlobalTable':
    case 'AWS::DynamoDB::Table': {
      const tableId = logicalId.replace(/Table[0-9A-F]{8}$/, '');
      const name = `${LOCAL_TABLE_PREFIX}-${tableId}`;
      return { ref: name, attributes: { Arn: arn('dynamodb', `table/${name}`) } };
    }
    case 'AWS::StepFunctions::StateMachine':
      return { ref: LOCAL_STATE_MACHINE_ARN, attributes: { Name: STATE_MACHINE_NAME, Arn: LOCAL_STATE_MACHINE_ARN } };
    case 'AWS::Lambda::Function':
      return { ref: logicalId, attributes: { Arn: localFunctionArn(logicalId) } };
    case 'AWS::IAM::Role':
      return {
        ref: logicalId,
        attributes: { Arn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/${logicalId}`, RoleId: logicalId },
      };
    case 'AWS::ApiGatewayV2::Api':
      return { ref: logicalId, attributes: { ApiEndpoint: endpoints.apiUrl.replace(/\/$/, ''), ApiId: logicalId } };
    case 'AWS::SQS::Queue': {
      const name = typeof resource.Properties?.QueueName === 'string' ? resource.Properties.QueueName : logicalId;
      const base = (endpoints.sqsUrl ?? UNSERVED_SQS_URL).replace(/\/$/, '');
      const url = `${base}/${LOCAL_ACCOUNT}/${name}`;
      return { ref: url, attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: url } };
    }
    case 'AWS::Events::EventBus': {
      // Ref is the bus's name (not its ARN), as CloudFormation gives it.
      const name = typeof resource.Properties?.Name === 'string' ? resource.Properties.Name : logicalId;
      const busArn = arn('events', `event-bus/${name}`);
      return { ref: name, attributes: { Arn: busArn, Name: name } };
    }
    case 'AWS::S3::Bucket': {
      const name = logicalId.toLowerCase();
      return { ref: name, attributes: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` } };
    }
    case 'AWS::KMS::Key':
      return { ref: logicalId, attributes: { Arn: arn('kms', `key/${logicalId}`), KeyId: logicalId } };
    case 'AWS::Events::Rule':
      return { ref: logicalId, attributes: { Arn: arn('events', `rule/${logicalId}`) } };
    case 'AWS::Logs::LogGroup':
      return {
        ref: `/aws/lambda/${logicalId}`,
        attributes: { Arn: arn('logs', `log-group:/aws/lambda/${logicalId}:*`) },
      };
    default:
      // Configuration sets, receipt rule sets, alarms…: their physical name is their logical id.
      return { ref: logicalId, attributes: { Arn: arn('unknown', logicalId) } };
  }
}

export class TemplateResolver {
  private readonly resources = new Map<string, Attributes>();

  constructor(
    readonly template: CfnTemplate,
    endpoints: LocalEndpoints,
  ) {
    for (const [logicalId, resource] of Object.entries(template.Resources))
      this.resources.set(logicalId, localResource(logicalId, resource, endpoints));
    // A rule on a custom bus is `rule/<bus>/<rule>` (its bus known once every resource is).
    for (const [logicalId, resource] of this.ofType('AWS::Events::Rule')) {
      const bus = resource.Properties?.EventBusName;
      const busName = bus === undefined ? 'default' : this.resolveString(bus).replace(/^arn:.*:event-bus\//, '');
      const attributes = this.resources.get(logicalId)?.attributes;
      if (attributes && busName !== 'default') attributes.Arn = arn('events', `rule/${busName}/${logicalId}`);
    }
  }

  /** A CloudFormation value with every intrinsic resolved (objects and arrays walked). */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const node = value as Record<string, unknown>;
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0]?.startsWith('Fn::')) return this.intrinsic(keys[0], node[keys[0]]);
    if (keys.length === 1 && keys[0] === 'Ref') return this.ref(String(node.Ref));
    return Object.fromEntries(keys.map((key) => [key, this.resolve(node[key])]));
  }

  resolveString(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') throw new Error(`expected a string, got ${JSON.stringify(resolved)}`);
    return resolved;
  }

  private ref(name: string): string {
    const pseudo = PSEUDO[name];
    if (pseudo !== undefined) return pseudo;
    const resource = this.resources.get(name);
    if (!resource) throw new Error(`Ref to unknown resource ${name}`);
    return resource.ref;
  }

  private intrinsic(name: string, argument: unknown): unknown {
    switch (name) {
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (this.resolve(parts) as unknown[]).map(String).join(separator);
      }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = (typeof argument === 'string' ? argument.split('.') : argument) as string[];
        const value = this.resources.get(String(logicalId))?.attributes[String(attribute)];
        if (value === undefined) throw new Error(`cannot resolve Fn::GetAtt ${logicalId}.${attribute} locally`);
        return value;
      }
      case 'Fn::Select': {
        const [index, list] = argument as [number, unknown];
        return (this.resolve(list) as unknown[])[Number(index)];
      }
      case 'Fn::Split': {
        const [separator, source] = argument as [string, unknown];
        return this.resolveString(source).split(separator);
      }
      case 'Fn::Sub': {
        const [text, variables = {}] = (typeof argument === 'string' ? [argument] : argument) as [
          string,
          Record<string, unknown>?,
        ];
        return text.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
          if (key in variables) return this.resolveString(variables[key]);
          const [logicalId, attribute] = key.split('.');
          return attribute ? this.resolveString({ 'Fn::GetAtt': [logicalId, attribute] }) : this.ref(String(logicalId));
        });
      }
      default:
        throw new Error(`cannot resolve ${name} locally`);
    }
  }

  /** Resources of one type, by logical id. */
  ofType(type: string): [string, CfnTemplate['Resources'][string]][] {
    return Object.entries(this.template.Resources).filter(([, resource]) => resource.Type === type);
  }

  /** The logical id a resolved Ref or ARN stands for. */
  logicalIdOf(refOrArn: string): string | undefined {
    for (const [logicalId, resource] of this.resources)
      if (resource.ref === refOrArn || Object.values(resource.attributes).includes(refOrArn)) return logicalId;
    return undefined;
  }
}

/** One Lambda function as the template declares it. */
export interface TemplateFunction {
  logicalId: string;
  /** Its construct id (SendEmailFunction, ApiFunction, …): the logical id without the hash. */
  constructId: string;
  arn: string;
  /** Source entry (functions/<folder>/index.ts) from the resource's metadata. */
  entry: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  roleLogicalId: string;
  reservedConcurrency?: number;
}

export function templateFunctions(resolver: TemplateResolver): TemplateFunction[] {
  return resolver.ofType('AWS::Lambda::Function').flatMap(([logicalId, resource]) => {
    const entry = resource.Metadata?.[ENTRY_METADATA];
    if (typeof entry !== 'string') return [];
    const properties = resource.Properties ?? {};
    const role = (properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const variables = (properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
    return [
      {
        logicalId,
        constructId: logicalId.replace(/[0-9A-F]{8}$/, ''),
        arn: localFunctionArn(logicalId),
        entry,
        environment: resolver.resolve(variables ?? {}) as Record<string, string>,
        timeoutSeconds: Number(properties.Timeout ?? 3),
        memoryMb: Number(properties.MemorySize ?? 128),
        roleLogicalId: role,
        ...(properties.ReservedConcurrentExecutions !== undefined && {
          reservedConcurrency: Number(properties.ReservedConcurrentExecutions),
        }),
      },
    ];
  });
}

/** Every identity policy attached to each role (AWS::IAM::Policy resources), resolved. */
export function rolePolicies(resolver: TemplateResolver): Map<string, PolicyDocument[]> {
  const byRole = new Map<string, PolicyDocument[]>();
  for (const [, resource] of resolver.ofType('AWS::IAM::Policy')) {
    const document = resolver.resolve(resource.Properties?.PolicyDocument) as PolicyDocument;
    for (const role of (resource.Properties?.Roles ?? []) as { Ref: string }[]) {
      byRole.set(role.Ref, [...(byRole.get(role.Ref) ?? []), document]);
    }
  }
  return byRole;
}

/** A rule as the EventBridge twin takes it (references resolved). */
export type TemplateRule = LocalRule;

export function templateRules(resolver: TemplateResolver): TemplateRule[] {
  return resolver.ofType('AWS::Events::Rule').map(([logicalId, resource]) => {
    const properties = resolver.resolve(resource.Properties ?? {}) as Record<string, unknown>;
    const targets = (properties.Targets ?? []) as Record<string, unknown>[];
    return {
      name: logicalId,
      // A bus given by ARN (`Fn::GetAtt Bus.Arn`) is the bus of that name.
      eventBusName: busNameOf(properties.EventBusName as string | undefined),
      ...(properties.EventPattern !== undefined && { eventPattern: properties.EventPattern as object }),
      ...(properties.ScheduleExpression !== undefined && { scheduleExpression: String(properties.ScheduleExpression) }),
      state: properties.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      targets: targets.map((target) => ({
        id: String(target.Id),
        arn: String(target.Arn),
        ...(target.Input !== undefined && { input: String(target.Input) }),
        ...(target.InputPath !== undefined && { inputPath: String(target.InputPath) }),
        ...((target.RetryPolicy as { MaximumRetryAttempts?: number } | undefined)?.MaximumRetryAttempts !==
          undefined && {
          retryAttempts: Number((target.RetryPolicy as { MaximumRetryAttempts: number }).MaximumRetryAttempts),
        }),
        ...((target.DeadLetterConfig as { Arn?: string } | undefined)?.Arn !== undefined && {
          deadLetterArn: String((target.DeadLetterConfig as { Arn: string }).Arn),
        }),
      })),
    };
  });
}

/** API routes: `ANY /v1/{proxy+}` → AWS_IAM, the public ones → NONE. */
export function templateRoutes(resolver: TemplateResolver): { routeKey: string; authorizationType: string }[] {
  return resolver.ofType('AWS::ApiGatewayV2::Route').map(([, resource]) => ({
    routeKey: String(resource.Properties?.RouteKey),
    authorizationType: String(resource.Properties?.AuthorizationType ?? 'NONE'),
  }));
}

/** The custom event buses (`AWS::Events::EventBus`), by name. */
export function templateEventBuses(resolver: TemplateResolver): string[] {
  return resolver.ofType('AWS::Events::EventBus').map(([logicalId]) => resolver.resolveString({ Ref: logicalId }));
}

/** A queue as the SQS twin takes it: what the template sets (unset: SQS's defaults). */
export type TemplateQueue = Pick<QueueConfig, 'name' | 'arn' | 'url'> & Partial<QueueConfig>;

const seconds = (value: unknown) => (value === undefined ? undefined : Number(value));

export function templateQueues(resolver: TemplateResolver): TemplateQueue[] {
  return resolver.ofType('AWS::SQS::Queue').map(([logicalId, resource]) => {
    const properties = resolver.resolve(resource.Properties ?? {}) as Record<string, unknown>;
    const redrive = properties.RedrivePolicy as { deadLetterTargetArn?: string; maxReceiveCount?: unknown } | undefined;
    const settings: Partial<QueueConfig> = {
      visibilityTimeoutSeconds: seconds(properties.VisibilityTimeout),
      delaySeconds: seconds(properties.DelaySeconds),
      messageRetentionSeconds: seconds(properties.MessageRetentionPeriod),
      maximumMessageSize: seconds(properties.MaximumMessageSize),
      ...(redrive?.deadLetterTargetArn && {
        redrivePolicy: {
          deadLetterTargetArn: String(redrive.deadLetterTargetArn),
          maxReceiveCount: Number(redrive.maxReceiveCount),
        },
      }),
    };
    return {
      name: resolver.resolveString({ 'Fn::GetAtt': [logicalId, 'QueueName'] }),
      arn: resolver.resolveString({ 'Fn::GetAtt': [logicalId, 'Arn'] }),
      url: resolver.resolveString({ Ref: logicalId }),
      ...Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)),
    };
  });
}

/** The Lambda event source mappings on SQS queues (`AWS::Lambda::EventSourceMapping`), resolved. */
export function templateEventSourceMappings(resolver: TemplateResolver): EventSourceMappingConfig[] {
  return resolver.ofType('AWS::Lambda::EventSourceMapping').flatMap(([logicalId, resource]) => {
    const properties = resolver.resolve(resource.Properties ?? {}) as Record<string, unknown>;
    const source = String(properties.EventSourceArn ?? '');
    if (!source.startsWith('arn:aws:sqs:')) return [];
    const functionName = String(properties.FunctionName);
    const scaling = properties.ScalingConfig as { MaximumConcurrency?: unknown } | undefined;
    return [
      {
        id: logicalId,
        eventSourceArn: source,
        functionArn: functionName.startsWith('arn:') ? functionName : localFunctionArn(functionName),
        batchSize: Number(properties.BatchSize ?? 10),
        maximumBatchingWindowSeconds: Number(properties.MaximumBatchingWindowInSeconds ?? 0),
        reportBatchItemFailures: ((properties.FunctionResponseTypes as string[] | undefined) ?? []).includes(
          'ReportBatchItemFailures',
        ),
        ...(scaling?.MaximumConcurrency !== undefined && { maximumConcurrency: Number(scaling.MaximumConcurrency) }),
        enabled: properties.Enabled !== false,
      },
    ];
  });
}
