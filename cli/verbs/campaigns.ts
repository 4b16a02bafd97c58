import type { Command } from 'commander';
import { newIdempotencyKey } from '../api-client';
import { type ApiCommandOptions, withApi } from '../api-session';
import { table, writeJson, writeLines } from '../output';
import { asArray, asRecord, type Json, num, str } from './answers';
import { registerCampaignLeads } from './campaign-leads';
import { apiOptions, positiveInteger, readJsonFile, segment } from './options';

/** `cascade campaigns create|get|pause|resume|sequence|leads|preview` (docs/product.md §7). */

interface CampaignCreateOptions extends ApiCommandOptions {
  file?: string;
  id?: string;
  name?: string;
  senderName?: string;
  senderEmail?: string;
  senderCompany?: string;
  replyTo?: string;
  minGrade?: string;
  paused?: boolean;
}

function campaignLines(campaign: Json): string[] {
  const sender = asRecord(campaign.sender);
  const sequence = asRecord(campaign.sequence);
  const steps = asArray(sequence.steps)
    .map((step) => str(asRecord(step).channel))
    .filter(Boolean);
  return table(
    ['field', 'value'],
    [
      ['campaignId', str(campaign.campaignId)],
      ['name', str(campaign.name)],
      ['state', str(campaign.state)],
      ['minGrade', str(campaign.minGrade)],
      ['sender', [str(sender.name), str(sender.email) && `<${str(sender.email)}>`].filter(Boolean).join(' ')],
      ['sequence', steps.length ? `v${str(sequence.version) ?? '1'}: ${steps.join(' → ')}` : undefined],
      ['createdAt', str(campaign.createdAt)],
      ['updatedAt', str(campaign.updatedAt)],
    ],
  );
}

/** The campaign in a response (`{...campaign}` or `{campaign: {...}}`). */
function campaignFrom(response: unknown): Json {
  const record = asRecord(response);
  return 'campaign' in record ? asRecord(record.campaign) : record;
}

/** The `--file` JSON with the flags laid over it. */
function campaignBody(options: CampaignCreateOptions): Json {
  const body: Json = options.file ? { ...asRecord(readJsonFile(options.file)) } : {};
  if (options.id) body.campaignId = options.id;
  if (options.name) body.name = options.name;
  const sender = { ...asRecord(body.sender) };
  if (options.senderName) sender.name = options.senderName;
  if (options.senderEmail) sender.email = options.senderEmail;
  if (options.senderCompany) sender.company = options.senderCompany;
  if (options.replyTo) sender.replyTo = options.replyTo;
  if (Object.keys(sender).length > 0) body.sender = sender;
  if (options.minGrade) body.minGrade = options.minGrade.toUpperCase();
  if (options.paused) body.state = 'PAUSED';
  return body;
}

/** Prints the campaign a request answers: JSON, or `<verb> campaign <id>` and a field table. */
async function printCampaign(options: ApiCommandOptions, request: () => Promise<unknown>, verb?: string) {
  const campaign = campaignFrom(await request());
  if (options.json) return writeJson(campaign);
  if (verb) writeLines([`${verb} campaign ${str(campaign.campaignId) ?? ''}`.trimEnd()]);
  writeLines(campaignLines(campaign));
  const sequences = campaign.sequences as { resumed?: number; keptParked?: number } | undefined;
  if (sequences)
    writeLines([`sequences restarted: ${sequences.resumed ?? 0}, left paused: ${sequences.keptParked ?? 0}`]);
}

function registerCreate(campaigns: Command): void {
  apiOptions(
    campaigns
      .command('create')
      .description('create a campaign (POST /v1/campaigns); flags override the fields of --file')
      .option('--file <json>', 'campaign JSON (name, sender, templates, sequence, minGrade); - reads stdin')
      .option('--id <campaignId>', 'the campaign id (default: one the API assigns)')
      .option('--name <name>', 'campaign name')
      .option('--sender-name <name>', "the sender's name")
      .option('--sender-email <email>', "the sender's email address (a verified SES identity in AWS)")
      .option('--sender-company <company>', "the sender's company")
      .option('--reply-to <email>', 'reply-to address')
      .option('--min-grade <grade>', 'lowest lead grade a batch enrols: A, B, C or D (default C)')
      .option('--paused', 'create it PAUSED'),
  ).action(async (options: CampaignCreateOptions) => {
    const body = campaignBody(options);
    await withApi(options, ({ client }) =>
      printCampaign(options, () => client.post('/campaigns', body, { idempotencyKey: newIdempotencyKey() }), 'created'),
    );
  });
}

/** The held-back columns of the preview table, in the order the API lists them. */
const HELD_COLUMNS: [field: string, header: string][] = [
  ['outsideWindow', 'window'],
  ['holiday', 'holiday'],
  ['rateLimit', 'hour'],
  ['dailyLimit', 'day'],
  ['globalLimit', 'global'],
  ['domainLimit', 'domain'],
  ['cooldown', 'cooldown'],
  ['senderLimit', 'sender'],
  ['senderPaused', 'paused'],
];

