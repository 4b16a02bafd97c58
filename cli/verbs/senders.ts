import type { Command } from 'commander';
import { type ApiCommandOptions, withApi } from '../api-session';
import { type Cell, cellText, table, writeJson, writeLines } from '../output';
import { asRecord, type Json, listFrom, num, str } from './answers';
import { apiOptions, positiveInteger, segment } from './options';

/**
 * `cascade senders add|list|get|set|check` and `cascade linkedin-accounts add|list` (PRODUCT.md §7, §10): the
 * email identities and LinkedIn seats campaigns draw on, and a sender's deliverability check.
 */

const STATES = ['ACTIVE', 'PAUSED'] as const;

interface SenderOptions extends ApiCommandOptions {
  name?: string;
  email?: string;
  replyTo?: string;
  dailyLimit?: string;
  warmup?: boolean;
  warmupStart?: string;
  warmupIncrease?: string;
  state?: string;
  reason?: string;
}

/** A count that may be 0 (a LinkedIn cap of 0 turns that action off). */
function wholeNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} "${value}" is not a whole number`);
  return n;
}

function stateOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const state = value.toUpperCase();
  if (!(STATES as readonly string[]).includes(state)) throw new Error(`--state "${value}" is not ACTIVE or PAUSED`);
  return state;
}

/** `--warmup-start`/`--warmup-increase` over what is stored (or the defaults): one flag keeps the other value. */
function warmupOf(options: SenderOptions, current: Json | undefined): Json | undefined {
  const start = positiveInteger(options.warmupStart, '--warmup-start');
  const increase = wholeNumber(options.warmupIncrease, '--warmup-increase');
  if (start === undefined && increase === undefined) return undefined;
  return {
    ...current,
    ...(start !== undefined && { startPerDay: start }),
    ...(increase !== undefined && { increasePerDay: increase }),
  };
}

const warmupText = (sender: Json) => {
  const warmup = asRecord(sender.warmup);
  return sender.warmup ? `${num(warmup.startPerDay) ?? '-'} + ${num(warmup.increasePerDay) ?? '-'}/day` : 'none';
};

const senderLine = (sender: Json) =>
  `sender ${str(sender.senderId) ?? '-'} <${str(sender.email) ?? '-'}> ${str(sender.state) ?? '-'}, ${num(sender.dailyLimit) ?? '-'}/day, warm-up ${warmupText(sender)}${sender.pausedReason ? ` (paused: ${str(sender.pausedReason)})` : ''}`;

function registerAdd(senders: Command): void {
  apiOptions(
    senders
      .command('add')
      .description('add a sender: an email identity campaigns send from (POST /v1/senders)')
      .argument('[senderId]', '1–64 letters, digits, - or _ (default: chosen by the API)')
      .requiredOption('--name <name>', 'the From display name')
      .requiredOption('--email <address>', 'the From address')
      .option('--reply-to <address>', 'Reply-To address')
      .option('--daily-limit <n>', 'mails per UTC day (default 50)')
      .option('--warmup', 'ramp up from the first send: 10 a day + 5 per day (change with the two flags below)')
      .option('--warmup-start <n>', 'warm-up: mails on the first day (implies --warmup)')
      .option('--warmup-increase <n>', 'warm-up: added per day since the first send (implies --warmup)')
      .option('--paused', 'add it PAUSED'),
  ).action(async (senderId: string | undefined, options: SenderOptions & { paused?: boolean }) => {
    const warmup = warmupOf(options, {}) ?? (options.warmup ? {} : undefined);
    const body = {
      ...(senderId && { senderId }),
      name: options.name,
      email: options.email,
      ...(options.replyTo && { replyTo: options.replyTo }),
      ...(options.dailyLimit && { dailyLimit: positiveInteger(options.dailyLimit, '--daily-limit') }),
      ...(warmup && { warmup }),
      ...(options.paused && { state: 'PAUSED' }),
    };
    const sender = asRecord(await withApi(options, ({ client }) => client.post('/senders', body)));
    if (options.json) return writeJson(sender);
    writeLines([`added ${senderLine(sender)}`]);
  });
}

function registerList(senders: Command): void {
  apiOptions(senders.command('list').description('list the senders (GET /v1/senders)')).action(
    async (options: ApiCommandOptions) => {
      const items = listFrom(await withApi(options, ({ client }) => client.get('/senders')), 'items');
      if (options.json) return writeJson({ items });
      if (items.length === 0) return writeLines(['no senders']);
      writeLines(
        table(
          ['sender', 'name', 'email', 'state', 'per day', 'warm-up', 'first send'],
          items.map((sender) => [
            str(sender.senderId),
            str(sender.name),
            str(sender.email),
            str(sender.state),
            num(sender.dailyLimit),
            warmupText(sender),
            str(sender.firstSendDay),
          ]),
        ),
      );
    },
  );
}

function registerGet(senders: Command): void {
  apiOptions(senders.command('get').description('show a sender (GET /v1/senders/{id})').argument('<senderId>')).action(
    async (senderId: string, options: ApiCommandOptions) => {
      const sender = asRecord(await withApi(options, ({ client }) => client.get(`/senders/${segment(senderId)}`)));
      if (options.json) return writeJson(sender);
      writeLines(senderFields(sender));
    },
  );
}

function senderFields(sender: Json): string[] {
  const fields: [string, Cell][] = [
    ['sender', str(sender.senderId)],
    ['name', str(sender.name)],
    ['email', str(sender.email)],
    ['reply-to', str(sender.replyTo)],
    ['state', `${str(sender.state) ?? '-'}${sender.pausedReason ? ` (${str(sender.pausedReason)})` : ''}`],
    ['daily limit', num(sender.dailyLimit)],
    ['warm-up', warmupText(sender)],
    ['first send', str(sender.firstSendDay)],
  ];
  return fields.map(([field, value]) => `${field}: ${cellText(value)}`);
}

function registerSet(senders: Command): void {
  apiOptions(
    senders
      .command('set')
      .description("change a sender's name, reply-to, limit, warm-up or state (PUT /v1/senders/{id})")
      .argument('<senderId>')
      .option('--name <name>', 'the From display name')
      .option('--reply-to <address>', 'Reply-To address ("none" removes it)')
      .option('--daily-limit <n>', 'mails per UTC day')
      .option('--warmup-start <n>', 'warm-up: mails on the first day')
      .option('--warmup-increase <n>', 'warm-up: added per day since the first send')
      .option('--no-warmup', 'end the warm-up: the daily limit applies at once')
      .option('--state <state>', 'ACTIVE (resumes a paused sender) | PAUSED')
      .option('--reason <text>', 'with --state PAUSED: why'),
  ).action(async (senderId: string, options: SenderOptions) => {
    const state = stateOption(options.state);
    const dailyLimit = positiveInteger(options.dailyLimit, '--daily-limit');
    const sender = asRecord(
      await withApi(options, async ({ client }) => {
        const path = `/senders/${segment(senderId)}`;
        const needsCurrent = options.warmupStart !== undefined || options.warmupIncrease !== undefined;
        const current = needsCurrent ? asRecord(await client.get(path)) : {};
        const warmup = options.warmup === false ? null : warmupOf(options, asRecord(current.warmup));
        const body = {
          ...(options.name && { name: options.name }),
          ...(options.replyTo && { replyTo: options.replyTo === 'none' ? null : options.replyTo }),
          ...(dailyLimit !== undefined && { dailyLimit }),
          ...(warmup !== undefined && { warmup }),
          ...(state && { state }),
          ...(options.reason && { pausedReason: options.reason }),
        };
        if (Object.keys(body).length === 0) throw new Error('nothing to change: give at least one option');
        return client.put(path, body);
      }),
    );
    if (options.json) return writeJson(sender);
    writeLines([senderLine(sender)]);
  });
}

/** One row per check, then what to fix. */
function healthLines(health: Json): string[] {
  const rows: Cell[][] = [
    ['SPF', str(health.spf), str(health.spfDomain)],
    ['DKIM', str(health.dkim), (Array.isArray(health.dkimSelectors) ? health.dkimSelectors : []).join(', ')],
    ['DMARC', str(health.dmarc), health.dmarcPolicy ? `p=${str(health.dmarcPolicy)}` : ''],
    ['alignment', flag(health.aligned), `spf ${flag(health.spfAligned)}, dkim ${flag(health.dkimAligned)}`],
    [
      'SES identity',
      flag(health.sesVerifiedForSending, 'verified', 'not verified'),
      `${str(health.sesIdentity) ?? '-'}, DKIM ${str(health.sesDkimStatus) ?? '-'}`,
    ],
    ['bounce rate 7d', rate(health.bounceRate7d), ''],
    ['complaint rate 7d', rate(health.complaintRate7d), ''],
    ['state', str(health.state), str(health.pausedReason)],
    [
      'today',
      `${num(health.warmupLimitToday) ?? '-'} mails`,
      `${str(health.day) ?? ''} (daily limit ${num(health.dailyLimit) ?? '-'})`,
    ],
  ];
  const problems = Array.isArray(health.problems) ? health.problems.map(String) : [];
  return [
    `sender ${str(health.senderId) ?? '-'} <${str(health.email) ?? '-'}>: ${str(health.overall) ?? '-'}`,
    ...table(['check', 'result', 'detail'], rows),
    ...problems.map((problem) => `- ${problem}`),
  ];
}

const flag = (value: unknown, yes = 'yes', no = 'no') => (value === true ? yes : value === false ? no : 'unknown');
const rate = (value: unknown) => (typeof value === 'number' ? `${(value * 100).toFixed(2)}%` : 'not measured');

function registerCheck(senders: Command): void {
  apiOptions(
    senders
      .command('check')
      .description("check a sender's SPF, DKIM, DMARC, SES identity and warm-up (GET /v1/senders/{id}/health)")
      .argument('<senderId>'),
  ).action(async (senderId: string, options: ApiCommandOptions) => {
    const health = asRecord(await withApi(options, ({ client }) => client.get(`/senders/${segment(senderId)}/health`)));
    if (options.json) return writeJson(health);
    writeLines(healthLines(health));
  });
}

export function registerSenders(program: Command): void {
  const senders = program
    .command('senders')
    .description('senders: the email identities campaigns send from, their limits, warm-up and health');
  registerAdd(senders);
  registerList(senders);
  registerGet(senders);
  registerSet(senders);
  registerCheck(senders);
}

interface AccountOptions extends ApiCommandOptions {
  name?: string;
  dailyInvites?: string;
  weeklyInvites?: string;
  dailyMessages?: string;
}

const accountLine = (account: Json) =>
  `LinkedIn account ${str(account.accountId) ?? '-'} ${str(account.state) ?? '-'}: ${num(account.dailyInvites) ?? '-'} invites/day, ${num(account.weeklyInvites) ?? '-'}/week, ${num(account.dailyMessages) ?? '-'} messages/day`;

export function registerLinkedInAccounts(program: Command): void {
  const accounts = program
    .command('linkedin-accounts')
    .description('LinkedIn accounts campaigns act from, with their invite and message caps');
  apiOptions(
    accounts
      .command('add')
      .description('add a LinkedIn account (POST /v1/linkedin-accounts)')
      .argument('[accountId]', '1–64 letters, digits, - or _ (default: chosen by the API)')
      .option('--name <name>', 'a label')
      .option('--daily-invites <n>', 'invitations per UTC day (default 20)')
      .option('--weekly-invites <n>', 'invitations per 7 days (default 100)')
      .option('--daily-messages <n>', 'messages per UTC day (default 50)'),
  ).action(async (accountId: string | undefined, options: AccountOptions) => {
    const caps = {
      dailyInvites: wholeNumber(options.dailyInvites, '--daily-invites'),
      weeklyInvites: wholeNumber(options.weeklyInvites, '--weekly-invites'),
      dailyMessages: wholeNumber(options.dailyMessages, '--daily-messages'),
    };
    const body = {
      ...(accountId && { accountId }),
      ...(options.name && { name: options.name }),
      ...Object.fromEntries(Object.entries(caps).filter(([, value]) => value !== undefined)),
    };
    const account = asRecord(await withApi(options, ({ client }) => client.post('/linkedin-accounts', body)));
    if (options.json) return writeJson(account);
    writeLines([`added ${accountLine(account)}`]);
  });
  apiOptions(accounts.command('list').description('list the LinkedIn accounts (GET /v1/linkedin-accounts)')).action(
    async (options: ApiCommandOptions) => {
      const items = listFrom(await withApi(options, ({ client }) => client.get('/linkedin-accounts')), 'items');
      if (options.json) return writeJson({ items });
      if (items.length === 0) return writeLines(['no LinkedIn accounts']);
      writeLines(
        table(
          ['account', 'name', 'state', 'invites/day', 'invites/week', 'messages/day'],
          items.map((account) => [
            str(account.accountId),
            str(account.name),
            str(account.state),
            num(account.dailyInvites),
            num(account.weeklyInvites),
            num(account.dailyMessages),
          ]),
        ),
      );
    },
  );
}
