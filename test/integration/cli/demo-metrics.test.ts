import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '#cli/demo';
import type { LocalStack } from '#local/stack';
import { AUTOMATED_CHANNELS, type OutreachMessage } from '#shared/domain/schemas';
import { listLeadMessages } from '#shared/store/outreach';
import { type MetricsReport, metricsReport } from '#shared/tracking/metrics-aggregates';

/** Statuses of a message the provider accepted (the send counted in `sent`). */
const ACCEPTED = new Set(['SENT', 'DELIVERED', 'BOUNCED', 'REPLIED']);

let stack: LocalStack;
let report: MetricsReport;
let messages: OutreachMessage[];

beforeAll(async () => {
  // Prepare: the demo's run, kept open so its store can be read back.
  const demo = await runDemo({
    leadsFile: path.resolve('examples/leads.csv'),
    progress: false,
    keepStack: true,
    write: () => undefined,
  });
  stack = demo.stack;
  messages = (await Promise.all(demo.leads.map((lead) => listLeadMessages(lead.leadId)))).flat();
  // Act: the metrics an operator reads right after the run (wall-clock today, the default 7-day window).
  report = await metricsReport(demo.report.campaignId, 7, Date.now());
}, 180_000);

afterAll(async () => {
  await stack?.close();
});

describe('metrics of the demo run', () => {
  it.each(AUTOMATED_CHANNELS)('hold the identities on %s: delivered + bounced ≤ sent, replied ≤ sent', (channel) => {
    // Assess
    const metrics = report.channels[channel];
    if (!metrics) throw new Error(`no metrics for ${channel}`);
    expect(metrics.delivered + metrics.bounced).toBeLessThanOrEqual(metrics.sent);
    expect(metrics.replied).toBeLessThanOrEqual(metrics.sent);
    expect(metrics.deliveryRate).toBeLessThanOrEqual(1);
  });

  it.each(AUTOMATED_CHANNELS)('count every stored %s message once, in its final state', (channel) => {
    // Prepare
    const mine = messages.filter((message) => message.channel === channel);
    const withStatus = (...statuses: string[]) => mine.filter((message) => statuses.includes(message.status)).length;

    // Assess: every accepted send is in the window, even those a compressed clock dated on later days.
    const metrics = report.channels[channel];
    expect(metrics?.sent, 'sent').toBe(mine.filter((message) => ACCEPTED.has(message.status)).length);
    expect(metrics?.bounced, 'bounced').toBe(withStatus('BOUNCED'));
    expect(metrics?.replied, 'replied').toBe(withStatus('REPLIED'));
    // EMAIL counts SES delivery receipts; LinkedIn and forms have none: an accepted send is the delivery.
    const delivered = channel === 'EMAIL' ? withStatus('DELIVERED', 'REPLIED') : withStatus('SENT', 'REPLIED');
    expect(metrics?.delivered, 'delivered').toBe(delivered);
  });

  it('has sent something on every channel (the identities are not vacuous)', () => {
    // Assess
    for (const channel of AUTOMATED_CHANNELS) expect(report.channels[channel]?.sent, channel).toBeGreaterThan(0);
    expect(report.totals.sent).toBe(messages.filter((message) => ACCEPTED.has(message.status)).length);
  });
});
