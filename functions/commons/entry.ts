import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { tracer } from '#shared/aws/clients';
import { InvalidTaskInputError } from '#shared/errors';
import { logger, metrics } from '#shared/observability';
import { secretsMiddleware } from '#shared/secrets';

export { logger, metrics, tracer };

export interface EntryOptions<Input, Output> {
  /**
   * The event's schema. A mismatch throws `InvalidTaskInputError`, which the state machine treats as fatal
   * (retrying the same input cannot help). Absent: the event is passed on as it came (the API validates
   * its own requests route by route).
   */
  input?: z.ZodType<Input>;
  /** Keys added to every log line of this invocation (lead, campaign, execution…). */
  logKeys?: (input: Input) => Record<string, unknown>;
  handle: (input: Input, context: Context) => Promise<Output>;
}

/** The zod issues as one line: `leadId: Required; cursor.tryCount: Expected number`. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

export function parseEvent<Input>(schema: z.ZodType<Input>, event: unknown): Input {
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw new InvalidTaskInputError(`invalid input: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * Flushes the metrics an invocation recorded, and only those: Powertools' logMetrics warns "No application
 * metrics to publish" on every invocation that recorded none (most of them), which buried real warnings.
 */
function publishRecordedMetrics(): middy.MiddlewareObj {
  const publish = async () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
}

/**
 * The one entry wrapper of every Cascade Lambda (Powertools' example-app style): the Tracer around the
 * invocation (the AWS clients are traced where they are made, shared/aws/clients.ts), the logger with the
 * Lambda context, metrics flushed at the end, the secrets this function is given loaded from SSM, and the
 * event parsed with the handler's schema. Handlers stay thin adapters over the core.
 */
export function lambdaEntry<Input, Output>(options: EntryOptions<Input, Output>) {
  return middy(async (event: unknown, context: Context): Promise<Output> => {
    const input = options.input ? parseEvent(options.input, event) : (event as Input);
    if (options.logKeys) logger.appendKeys(options.logKeys(input));
    return options.handle(input, context);
  })
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishRecordedMetrics())
    .use(secretsMiddleware());
}
