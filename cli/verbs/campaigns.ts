import type { Command } from 'commander';
import { newIdempotencyKey } from '../api-client';
import { type ApiCommandOptions, withApi } from '../api-session';
import { table, writeJson, writeLines } from '../output';
import { asArray, asRecord, type Json, str } from './answers';
import { registerCampaignLeads } from './campaign-leads';
import { apiOptions, readJsonFile, segment } from './options';

/** `cascade campaigns create|get|pause|resume|sequence|leads` (docs/product.md §7). */

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

  registerCampaignLeads(campaigns);
}
