/**
 * Errors a channel Lambda throws to the state machine. Their names are exactly the names the state
 * machine's Retry/Catch blocks match in ErrorEquals (see infra/outreach-state-machine.ts).
 */
export class InvalidTaskInputError extends Error {
  override name = 'InvalidTaskInputError';
}

export class LeadNotFoundError extends Error {
  override name = 'LeadNotFoundError';
}

/** DynamoDB throttled or unavailable before any provider call: safe for Step Functions to retry. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
}

/** The delivery check found a permanent bounce: the state machine falls back to the next step. */
export class EmailBouncedError extends Error {
  override name = 'EmailBouncedError';
}

/** The delivery check found a complaint: the state machine stops the sequence. */
export class LeadComplainedError extends Error {
  override name = 'LeadComplainedError';
}

/** DynamoDB's throttling errors once the SDK's own retries are spent. */
const STORE_THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
]);

/** A throttled or briefly failing store becomes the error the state machine retries with backoff. */
export function asStoreUnavailable(error: unknown): unknown {
  const name = (error as { name?: string })?.name ?? '';
  return STORE_THROTTLING.has(name) ? new StoreUnavailableError(`${name}: ${(error as Error).message}`) : error;
}

export const RETRYABLE_TASK_ERRORS = ['StoreUnavailableError'] as const;
export const FATAL_TASK_ERRORS = ['InvalidTaskInputError', 'LeadNotFoundError'] as const;
