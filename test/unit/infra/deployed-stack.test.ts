import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CascadeStack } from '#infra/cascade-stack';
import { matchesEventPattern } from '#local/eventbridge/event-pattern';
import { TemplateResolver, templateRules } from '#local/template';
import { FUNCTION_IDS, SECRETS, secretsOf, settingsOf } from '#shared/config/settings';

/** What deploys: the defects a local run could not see before, read from the synthesized template. */
function synth(context: Record<string, string> = {}): Template {
  process.env.CDK_VALIDATION = 'false';
  const app = new App({ context, postCliContext: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new CascadeStack(app, 'Cascade'));
}

const SES_FIXTURES = path.resolve(__dirname, '../../../../shared/fixtures/ses-events');
const fixtures = () =>
  readdirSync(SES_FIXTURES)
    .filter((file) => file.endsWith('.json'))
    .map((file) => ({ file, event: JSON.parse(readFileSync(path.join(SES_FIXTURES, file), 'utf8')) }));

let template: Template;
const functionsOf = (stack: Template) =>
  Object.entries(stack.findResources('AWS::Lambda::Function')).filter(([id]) =>
    FUNCTION_IDS.some((fn) => id.startsWith(fn)),
  );

beforeAll(() => {
  template = synth({ replyDomain: 'reply.example.com' });
});

describe('function environments (built from shared/config/settings.ts)', () => {
  it('gives the sending functions the HTTP API URL for unsubscribe links, never a loopback default', () => {
    // Prepare
    const sending = functionsOf(template).filter(([id]) =>
      /^(SendEmail|SendLinkedIn|SubmitContactForm|Api)Function/.test(id),
    );

    // Assess
    expect(sending).toHaveLength(4);
    for (const [id, resource] of sending) {
      expect(resource.Properties.Environment.Variables.CASCADE_PUBLIC_API_URL, id).toEqual({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^OperatorApiHttpApi/), 'ApiEndpoint'] }, '/']],
      });
    }
    expect(JSON.stringify(template.toJSON())).not.toContain('127.0.0.1');
  });

  it('takes a custom domain from -c publicApiUrl', () => {
    // Act
    const custom = synth({ publicApiUrl: 'https://outreach.example.com/' });

    // Assess
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CASCADE_PUBLIC_API_URL: 'https://outreach.example.com/' }) },
    });
  });

  it('gives each function exactly its declared settings and secret parameter names, and reads only those', () => {
    for (const [id, resource] of functionsOf(template)) {
      // Prepare
      const fn = FUNCTION_IDS.find((name) => id.startsWith(name)) ?? FUNCTION_IDS[0];
      const variables = Object.keys(resource.Properties.Environment.Variables).filter((name) =>
        name.startsWith('CASCADE_'),
      );
      const expected = [
        ...settingsOf(fn).filter((name) => name in resource.Properties.Environment.Variables),
        ...secretsOf(fn).map((secret) => SECRETS[secret].parameterEnv),
      ];

      // Assess
      expect(variables.sort(), id).toEqual(expected.sort());
    }
  });

  it('lets the API function read its secrets (the unsubscribe key and the webhook secret) from SSM', () => {
    // Prepare
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) =>
      id.startsWith('ApiFunctionRole'),
    );
    const statements = policies.flatMap(
      ([, policy]) => policy.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
    );
    const ssm = JSON.stringify(statements.filter((statement) => statement.Action === 'ssm:GetParameter'));

    // Assess
    expect(ssm).toContain('parameter/cascade/unsubscribe-secret');
    expect(ssm).toContain('parameter/cascade/linkedin-webhook-secret');
    expect(ssm).not.toContain('linkedin-api-key');
  });
});

describe('the SES events rule', () => {
  it('matches the documented SES events of our configuration set, with or without resources, and no other set', () => {
    // Prepare
    const resolver = new TemplateResolver(template.toJSON() as never, { apiUrl: 'http://127.0.0.1' });
    const rule = templateRules(resolver).find((candidate) => candidate.name.startsWith('SesEventsRule'));
    const configurationSet = resolver.resolveString({
      Ref: Object.keys(template.findResources('AWS::SES::ConfigurationSet'))[0],
    });
    expect(fixtures().length).toBeGreaterThan(0);

    for (const { file, event } of fixtures()) {
      const ours = structuredClone(event);
      ours.detail.mail.tags['ses:configuration-set'] = [configurationSet];
      const withoutResources = structuredClone(ours);
      delete withoutResources.resources;
      const otherSet = structuredClone(event);
      otherSet.detail.mail.tags['ses:configuration-set'] = ['someone-else'];

      // Act & Assess
      expect(matchesEventPattern(rule?.eventPattern, ours), file).toBe(true);
      expect(matchesEventPattern(rule?.eventPattern, withoutResources), `${file} without resources`).toBe(true);
      expect(matchesEventPattern(rule?.eventPattern, otherSet), `${file} of another set`).toBe(false);
    }
  });
});

describe('replies', () => {
  it('creates the receipt rule for -c replyDomain and makes its rule set the active one', () => {
    // Assess
    template.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({ Recipients: ['reply.example.com'], Enabled: true }),
    });
    const activation = Object.values(template.findResources('Custom::AWS')).map((resource) =>
      JSON.stringify(resource.Properties),
    );
    expect(activation).toHaveLength(1);
    expect(activation[0]).toMatch(/Create.*setActiveReceiptRuleSet.*RuleSetName/);
    expect(activation[0]).toMatch(/Delete.*setActiveReceiptRuleSet/);
  });

  it('has no receipt rule (and warns at synth) without a reply domain', () => {
    // Act
    const withoutReplies = synth();

    // Assess
    withoutReplies.resourceCountIs('AWS::SES::ReceiptRule', 0);
    withoutReplies.resourceCountIs('Custom::AWS', 0);
  });
});

describe('deployment context', () => {
  it.each([
    [{ replyDomain: 'reply.example.com\r\nBcc: x' }, /replyDomain must not contain control characters/],
    [{ replyDomain: 'not a domain' }, /replyDomain must be a domain name/],
    [{ publicApiUrl: 'http://outreach.example.com/' }, /publicApiUrl must be an https URL/],
    [{ senderIdentity: 'example' }, /senderIdentity must be a domain or an address/],
  ])('refuses %o at synth', (context, message) => {
    // Act & Assess
    expect(() => synth(context as Record<string, string>)).toThrow(message);
  });
});
