import type * as z from 'zod';
import { newId } from '#shared/ids';
import { checkSenderHealth } from '#shared/senders/health';
import { LinkedInAccount, Sender } from '#shared/senders/schema';
import { resumeSender } from '#shared/senders/sender-health';
import {
  getLinkedInAccount,
  getSender,
  type LinkedInAccountPatch,
  listLinkedInAccounts,
  listSenders,
  putLinkedInAccount,
  putSender,
  type SenderPatch,
  updateLinkedInAccount,
  updateSender,
} from '#shared/store/senders';
import { nowIso } from '#shared/time/clock';
import { notFound } from '../errors';
import { defineRoute } from '../route';
import {
  CreateLinkedInAccountRequest,
  CreateSenderRequest,
  LinkedInAccountListResponse,
  LinkedInAccountParams,
  LinkedInAccountResponse,
  SenderHealthResponse,
  SenderListResponse,
  SenderParams,
  SenderResponse,
  UpdateLinkedInAccountRequest,
  UpdateSenderRequest,
} from '../schemas/senders';

/** Senders and LinkedIn accounts (PRODUCT.md §7, §10): the pools campaigns draw on, and a sender's health. */

const SENDERS = 'Senders';
const ACCOUNTS = 'LinkedIn accounts';

async function requireSender(senderId: string): Promise<Sender> {
  const sender = await getSender(senderId);
  if (!sender) throw notFound(`sender ${senderId}`);
  return sender;
}

async function requireLinkedInAccount(accountId: string): Promise<LinkedInAccount> {
  const account = await getLinkedInAccount(accountId);
  if (!account) throw notFound(`LinkedIn account ${accountId}`);
  return account;
}

/**
 * The store patch of a PUT: `null` removes a field (a key set to undefined), and a state the record is in
 * already is left out, so re-sending PAUSED keeps the reason and time of the original pause.
 */
function senderPatch(body: z.output<typeof UpdateSenderRequest>, current: Sender): SenderPatch {
  const { replyTo, warmup, state, pausedReason, ...rest } = body;
  return {
    ...rest,
    // A reason belongs to a pause: kept only with a move to PAUSED.
    ...(state === 'PAUSED' && current.state !== 'PAUSED' && pausedReason && { pausedReason }),
    ...(replyTo !== undefined && { replyTo: replyTo ?? undefined }),
    ...(warmup !== undefined && { warmup: warmup ?? undefined }),
    ...(state && state !== current.state && { state }),
  };
}

function accountPatch(body: z.output<typeof UpdateLinkedInAccountRequest>, current: LinkedInAccount) {
  const { state, pausedReason, ...rest } = body;
  const moves = state && state !== current.state;
  return {
    ...rest,
    ...(moves && { state }),
    ...(moves && state === 'PAUSED' && pausedReason && { pausedReason }),
  } satisfies LinkedInAccountPatch;
}

const senderRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/senders',
    operationId: 'listSenders',
    tag: SENDERS,
    summary: 'List the senders (email identities), by id',
    responses: { 200: { description: 'Every sender', schema: SenderListResponse } },
    async handle() {
      return { status: 200, body: { items: await listSenders() } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/senders',
    operationId: 'createSender',
    tag: SENDERS,
    summary: 'Add a sender',
    description: 'Defaults: dailyLimit 50, no warm-up (`warmup: {}` gives 10 a day + 5 per day), state ACTIVE.',
    idempotent: true,
    body: CreateSenderRequest,
    errors: [409],
    responses: { 201: { description: 'The sender', schema: SenderResponse } },
    async handle({ body }) {
      const now = nowIso();
      const sender = Sender.parse({ ...body, senderId: body.senderId ?? newId('snd'), createdAt: now, updatedAt: now });
      await putSender(sender);
      return { status: 201, body: sender, headers: { location: `/v1/senders/${sender.senderId}` } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/senders/{id}',
    operationId: 'getSender',
    tag: SENDERS,
    summary: 'Read a sender',
    params: SenderParams,
    responses: { 200: { description: 'The sender', schema: SenderResponse } },
    async handle({ params }) {
      return { status: 200, body: await requireSender(params.id) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/v1/senders/{id}',
    operationId: 'updateSender',
    tag: SENDERS,
    summary: "Change a sender's name, reply-to, limit, warm-up or state",
    description:
      'Only the fields given change. `state: PAUSED` stops its sends (with `pausedReason`); `state: ACTIVE` resumes a paused sender, whoever paused it, and counts its 7-day bounce and complaint rates afresh. Its address is its identity and cannot change: add another sender.',
    params: SenderParams,
    body: UpdateSenderRequest,
    responses: { 200: { description: 'The sender as changed', schema: SenderResponse } },
    async handle({ params, body }) {
      const current = await requireSender(params.id);
      const { state, ...patch } = senderPatch(body, current);
      // A resume also starts its 7-day health afresh, or the bounces that paused it would pause it again.
      if (state === 'ACTIVE') await resumeSender(current.senderId);
      return {
        status: 200,
        body: await updateSender(current.senderId, state === 'PAUSED' ? { ...patch, state } : patch),
      };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/senders/{id}/health',
    operationId: 'getSenderHealth',
    tag: SENDERS,
    summary: "Check a sender's deliverability: SPF, DKIM, DMARC, SES identity, warm-up",
    description:
      'Reads DNS (each lookup bounded to 2 s) and SES GetEmailIdentity; what cannot be read is `unknown`, so the answer is always 200.',
    params: SenderParams,
    responses: { 200: { description: 'The health report', schema: SenderHealthResponse } },
    async handle({ params }) {
      return { status: 200, body: await checkSenderHealth(await requireSender(params.id)) };
    },
  }),
];

const linkedInAccountRoutes = [
  defineRoute({
    method: 'GET',
    path: '/v1/linkedin-accounts',
    operationId: 'listLinkedInAccounts',
    tag: ACCOUNTS,
    summary: 'List the LinkedIn accounts, by id',
    responses: { 200: { description: 'Every LinkedIn account', schema: LinkedInAccountListResponse } },
    async handle() {
      return { status: 200, body: { items: await listLinkedInAccounts() } };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/v1/linkedin-accounts',
    operationId: 'createLinkedInAccount',
    tag: ACCOUNTS,
    summary: 'Add a LinkedIn account',
    description: 'Defaults: 20 invites a day, 100 a week, 50 messages a day, state ACTIVE.',
    idempotent: true,
    body: CreateLinkedInAccountRequest,
    errors: [409],
    responses: { 201: { description: 'The account', schema: LinkedInAccountResponse } },
    async handle({ body }) {
      const now = nowIso();
      const account = LinkedInAccount.parse({
        ...body,
        accountId: body.accountId ?? newId('li'),
        createdAt: now,
        updatedAt: now,
      });
      await putLinkedInAccount(account);
      return { status: 201, body: account, headers: { location: `/v1/linkedin-accounts/${account.accountId}` } };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/v1/linkedin-accounts/{id}',
    operationId: 'getLinkedInAccount',
    tag: ACCOUNTS,
    summary: 'Read a LinkedIn account',
    params: LinkedInAccountParams,
    responses: { 200: { description: 'The account', schema: LinkedInAccountResponse } },
    async handle({ params }) {
      return { status: 200, body: await requireLinkedInAccount(params.id) };
    },
  }),
  defineRoute({
    method: 'PUT',
    path: '/v1/linkedin-accounts/{id}',
    operationId: 'updateLinkedInAccount',
    tag: ACCOUNTS,
    summary: "Change a LinkedIn account's name, caps or state",
    description: 'Only the fields given change. `state: ACTIVE` resumes a paused account.',
    params: LinkedInAccountParams,
    body: UpdateLinkedInAccountRequest,
    responses: { 200: { description: 'The account as changed', schema: LinkedInAccountResponse } },
    async handle({ params, body }) {
      const current = await requireLinkedInAccount(params.id);
      return { status: 200, body: await updateLinkedInAccount(current.accountId, accountPatch(body, current)) };
    },
  }),
];

export const senderAndAccountRoutes = [...senderRoutes, ...linkedInAccountRoutes];
