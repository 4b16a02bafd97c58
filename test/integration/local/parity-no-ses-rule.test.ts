import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { runBouncingLead } from '#test/support/bounce-fallback';

/**
 * Without the SES events rule (taken out of the synthesized template), SES still publishes the bounce to the
 * default bus but nothing routes it: `Check Delivery` takes silence for delivery and the email counts as sent —
 * exactly what a rule that never matched would do in AWS.
 */
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    pauseMs: 1,
    alterTemplate: (template) => {
      const rule = Object.keys(template.Resources).find((id) => id.startsWith('SesEventsRule'));
      if (!rule) throw new Error('the template has no SesEventsRule');
      delete template.Resources[rule];
    },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

describe('a stack without the SES events rule', () => {
  it('never learns of the bounce: the lead ends "sent" by email, no fallback', async () => {
    // Act
    const channel = await runBouncingLead(stack, 'no-rule');

    // Assess
    expect(stack.eventBridge.rules.some((rule) => rule.name.startsWith('SesEventsRule'))).toBe(false);
    expect(channel).toBe('EMAIL');
  });
});
