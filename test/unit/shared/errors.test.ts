import { describe, expect, it } from 'vitest';
import {
  asStoreUnavailable,
  CascadeError,
  EmailBouncedError,
  FATAL_TASK_ERRORS,
  HttpProblem,
  InvalidTaskInputError,
  LeadComplainedError,
  LeadNotFoundError,
  RETRYABLE_TASK_ERRORS,
  StoreUnavailableError,
} from '#shared/errors';

describe('store errors for the state machine', () => {
  it.each(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded'])(
    'turns DynamoDB %s into StoreUnavailableError, which the Task retries',
    (name) => {
      // Act
      const mapped = asStoreUnavailable(Object.assign(new Error('slow down'), { name }));

      // Assess
      expect(mapped).toBeInstanceOf(StoreUnavailableError);
      expect(RETRYABLE_TASK_ERRORS).toContain((mapped as Error).name);
      expect((mapped as Error).cause).toMatchObject({ name, message: 'slow down' });
    },
  );

  it('leaves other errors as they are', () => {
    // Prepare
    const conditional = Object.assign(new Error('nope'), { name: 'ConditionalCheckFailedException' });

    // Act / Assess
    expect(asStoreUnavailable(conditional)).toBe(conditional);
  });
});

describe('the error family', () => {
  it.each([
    [new InvalidTaskInputError('bad input'), 'InvalidTaskInputError'],
    [new LeadNotFoundError('no lead'), 'LeadNotFoundError'],
    [new StoreUnavailableError('throttled'), 'StoreUnavailableError'],
    [new EmailBouncedError('bounced'), 'EmailBouncedError'],
    [new LeadComplainedError('complained'), 'LeadComplainedError'],
  ])('%o keeps the exact name the state machine matches', (error, name) => {
    // Assess
    expect(error).toBeInstanceOf(CascadeError);
    expect(error.name).toBe(name);
    expect([...RETRYABLE_TASK_ERRORS, ...FATAL_TASK_ERRORS, 'EmailBouncedError', 'LeadComplainedError']).toContain(
      error.name,
    );
  });

  it.each([
    [404, 'not_found'],
    [409, 'conflict'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [400, 'invalid'],
    [413, 'invalid'],
    [500, 'internal'],
  ])('an HTTP problem with status %i is of kind %s', (status, kind) => {
    // Act
    const problem = new HttpProblem(status, 'some_code', 'some message', { details: [{ field: 'a', message: 'b' }] });

    // Assess
    expect(problem).toMatchObject({ status, kind, code: 'some_code', message: 'some message' });
    expect(problem.details).toEqual([{ field: 'a', message: 'b' }]);
  });
});
