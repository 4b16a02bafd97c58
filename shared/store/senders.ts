import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { CodedError } from '../errors';
import { LinkedInAccount, Sender, type SendingState } from '../senders/schema';
import { nowIso } from '../time/clock';
import { documentClient, ifConditionHolds } from './client';
import { ACCOUNT_SCOPE } from './config';
import { queryAll } from './paginate';
import { tableName } from './tables';
import { buildSetExpression } from './update-expression';

/**
 * Senders and LinkedIn accounts in the config table, account-wide like the limits: pk `ACCOUNT`, sk
 * `SENDER#<id>` / `LIACCOUNT#<id>`, so one query lists each kind. Every write is conditional: a create never
 * overwrites, an update never resurrects a record that does not exist.
 */

export class SenderExistsError extends CodedError('SenderExistsError', 'sender_exists', 'conflict') {}
export class SenderNotFoundError extends CodedError('SenderNotFoundError', 'not_found', 'not_found') {}
export class LinkedInAccountExistsError extends CodedError(
  'LinkedInAccountExistsError',
  'linkedin_account_exists',
  'conflict',
) {}
export class LinkedInAccountNotFoundError extends CodedError(
  'LinkedInAccountNotFoundError',
  'not_found',
  'not_found',
) {}

const SENDER_PREFIX = 'SENDER#';
const ACCOUNT_PREFIX = 'LIACCOUNT#';
const senderKey = (senderId: string) => ({ pk: ACCOUNT_SCOPE, sk: `${SENDER_PREFIX}${senderId}` });
const accountKey = (accountId: string) => ({ pk: ACCOUNT_SCOPE, sk: `${ACCOUNT_PREFIX}${accountId}` });

function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record;
}

/** What an update may change on a sender; a key given as `undefined` removes that attribute. */
export type SenderPatch = Partial<Pick<Sender, 'name' | 'replyTo' | 'dailyLimit' | 'warmup' | 'state'>> & {
  /** Kept with a pause (the operator's or the health check's words); dropped on resume. */
  pausedReason?: string;
};

export type LinkedInAccountPatch = Partial<
  Pick<LinkedInAccount, 'name' | 'dailyInvites' | 'weeklyInvites' | 'dailyMessages' | 'state'>
> & { pausedReason?: string };

/** The outcome of a state change: the record as stored, and whether this call changed it. */
export interface StateChange<T> {
  record: T;
  changed: boolean;
}

// ---- senders

/** Stores a new sender; throws SenderExistsError when the id is taken. */
export async function putSender(sender: Sender): Promise<void> {
  const created = await ifConditionHolds(() =>
    documentClient().send(
      new PutCommand({
        TableName: tableName('config'),
        Item: { ...senderKey(sender.senderId), ...Sender.parse(sender) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  if (!created) throw new SenderExistsError(`sender ${sender.senderId} already exists`);
}

export async function getSender(senderId: string): Promise<Sender | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('config'), Key: senderKey(senderId), ConsistentRead: true }),
  );
  return Item ? Sender.parse(withoutKeys(Item)) : undefined;
}

/** Every sender, by id (an account has a handful: one query, all pages). */
export async function listSenders(): Promise<Sender[]> {
  const items = await queryPrefix(SENDER_PREFIX);
  return items.map((item) => Sender.parse(withoutKeys(item)));
}

/**
 * Applies `patch` to an existing sender (throws SenderNotFoundError otherwise). A state in the patch moves the
 * pause fields with it: PAUSED records `pausedReason` (default `operator`) and `pausedAt`, ACTIVE removes them.
 */
export async function updateSender(senderId: string, patch: SenderPatch): Promise<Sender> {
  const { pausedReason, ...fields } = patch;
  const pause = patch.state ? pauseFields(patch.state, pausedReason) : {};
  const updated = await updateExisting(senderKey(senderId), { ...fields, ...pause }, EXISTS);
  if (!updated) throw new SenderNotFoundError(`sender ${senderId} does not exist`);
  return Sender.parse(withoutKeys(updated));
}

/**
 * Moves a sender to `state` unless it is there already (the auto-pause of the send path calls this: only the
 * call that changed it reports `changed`, so the alert and the `sender.paused` event go out once).
 */
export async function setSenderState(
  senderId: string,
  state: SendingState,
  reason?: string,
): Promise<StateChange<Sender>> {
  const updated = await updateExisting(senderKey(senderId), { state, ...pauseFields(state, reason) }, notIn(state));
  if (updated) return { record: Sender.parse(withoutKeys(updated)), changed: true };
  const current = await getSender(senderId);
  if (!current) throw new SenderNotFoundError(`sender ${senderId} does not exist`);
  return { record: current, changed: false };
}

/** Records the sender's first sending day, once (the first call wins); answers the day stored. */
export async function markFirstSend(senderId: string, day: string): Promise<string> {
  const updated = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('config'),
        Key: senderKey(senderId),
        UpdateExpression: 'SET firstSendDay = if_not_exists(firstSendDay, :day)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':day': day },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  if (!updated) throw new SenderNotFoundError(`sender ${senderId} does not exist`);
  return String(updated.Attributes?.firstSendDay);
}

// ---- LinkedIn accounts

/** Stores a new LinkedIn account; throws LinkedInAccountExistsError when the id is taken. */
export async function putLinkedInAccount(account: LinkedInAccount): Promise<void> {
  const created = await ifConditionHolds(() =>
    documentClient().send(
      new PutCommand({
        TableName: tableName('config'),
        Item: { ...accountKey(account.accountId), ...LinkedInAccount.parse(account) },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    ),
  );
  if (!created) throw new LinkedInAccountExistsError(`LinkedIn account ${account.accountId} already exists`);
}

export async function getLinkedInAccount(accountId: string): Promise<LinkedInAccount | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('config'), Key: accountKey(accountId), ConsistentRead: true }),
  );
  return Item ? LinkedInAccount.parse(withoutKeys(Item)) : undefined;
}

