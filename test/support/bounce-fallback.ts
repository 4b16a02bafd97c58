import type { LocalStack } from '#local/stack';
import { ChannelConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { putAccountLimits, putChannelConfig } from '#shared/store/config';
import { createLead, putCampaign } from '#shared/store/leads';
import { testCampaign, testLead } from '#test/support/fixtures';

/**
 * One lead whose email bounces (SES mailbox simulator) and who is CONNECTED on LinkedIn, through the default
 * sequence on the embedded stack: the channel it ends on says whether the bounce came back through the SES
 * events rule (LINKEDIN) or not (EMAIL: `Check Delivery` takes silence for delivery).
 */
export async function runBouncingLead(stack: LocalStack, campaignId: string): Promise<string | undefined> {
  await putAccountLimits({ globalPerDay: 1_000, perDomainPerDay: 100, leadCooldownHours: 24 });
  await putCampaign(testCampaign(campaignId, { minGrade: 'D' }));
  // LinkedIn enabled with the default retry policy, without spacing so the fallback is not held back.
  const settings = { minSpacingSeconds: 0, maxSpacingSeconds: 0 };
  const rateLimits = { perHour: 100, perDay: 100 };
  await putChannelConfig(ChannelConfig.parse({ channel: 'LINKEDIN', scope: campaignId, rateLimits, settings }));
  const leadId = `${campaignId}-lead`;
  stack.linkedin.seedProfile({ publicIdentifier: `${campaignId}-member`, status: 'CONNECTED' });
  await createLead(
    testLead({
      leadId,
      campaignId,
      email: 'bounce@simulator.amazonses.com',
      linkedinUrl: `https://www.linkedin.com/in/${campaignId}-member`,
      linkedinConnectionStatus: 'CONNECTED',
    }),
  );
  const { executions } = await launchBatch({ campaignId });
  await stack.stepFunctions.drain();
  const execution = stack.stepFunctions.get(String(executions[0]));
  return (JSON.parse(execution?.output ?? '{}') as { channelUsed?: string }).channelUsed;
}