/** One row per UTC day × channel × sender: sent, then each held-back reason; the lead totals below. */
function printSchedulePreview(preview: Json): void {
  const rows = asArray(preview.days).flatMap((day) =>
    asArray(asRecord(day).channels).map((entry) => {
      const cell = asRecord(entry);
      const held = asRecord(cell.heldBack);
      return [
        str(asRecord(day).date),
        str(cell.channel),
        str(cell.sender),
        num(cell.scheduled),
        ...HELD_COLUMNS.map(([field]) => num(held[field])),
      ];
    }),
  );
  writeLines([
    `schedule preview of campaign ${str(preview.campaignId) ?? ''} from ${str(preview.from) ?? '-'} (UTC days)`,
  ]);
  writeLines(table(['date', 'channel', 'sender', 'sent', ...HELD_COLUMNS.map(([, header]) => `held:${header}`)], rows));
  const total = (field: string) => num(preview[field]) ?? 0;
  writeLines([
    `waiting ${total('waiting')}, in flight ${total('inFlight')} (not simulated), unreachable ${total('unreachable')}, ` +
      `at max touches ${total('atMaxTouches')}, not sent within ${total('horizonDays')} days ${total('unscheduled')}`,
  ]);
}

function registerPreview(campaigns: Command): void {
  apiOptions(
    campaigns
      .command('preview')
      .description(
        "what the campaign's waiting leads would send per UTC day × channel × sender, and what holds the rest " +
          'back (GET /v1/campaigns/{id}/schedule-preview); sends nothing',
      )
      .argument('<campaignId>')
      .option('--days <n>', 'UTC days to simulate, today included: 1–31 (default 14)'),
  ).action(async (campaignId: string, options: ApiCommandOptions & { days?: string }) => {
    const days = positiveInteger(options.days, '--days');
    const preview = asRecord(
      await withApi(options, ({ client }) =>
        client.get(`/campaigns/${segment(campaignId)}/schedule-preview`, { days }),
      ),
    );
    if (options.json) return writeJson(preview);
    printSchedulePreview(preview);
  });
}

export function registerCampaigns(program: Command): void {
  const campaigns = program.command('campaigns').description('create, read, pause and resume campaigns');
  registerCreate(campaigns);

  apiOptions(
    campaigns.command('get').description('show a campaign (GET /v1/campaigns/{id})').argument('<campaignId>'),
  ).action(async (campaignId: string, options: ApiCommandOptions) => {
    await withApi(options, ({ client }) =>
      printCampaign(options, () => client.get(`/campaigns/${segment(campaignId)}`)),
    );
  });

  for (const [verb, past] of [
    ['pause', 'paused'],
    ['resume', 'resumed'],
  ] as const) {
    apiOptions(
      campaigns
        .command(verb)
        .description(`${verb} a campaign (POST /v1/campaigns/{id}/${verb})`)
        .argument('<campaignId>'),
    ).action(async (campaignId: string, options: ApiCommandOptions) => {
      await withApi(options, ({ client }) =>
        printCampaign(options, () => client.post(`/campaigns/${segment(campaignId)}/${verb}`), past),
      );
    });
  }

  apiOptions(
    campaigns
      .command('sequence')
      .description("replace a campaign's sequence (PUT /v1/campaigns/{id}/sequence); new leads get the new version")
      .argument('<campaignId>')
      .requiredOption('--file <json>', 'SequenceConfig JSON {steps:[{channel, waitHoursBefore, maxRetries, …}], …}'),
  ).action(async (campaignId: string, options: ApiCommandOptions & { file: string }) => {
    const body = readJsonFile(options.file);
    await withApi(options, ({ client }) =>
      printCampaign(options, () => client.put(`/campaigns/${segment(campaignId)}/sequence`, body), 'updated'),
    );
  });

  registerSchedule(campaigns);
  registerCampaignLeads(campaigns);
  registerPreview(campaigns);
}

interface ScheduleOptions extends ApiCommandOptions {
  file?: string;
  days?: string;
  start?: string;
  end?: string;
  timezone?: string;
  fallbackTimezone?: string;
  holidays: boolean;
}

/** `cascade campaigns schedule <id>`: the send window from a file, or from options over the default (Mon–Fri 09–17). */
function registerSchedule(campaigns: Command): void {
  apiOptions(
    campaigns
      .command('schedule')
      .description("replace a campaign's send window, read in each lead's zone (PUT /v1/campaigns/{id}/schedule)")
      .argument('<campaignId>')
      .option('--file <json>', 'SendSchedule JSON {days, start, end, timezone, fallbackTimezone, skipHolidays}')
      .option('--days <list>', 'comma-separated weekdays, e.g. MON,TUE,WED,THU,FRI')
      .option('--start <HH:MM>', 'local opening time (default 09:00)')
      .option(
        '--end <HH:MM>',
        'local closing time (default 17:00; earlier than start crosses midnight; 24:00 = midnight)',
      )
      .option('--timezone <zone>', '"lead" (default: each lead\'s own zone) or an IANA zone for every lead')
      .option('--fallback-timezone <zone>', 'the zone of leads without one (default UTC)')
      .option('--no-holidays', "send on the public holidays of the lead's country too"),
  ).action(async (campaignId: string, options: ScheduleOptions) => {
    const body = options.file
      ? readJsonFile(options.file)
      : {
          ...(options.days && { days: options.days.split(',').map((day) => day.trim().toUpperCase()) }),
          ...(options.start && { start: options.start }),
          ...(options.end && { end: options.end }),
          ...(options.timezone && { timezone: options.timezone }),
          ...(options.fallbackTimezone && { fallbackTimezone: options.fallbackTimezone }),
          skipHolidays: options.holidays,
        };
    await withApi(options, ({ client }) =>
      printCampaign(options, () => client.put(`/campaigns/${segment(campaignId)}/schedule`, body), 'updated'),
    );
  });
}
