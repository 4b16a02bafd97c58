import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '#local/stack';
import { ChannelConfig, type Lead, SequenceConfig } from '#shared/domain/schemas';
import { launchBatch } from '#shared/outreach/launcher';
import { readSchedulePreview } from '#shared/outreach/schedule-preview';
import { placeOf } from '#shared/outreach/send-window';
import { ANY_HOUR_SCHEDULE, DEFAULT_SCHEDULE } from '#shared/schedule/schema';
import { windowAt } from '#shared/schedule/window';
import { putChannelConfig } from '#shared/store/config';
import { createLead, putCampaign } from '#shared/store/leads';
import { listLeadMessages } from '#shared/store/outreach';
import { runWithClock } from '#shared/time/clock';
import { testCampaign, testLead } from '#test/support/fixtures';

/**
 * Issue 14's acceptance: the schedule preview of a campaign matches, UTC day by UTC day, what a scaled-clock run
 * of the same campaign then sends. Default schedule (Mon–Fri 09–17 in the lead's zone, holidays skipped), one
 * EMAIL step, 3 mails a day: the leads spread over a Sunday, Japan's Coming of Age Day (Monday 11 January 2027)
 * and the daily limit.
 *
 * The run's jitter (0–15 min after a window opens, 0–5 min after a rate bucket resets) cannot move a send into
 * another UTC day here: every opening and reset it follows is at least 10 h before its UTC day ends.
 */

/**
 * Sunday 10 January 2027, 00:00 UTC: every lead's window is shut until Monday 08:00 UTC (09:00 in Berlin), so
 * warming up, seeding, previewing and launching may take up to 32 virtual hours (21 real seconds) without
 * changing what the preview assumed.
 */
const SUNDAY = Date.parse('2027-01-10T00:00:00Z');
/**
 * 1.5 virtual hours a real second: the run, to Wednesday 01:00 UTC (~73 virtual hours), takes ~49 s; a function
 * invocation's real second or two (hours at a higher scale) stays well inside the 8-hour windows.
 */
const TIME_SCALE = 5_400;
const HORIZON_DAYS = 4;
const CAMPAIGN = 'preview-run';

const PLACES: { prefix: string; count: number; timezone?: string; country?: string }[] = [
  { prefix: 'tyo', count: 4, timezone: 'Asia/Tokyo', country: 'JP' },
  { prefix: 'ber', count: 1, timezone: 'Europe/Berlin', country: 'DE' },
  { prefix: 'nyc', count: 1, timezone: 'America/New_York', country: 'US' },
  { prefix: 'nozone', count: 1 },
];

/** Each lead at a domain of its own, so the per-domain limit plays no part. */
const LEADS: Lead[] = PLACES.flatMap(({ prefix, count, timezone, country }) =>
  Array.from({ length: count }, (_, index) =>
    testLead({
      leadId: `lead-${prefix}-${index + 1}`,
      campaignId: CAMPAIGN,
      firstName: `${prefix}${index + 1}`,
      email: `${prefix}${index + 1}@${prefix}${index + 1}.example`,
      ...(timezone && { timezone }),
      ...(country && { country }),
    }),
  ),
);

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ timeScale: TIME_SCALE, clockStartMs: SUNDAY });
  await warmUp();
}, 120_000);
afterAll(() => stack?.close());

/**
 * One mail through an any-hour campaign first, so every function the run invokes has its sandbox started. A cold
 * start lasts seconds of real time, hours of virtual time, and `Wait Before Retry` counts the step's
 * `retryWaitSeconds` from when it is entered (after the function returned), not from the instant the function
 * computed them at: without the warm-up the first waits ended up to 11 virtual hours after the window opening
 * they aimed at (at 10,800×), and a whole Monday window was missed.
 */
async function warmUp(): Promise<void> {
  const campaign = testCampaign('warm-up', {
    schedule: ANY_HOUR_SCHEDULE,
    sequence: SequenceConfig.parse({ steps: [{ channel: 'EMAIL' }] }),
  });
  await runWithClock(stack.clock, async () => {
    await putCampaign(campaign);
    await createLead(testLead({ leadId: 'lead-warm-up', campaignId: 'warm-up', email: 'warm@warm-up.example' }));
    await launchBatch({ campaignId: 'warm-up', stateMachineArn: stack.stateMachineArn });
  });
  await stack.stepFunctions.drain();
}

const utcDay = (iso: string) => iso.slice(0, 10);

describe('the schedule preview against a --time-scale run', () => {
  it('plans, day by day, exactly what the run then sends, each mail inside its lead window', async () => {
    // Prepare: the campaign, its 3-a-day EMAIL config and the leads; the preview read at the stack's clock.
    const campaign = testCampaign(CAMPAIGN, {
      schedule: DEFAULT_SCHEDULE,
      sequence: SequenceConfig.parse({ steps: [{ channel: 'EMAIL' }] }),
    });
    const preview = await runWithClock(stack.clock, async () => {
      await putCampaign(campaign);
      await putChannelConfig(
        ChannelConfig.parse({ channel: 'EMAIL', scope: CAMPAIGN, rateLimits: { perHour: 50, perDay: 3 } }),
      );
      for (const lead of LEADS) await createLead(lead);
      return readSchedulePreview(campaign, HORIZON_DAYS);
    });

    // Act
    const report = await runWithClock(stack.clock, () =>
      launchBatch({ campaignId: CAMPAIGN, stateMachineArn: stack.stateMachineArn }),
    );
    await stack.stepFunctions.drain();

    // Assess: the preview spreads the leads over the horizon.
    expect(report.started).toBe(LEADS.length);
    expect(preview).toMatchObject({ waiting: LEADS.length, unreachable: 0, unscheduled: 0, atMaxTouches: 0 });
    const planned = preview.days.map((day) => [
      day.date,
      day.channels.find((cell) => cell.channel === 'EMAIL')?.scheduled ?? 0,
    ]);
    // Monday (a holiday in Tokyo): Berlin, the zoneless lead (UTC), New York; Tuesday: three Tokyo leads from
    // 09:00 in Tokyo (00:00 UTC), the fourth refused by the daily limit; Wednesday: the fourth.
    expect(planned).toEqual([
      ['2027-01-10', 0],
      ['2027-01-11', 3],
      ['2027-01-12', 3],
      ['2027-01-13', 1],
    ]);

    // The run sent one mail to each lead, as many on each UTC day as the preview planned.
    const sent = await Promise.all(
      LEADS.map(async (lead) => ({ lead, messages: await listLeadMessages(lead.leadId) })),
    );
    const sentAts = sent.flatMap(({ lead, messages }) =>
      messages.flatMap((message) => (message.sentAt ? [{ lead, sentAt: message.sentAt }] : [])),
    );
    expect(sentAts.map(({ lead }) => lead.leadId).sort()).toEqual(LEADS.map((lead) => lead.leadId).sort());
    const sentPerDay = preview.days.map((day) => [
      day.date,
      sentAts.filter(({ sentAt }) => utcDay(sentAt) === day.date).length,
    ]);
    expect(sentPerDay).toEqual(planned);

    // Every mail went inside its lead's window (local working hours, not a holiday there).
    const outside = sentAts.filter(
      ({ lead, sentAt }) => !windowAt(DEFAULT_SCHEDULE, placeOf(DEFAULT_SCHEDULE, lead), Date.parse(sentAt)).open,
    );
    expect(outside.map(({ lead, sentAt }) => `${lead.leadId} ${sentAt}`)).toEqual([]);
  }, 180_000);
});
