import { describe, expect, it } from 'vitest';
import { asStoreUnavailable, RETRYABLE_TASK_ERRORS, StoreUnavailableError } from '#shared/errors';

describe('store errors for the state machine', () => {
  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'])(
    'turns DynamoDB %s into StoreUnavailableError, which the Task retries',
    (name) => {
      // Act
      const mapped = asStoreUnavailable(Object.assign(new Error('slow down'), { name }));

      // Assess
      expect(mapped).toBeInstanceOf(StoreUnavailableError);
      expect(RETRYABLE_TASK_ERRORS).toContain((mapped as Error).name);
    },
  );

  it('leaves other errors as they are', () => {
    // Prepare
    const conditional = Object.assign(new Error('nope'), { name: 'ConditionalCheckFailedException' });

    // Act / Assess
    expect(asStoreUnavailable(conditional)).toBe(conditional);
  });
});
