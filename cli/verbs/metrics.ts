import { Argument, type Command } from 'commander';
import { type ApiCommandOptions, withApi } from '../api-session';
import { percent, table, writeJson, writeLines } from '../output';
import { asRecord, type Json, listFrom, num, str } from './answers';
import { apiOptions, positiveInteger } from './options';

/** `cascade metrics [variants]`: per-channel counts and rates (docs/product.md §7), or per A/B variant (§9). */

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

/** One row per step × variant; P(best) as a percentage, like the rates. */
function printVariantMetrics(response: Json): void {
  const rows = listFrom(response.steps).flatMap((step) =>
    listFrom(step.variants).map((variant) => [
      str(step.stepId) ?? '?',
      str(step.channel) ?? '-',
      str(variant.variantId) ?? '?',
      num(variant.weight) ?? '-',
      num(variant.sent) ?? 0,
      num(variant.delivered) ?? 0,
      num(variant.replied) ?? 0,
      num(variant.bounced) ?? 0,
      percent(variant.replyRate),
      percent(variant.bounceRate),
      percent(variant.probabilityBest),
    ]),
  );
  if (rows.length === 0) {
    writeLines([`no A/B variants in campaign ${str(response.campaignId) ?? '?'}`]);
    return;
  }
  writeLines(
    table(
      ['step', 'channel', 'variant', 'weight', 'sent', 'delivered', 'replied', 'bounced', 'reply', 'bounce', 'P(best)'],
      rows,
    ),
  );
  const method = str(response.method);
  if (method) writeLines([`P(best): ${method}`]);
}

type MetricsOptions = ApiCommandOptions & { campaign?: string; days?: string };

/**
 * `variants` is an argument, not a subcommand: commander lets a parent command take its own options (`--campaign`,
 * `--days`) before a subcommand sees them, so one command with a view argument reads them the same in any order.
 */
export function registerMetrics(program: Command): void {
  apiOptions(
    program
      .command('metrics')
      .description(
        'per-channel sent, delivered, replied, bounced, failed and rates (GET /v1/metrics/channels); ' +
          '`metrics variants --campaign <id>`: per step × A/B variant, with the probability of the best reply rate ' +
          '(GET /v1/metrics/variants)',
      )
      .addArgument(new Argument('[view]', 'what to measure').choices(['channels', 'variants']).default('channels'))
      .option('--campaign <campaignId>', 'one campaign (default: all; required for variants)')
      .option('--days <n>', 'the last n days (default 7)'),
  ).action(async (view: 'channels' | 'variants', options: MetricsOptions) => {
    const days = positiveInteger(options.days, '--days');
    if (view === 'variants' && !options.campaign) throw new Error('metrics variants needs --campaign <campaignId>');
    const path = view === 'variants' ? '/metrics/variants' : '/metrics/channels';
    const response = asRecord(
      await withApi(options, ({ client }) => client.get(path, { campaignId: options.campaign, days })),
    );
    if (options.json) return writeJson(response);
    if (view === 'variants') printVariantMetrics(response);
    else printMetrics(response);
  });
}
