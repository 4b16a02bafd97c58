import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { createLead, getLead } from '#shared/store/leads';
import { testLead } from '#test/support/fixtures';

/**
 * The peers enforce each function's synthesized IAM policy: with the Leads-table grant taken away from the
 * finish-sequence function's policy, its call fails with AccessDeniedException, as it would in AWS; the
 * check-delivery function, still granted, is not affected.
 */
let stack: LocalStack;

const isLeadsStatement = (statement: Record<string, unknown>) =>
  JSON.stringify(statement.Resource ?? '').includes('LeadsTable');

beforeAll(async () => {
  stack = await startLocalStack({
    pauseMs: 1,
    alterTemplate: (template) => {
      const policyId = Object.keys(template.Resources).find((id) =>
        id.startsWith('FinishSequenceFunctionRoleDefaultPolicy'),
      );
      const document = template.Resources[policyId ?? '']?.Properties?.PolicyDocument as {
        Statement: Record<string, unknown>[];
      };
      const before = document.Statement.length;
      document.Statement = document.Statement.filter((statement) => !isLeadsStatement(statement));
      if (document.Statement.length !== before - 1) throw new Error('expected exactly one Leads grant');
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('a function whose Leads grant was removed from the template', () => {
  it('gets AccessDeniedException from the local DynamoDB; the lead is untouched', async () => {
    // Prepare
    await createLead(testLead({ leadId: 'denied-lead', campaignId: 'denied', status: 'IN_SEQUENCE' }));

    // Act
    const failure = await stack.lambda
      .invoke('FinishSequenceFunction', { campaignId: 'denied', leadId: 'denied-lead', executionName: 'denied--x' })
      .then(
        () => undefined,
        (error: Error) => error,
      );

    // Assess
    expect(failure?.name).toBe('AccessDeniedException');
    expect(failure?.message).toMatch(
      /FinishSequenceFunctionRole.* is not authorized to perform: dynamodb:\w+ on resource: .*cascade-local-Leads/,
    );
    expect((await getLead('denied-lead'))?.status).toBe('IN_SEQUENCE');
  });

  it('leaves the other functions their grants', async () => {
    // Act
    const result = await stack.lambda.invoke('CheckDeliveryFunction', {
      leadId: 'denied-lead',
      sent: { outcome: 'SENT', channel: 'CONTACT_FORM' },
    });

    // Assess
    expect(result).toMatchObject({ outcome: 'SENT' });
  });
});
