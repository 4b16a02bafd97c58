import type { TemplateResolver } from '../template';

/** The template's buckets and their Lambda notifications, and which notifications an object event triggers. */

export interface BucketNotification {
  /** `<notification resource's logical id>-<index>`, or the configuration's own `Id`: the event's configurationId. */
  id: string;
  bucket: string;
  /** As configured: `s3:ObjectCreated:*`, `s3:ObjectCreated:Put`, … */
  events: string[];
  prefix?: string;
  suffix?: string;
  functionArn: string;
}

type Json = Record<string, unknown>;

function filterRules(rules: unknown): { prefix?: string; suffix?: string } {
  const found: { prefix?: string; suffix?: string } = {};
  for (const rule of Array.isArray(rules) ? (rules as Json[]) : []) {
    const name = String(rule.Name ?? '').toLowerCase();
    if (name === 'prefix' || name === 'suffix') found[name] = String(rule.Value ?? '');
  }
  return found;
}

/**
 * The template's Lambda notifications for its buckets, resolved: CDK's `Custom::S3BucketNotifications`
 * (`NotificationConfiguration.LambdaFunctionConfigurations`) and a bucket's own `NotificationConfiguration.
 * LambdaConfigurations`. Queue, topic and EventBridge destinations are not delivered locally and are left out.
 */
export function templateBucketNotifications(resolver: TemplateResolver): BucketNotification[] {
  return [...customResourceNotifications(resolver), ...bucketOwnNotifications(resolver)];
}

/** CDK's `Custom::S3BucketNotifications` resources (what `bucket.addEventNotification` synthesizes). */
function customResourceNotifications(resolver: TemplateResolver): BucketNotification[] {
  return resolver.ofType('Custom::S3BucketNotifications').flatMap(([logicalId, resource]) => {
    const properties = resource.Properties ?? {};
    const bucket = resolver.resolveString(properties.BucketName);
    const configuration = (properties.NotificationConfiguration ?? {}) as Json;
    const lambdas = (configuration.LambdaFunctionConfigurations ?? []) as Json[];
    return lambdas.map((each, index): BucketNotification => {
      const resolved = resolver.resolve(each) as Json;
      return {
        id: typeof resolved.Id === 'string' ? resolved.Id : `${logicalId}-${index}`,
        bucket,
        events: (resolved.Events ?? []) as string[],
        ...filterRules(((resolved.Filter as Json | undefined)?.Key as Json | undefined)?.FilterRules),
        functionArn: String(resolved.LambdaFunctionArn),
      };
    });
  });
}

/** A bucket's own `NotificationConfiguration.LambdaConfigurations` (CloudFormation's native form). */
function bucketOwnNotifications(resolver: TemplateResolver): BucketNotification[] {
  return resolver.ofType('AWS::S3::Bucket').flatMap(([logicalId, resource]) => {
    const configuration = (resource.Properties?.NotificationConfiguration ?? {}) as Json;
    const lambdas = (configuration.LambdaConfigurations ?? []) as Json[];
    if (!lambdas.length) return [];
    const bucket = resolver.resolveString({ Ref: logicalId });
    return lambdas.map((each, index): BucketNotification => {
      const resolved = resolver.resolve(each) as Json;
      return {
        id: `${logicalId}-${index}`,
        bucket,
        events: [String(resolved.Event)],
        ...filterRules(((resolved.Filter as Json | undefined)?.S3Key as Json | undefined)?.Rules),
        functionArn: String(resolved.Function),
      };
    });
  });
}

/** The template's buckets, by their local names (for `startS3Peer({ buckets })`). */
export function templateBuckets(resolver: TemplateResolver): string[] {
  return resolver.ofType('AWS::S3::Bucket').map(([logicalId]) => resolver.resolveString({ Ref: logicalId }));
}

/**
 * The notifications an event on `bucket`/`key` triggers: same bucket, an event type that covers `eventName`
 * (`ObjectCreated:Put` or `s3:ObjectCreated:Put`; `s3:ObjectCreated:*` covers every ObjectCreated one), and the key
 * (raw, not URL-encoded) within the prefix and suffix filters.
 */
export function notificationsFor(
  notifications: BucketNotification[],
  bucket: string,
  key: string,
  eventName: string,
): BucketNotification[] {
  const event = eventName.startsWith('s3:') ? eventName : `s3:${eventName}`;
  const covers = (configured: string) =>
    configured === event || (configured.endsWith(':*') && event.startsWith(configured.slice(0, -1)));
  return notifications.filter(
    (each) =>
      each.bucket === bucket &&
      each.events.some(covers) &&
      key.startsWith(each.prefix ?? '') &&
      key.endsWith(each.suffix ?? ''),
  );
}
