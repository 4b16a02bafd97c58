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

export const RETRYABLE_TASK_ERRORS = ['StoreUnavailableError'] as const;
export const FATAL_TASK_ERRORS = ['InvalidTaskInputError', 'LeadNotFoundError'] as const;
