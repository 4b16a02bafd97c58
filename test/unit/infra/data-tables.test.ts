import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { DataTables, type TableGrants } from '#infra/data-tables';

type Statement = { Action: string | string[]; Condition?: unknown };

/** The statements `grant` gives a bare function in a stack of its own (no X-Ray, no logs: only the grants). */
function grantedStatements(grants: TableGrants): Statement[] {
  process.env.CDK_VALIDATION = 'false';
  const stack = new Stack();
  const data = new DataTables(stack);
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('export const handler = () => {};'),
  });
  data.grant(fn, grants);
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'));
  return policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statement: Statement) => [statement.Action].flat();

describe('DataTables.grant', () => {
  it('grants no key access for tables without personal data', () => {
    // Act
    const statements = grantedStatements({ Config: 'read', RateCounters: 'readWrite' });

    // Assess
    expect(statements).toHaveLength(2);
    expect(actionsOf(statements[0] as Statement)).not.toContain('dynamodb:PutItem');
    expect(actionsOf(statements[1] as Statement)).toContain('dynamodb:PutItem');
    expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('kms:'))).toEqual([]);
  });

  it('grants the personal-data key once, with the widest access of its tables, only through DynamoDB', () => {
    // Act
    const statements = grantedStatements({ Leads: 'read', Outreach: 'readWrite', Suppressions: 'read' });

    // Assess
    const keyStatements = statements.filter((statement) => actionsOf(statement).some((a) => a.startsWith('kms:')));
    expect(keyStatements).toHaveLength(1);
    expect(actionsOf(keyStatements[0] as Statement)).toEqual(expect.arrayContaining(['kms:Decrypt', 'kms:Encrypt']));
    expect(keyStatements[0]?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
    });
  });
});
