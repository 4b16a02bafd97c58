import type { Command } from 'commander';
import { type ApiCommandOptions, withApi } from '../api-session';
import { percent, table, writeJson, writeLines } from '../output';
import { asRecord, type Json, num, str } from './answers';
import { apiOptions, positiveInteger } from './options';

/** `cascade metrics`: per-channel counts and rates (docs/product.md §7). */

/** The channels of the answer, as a list (`[{channel, …}]`) or a map (`{EMAIL: {…}}`). */
function channelEntries(channels: unknown): [string, Json][] {
  return Array.isArray(channels)
    ? channels.map((entry) => [str(asRecord(entry).channel) ?? '?', asRecord(entry)])
    : Object.entries(asRecord(channels)).map(([channel, entry]) => [channel, asRecord(entry)]);
}

function printMetrics(response: Json): void {
  writeLines(
    table(
      ['channel', 'sent', 'delivered', 'replied', 'bounced', 'failed', 'delivery', 'reply', 'bounce'],
      channelEntries(response.channels).map(([channel, entry]) => [
        channel,
        num(entry.sent) ?? 0,
        num(entry.delivered) ?? 0,
        num(entry.replied) ?? 0,
        num(entry.bounced) ?? 0,
        num(entry.failed) ?? 0,
        percent(entry.deliveryRate),
        percent(entry.replyRate),
        percent(entry.bounceRate),
      ]),
    ),
  );
  const average = num(response.averageAttemptsPerLead);
  writeLines([
    `fallback rate ${percent(response.fallbackRate)} · average attempts per lead ${average === undefined ? '-' : average.toFixed(2)}`,
  ]);
}

export function registerMetrics(program: Command): void {
  apiOptions(
    program
      .command('metrics')
      .description('per-channel sent, delivered, replied, bounced, failed and rates (GET /v1/metrics/channels)')
      .option('--campaign <campaignId>', 'one campaign (default: all)')
      .option('--days <n>', 'the last n days (default 7)'),
  ).action(async (options: ApiCommandOptions & { campaign?: string; days?: string }) => {
    const days = positiveInteger(options.days, '--days');
    const response = asRecord(
      await withApi(options, ({ client }) => client.get('/metrics/channels', { campaignId: options.campaign, days })),
    );
    if (options.json) return writeJson(response);
    printMetrics(response);
  });
}
