import { documentClient } from '../aws/clients';

export { documentClient };

export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/**
 * Runs one conditional write: its answer, or undefined when DynamoDB refused it because the condition did not
 * hold. Any other failure is thrown. Callers turn "refused" into their own meaning (false, a conflict error…).
 */
export async function ifConditionHolds<T>(write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