export async function listLinkedInAccounts(): Promise<LinkedInAccount[]> {
  const items = await queryPrefix(ACCOUNT_PREFIX);
  return items.map((item) => LinkedInAccount.parse(withoutKeys(item)));
}

/** Applies `patch` to an existing account; a state in it sets (PAUSED) or removes (ACTIVE) `pausedReason`. */
export async function updateLinkedInAccount(accountId: string, patch: LinkedInAccountPatch): Promise<LinkedInAccount> {
  const { pausedReason, ...fields } = patch;
  const pause = patch.state
    ? { pausedReason: patch.state === 'PAUSED' ? (pausedReason ?? 'operator') : undefined }
    : {};
  const updated = await updateExisting(accountKey(accountId), { ...fields, ...pause }, EXISTS);
  if (!updated) throw new LinkedInAccountNotFoundError(`LinkedIn account ${accountId} does not exist`);
  return LinkedInAccount.parse(withoutKeys(updated));
}

/** Moves an account to `state` unless it is there already; `changed` says whether this call moved it. */
export async function setLinkedInAccountState(
  accountId: string,
  state: SendingState,
  reason?: string,
): Promise<StateChange<LinkedInAccount>> {
  const pausedReason = state === 'PAUSED' ? (reason ?? 'operator') : undefined;
  const updated = await updateExisting(accountKey(accountId), { state, pausedReason }, notIn(state));
  if (updated) return { record: LinkedInAccount.parse(withoutKeys(updated)), changed: true };
  const current = await getLinkedInAccount(accountId);
  if (!current) throw new LinkedInAccountNotFoundError(`LinkedIn account ${accountId} does not exist`);
  return { record: current, changed: false };
}

// ---- shared plumbing

/** PAUSED keeps why and when; ACTIVE removes both (undefined values become REMOVE). */
function pauseFields(state: SendingState, reason: string | undefined) {
  return state === 'PAUSED'
    ? { pausedReason: reason ?? 'operator', pausedAt: nowIso() }
    : { pausedReason: undefined, pausedAt: undefined };
}

interface Condition {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

const EXISTS: Condition = { expression: 'attribute_exists(pk)' };

/** The record exists and is not in `state` already. */
const notIn = (state: SendingState): Condition => ({
  expression: 'attribute_exists(pk) AND #currentState <> :targetState',
  names: { '#currentState': 'state' },
  values: { ':targetState': state },
});

/** One conditional UpdateItem of `fields` plus `updatedAt`; the new item, or undefined when the condition failed. */
async function updateExisting(
  key: { pk: string; sk: string },
  fields: Record<string, unknown>,
  condition: Condition,
): Promise<Record<string, unknown> | undefined> {
  const { expression, names, values } = buildSetExpression({ ...fields, updatedAt: nowIso() });
  const updated = await ifConditionHolds(() =>
    documentClient().send(
      new UpdateCommand({
        TableName: tableName('config'),
        Key: key,
        UpdateExpression: expression,
        ConditionExpression: condition.expression,
        ExpressionAttributeNames: { ...names, ...condition.names },
        ExpressionAttributeValues: { ...values, ...condition.values },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return updated?.Attributes;
}

function queryPrefix(prefix: string): Promise<Record<string, unknown>[]> {
  return queryAll({
    TableName: tableName('config'),
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': ACCOUNT_SCOPE, ':prefix': prefix },
    ConsistentRead: true,
  });
}
