import { GetCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { ChannelType } from '../domain/schemas';
import { batchGetAll } from '../store/batch-get';
import { documentClient, ifConditionHolds } from '../store/client';
import type { AccountLimits } from '../store/config';
import { tableName } from '../store/tables';
import { nowMs } from '../time/clock';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Counters outlive their window by a day so late releases still find them, then TTL removes them. */
const TTL_GRACE_MS = DAY_MS;

/** A counter in a calendar window: at most `limit` reservations until `windowEndMs`. */
export interface CounterRule {
  kind: 'counter';
  key: string;
  limit: number;
  windowEndMs: number;
  /** What a full counter means for the step: wait for the window, or stop the lead for good. */
  whenFull: 'retry' | 'stop';
  /**
   * Spread over this many items (`key`, `key#S1` … `key#S<n-1>`) so that no single item takes every write of a
   * busy window (DynamoDB allows about 1,000 writes per second on one item). Shard `i` admits its exact share of
   * `limit` (the shares add up to `limit`), so the total never exceeds it. Absent or 1: one item, `key`.
   */
  shards?: number;
}

/** At most one reservation per `cooldownMs` for the key (per-lead touch spacing). */
export interface CooldownRule {
  kind: 'cooldown';
  key: string;
  cooldownMs: number;
}

/** Randomised spacing between actions of one sender account: each action pushes the next one a random gap out. */
export interface SpacingRule {
  kind: 'spacing';
  key: string;
  minMs: number;
  maxMs: number;
}

export type LimitRule = CounterRule | CooldownRule | SpacingRule;

export interface Reservation {
  rules: LimitRule[];
  reservedAtMs: number;
}

export type ReserveResult =
  | { ok: true; reservation: Reservation }
  | { ok: false; limitedBy: string; whenFull: 'retry' | 'stop'; retryAfterSeconds: number };

export function hourWindow(atMs: number): { label: string; endMs: number } {
  const start = Math.floor(atMs / HOUR_MS) * HOUR_MS;
  return { label: new Date(start).toISOString().slice(0, 13), endMs: start + HOUR_MS };
}

export function dayWindow(atMs: number): { label: string; endMs: number } {
  const start = Math.floor(atMs / DAY_MS) * DAY_MS;
  return { label: new Date(start).toISOString().slice(0, 10), endMs: start + DAY_MS };
}

/** A counter whose limit allows fewer grants than this per shard stays one item (every default does). */
export const MIN_SHARD_LIMIT = 1000;
/** At most this many items per counter: a refused reservation reads them all in one BatchGetItem. */
export const MAX_COUNTER_SHARDS = 10;

/** How many items a counter with this limit is spread over: one per 1,000 grants, 1 to 10. */
export function counterShards(limit: number): number {
  return Math.max(1, Math.min(MAX_COUNTER_SHARDS, Math.floor(limit / MIN_SHARD_LIMIT)));
}

/** The item of shard `index`: shard 0 is the counter's own key, so a counter that grows shards keeps its count. */
export function shardKey(key: string, index: number): string {
  return index === 0 ? key : `${key}#S${index}`;
}

/** Shard `index`'s share of `limit`: the remainder goes to the first shards, so the shares add up to `limit` exactly. */
export function shardLimit(limit: number, shards: number, index: number): number {
  return Math.floor(limit / shards) + (index < limit % shards ? 1 : 0);
}

/** Shards a rule really uses: never more than its limit (a shard with a zero share could never grant). */
function effectiveShards(rule: CounterRule): number {
  return Math.max(1, Math.min(rule.shards ?? 1, rule.limit));
}

export interface SendLimitsInput {
  channel: ChannelType;
  leadId: string;
  /** Channel-wide limits (the account-scope channel config, else the defaults): every campaign's sends count. */
  channelLimits?: { perHour: number; perDay: number };
  /** A sending identity's own counters (a pool sender's day, a LinkedIn account's invitations): PRODUCT.md §10. */
  ownerCounters?: readonly OwnerCounter[];
  /** A campaign's own channel limits: only that campaign's sends count (PRODUCT.md §4). */
  campaignLimits?: { campaignId: string; perHour: number; perDay: number };
  account: AccountLimits;
  maxTouchesPerLead: number;
  /** The recipient's email domain, for the per-domain daily cap (email only). */
  recipientDomain?: string;
  /** Counts the channel windows per sender account (e.g. `LINKEDIN:acct-1`) instead of per channel. */
  rateScope?: string;
  /** Random gap between two actions of the same scope. */
  spacing?: { minSeconds: number; maxSeconds: number };
  atMs?: number;
}

/** One counter of a sending identity: its key (with its window's label), limit and window end. */
export interface OwnerCounter {
  key: string;
  limit: number;
  windowEndMs: number;
}

/** The ISO week (Monday 00:00 UTC to the next Monday) holding `atMs`: LinkedIn's weekly invitation caps. */
export function weekWindow(atMs: number): { label: string; endMs: number } {
  const day = Math.floor(atMs / DAY_MS) * DAY_MS;
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  const start = day - sinceMonday * DAY_MS;
  return { label: `W${new Date(start).toISOString().slice(0, 10)}`, endMs: start + 7 * DAY_MS };
}

/** A retry-when-full counter over a calendar window, spread over shards when its limit is high. */
function windowCounter(key: string, limit: number, window: { endMs: number }): CounterRule {
  return { kind: 'counter', key, limit, windowEndMs: window.endMs, whenFull: 'retry', shards: counterShards(limit) };
}

/** The rules one send must pass (docs/product.md §4), lead-specific ones first. */
export function rulesForSend(input: SendLimitsInput): LimitRule[] {
  const at = input.atMs ?? nowMs();
  const hour = hourWindow(at);
  const day = dayWindow(at);
  const { account, channelLimits, leadId } = input;
  const rules: LimitRule[] = [
    { kind: 'cooldown', key: `LEAD#${leadId}#COOLDOWN`, cooldownMs: account.leadCooldownHours * HOUR_MS },
    // A lead's touches never reset: the window ends long after any sequence.
    {
      kind: 'counter',
      key: `LEAD#${leadId}#TOUCHES`,
      limit: input.maxTouchesPerLead,
      windowEndMs: at + 400 * DAY_MS,
      whenFull: 'stop',
    },
  ];
  if (input.recipientDomain) {
    const key = `DOMAIN#${input.recipientDomain}#${day.label}`;
    rules.push({ kind: 'counter', key, limit: account.perDomainPerDay, windowEndMs: day.endMs, whenFull: 'retry' });
  }
  const scope = input.rateScope ?? input.channel;
  if (input.spacing) {
    const { minSeconds, maxSeconds } = input.spacing;
    rules.push({ kind: 'spacing', key: `${scope}#SPACING`, minMs: minSeconds * 1000, maxMs: maxSeconds * 1000 });
  }
  const { campaignLimits, ownerCounters = [] } = input;
  for (const owner of ownerCounters) rules.push(windowCounter(owner.key, owner.limit, { endMs: owner.windowEndMs }));
  if (campaignLimits) {
    const own = `CAMPAIGN#${campaignLimits.campaignId}#${scope}`;
    rules.push(
      windowCounter(`${own}#H#${hour.label}`, campaignLimits.perHour, hour),
      windowCounter(`${own}#D#${day.label}`, campaignLimits.perDay, day),
    );
  }
  if (channelLimits) {
    rules.push(
      windowCounter(`${scope}#H#${hour.label}`, channelLimits.perHour, hour),
      windowCounter(`${scope}#D#${day.label}`, channelLimits.perDay, day),
    );
  }
  rules.push(windowCounter(`ALL#D#${day.label}`, account.globalPerDay, day));
  return rules;
}

type TakeResult = { taken: true; rule: LimitRule } | { taken: false; retryAfterMs: number };

/** The expressions of one conditional UpdateItem on a rate item. */
type RateItemUpdate = Pick<
  UpdateCommandInput,
  'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'
>;

/** Applies `update` to the rate item `key`; false when its condition did not hold (full, too early, not ours). */
async function updateRateItem(key: string, update: RateItemUpdate): Promise<boolean> {
  const written = await ifConditionHolds(() =>
    documentClient().send(new UpdateCommand({ TableName: tableName('rateCounters'), Key: { pk: key }, ...update })),
  );
  return written !== undefined;
}

/** TTL (epoch seconds) of a rate item whose use ends at `endMs`. */
const expiresAfter = (endMs: number) => Math.ceil((endMs + TTL_GRACE_MS) / 1000);

/** One more use of a counter item if it is below `limit` (atomic conditional ADD); false when it is full. */
function addOne(key: string, limit: number, windowEndMs: number): Promise<boolean> {
  return updateRateItem(key, {
    UpdateExpression: 'ADD used :one SET expiresAt = if_not_exists(expiresAt, :expires)',
    ConditionExpression: 'attribute_not_exists(used) OR used < :limit',
    ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expires': expiresAfter(windowEndMs) },
  });
}

/** Current use of every shard of a counter, in one strongly consistent BatchGetItem. */
async function shardUsage(key: string, shards: number): Promise<number[]> {
  const keys = Array.from({ length: shards }, (_, index) => shardKey(key, index));
  const items = await batchGetAll(
    tableName('rateCounters'),
    keys.map((pk) => ({ pk })),
    { consistent: true },
  );
  const used = new Map(items.map((item) => [String(item.pk), Number(item.used ?? 0)]));
  return keys.map((pk) => used.get(pk) ?? 0);
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(Math.random() * (index + 1));
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

/**
 * A counter slot. A sharded counter takes its slot on a random shard; when that one is full it reads every
 * shard once and tries those with room left, so a reservation is refused only when all of them are full and
 * the total is never above `limit`. The rule handed back names the shard item taken, for `give`.
 */
async function takeCounter(rule: CounterRule, atMs: number): Promise<TakeResult> {
  const full: TakeResult = { taken: false, retryAfterMs: rule.windowEndMs - atMs };
  // A zero limit means "channel closed": nothing to count, never granted.
  if (rule.limit <= 0) return full;
  const shards = effectiveShards(rule);
  if (shards === 1) return (await addOne(rule.key, rule.limit, rule.windowEndMs)) ? { taken: true, rule } : full;
  const tryShard = async (index: number): Promise<TakeResult | undefined> => {
    const limit = shardLimit(rule.limit, shards, index);
    if (!(await addOne(shardKey(rule.key, index), limit, rule.windowEndMs))) return undefined;
    const { shards: _all, ...single } = rule;
    return { taken: true, rule: { ...single, key: shardKey(rule.key, index), limit } };
  };
  const first = Math.floor(Math.random() * shards);
  const direct = await tryShard(first);
  if (direct) return direct;
  const used = await shardUsage(rule.key, shards);
  const open = used
    .map((count, index) => ({ count, index }))
    .filter(({ count, index }) => index !== first && count < shardLimit(rule.limit, shards, index))
    .map(({ index }) => index);
  for (const index of shuffled(open)) {
    const taken = await tryShard(index);
    if (taken) return taken;
  }
  return full;
}

/** A lead's touch: granted when the last one is at least `cooldownMs` old. */
function touchUpdate(rule: CooldownRule, atMs: number): RateItemUpdate {
  return {
    UpdateExpression: 'SET lastTouchAt = :now, expiresAt = :expires',
    ConditionExpression: 'attribute_not_exists(lastTouchAt) OR lastTouchAt <= :cutoff',
    ExpressionAttributeValues: {
      ':now': atMs,
      ':cutoff': atMs - rule.cooldownMs,
      ':expires': expiresAfter(atMs + rule.cooldownMs),
    },
  };
}

/** A sender account's action: granted once the time set by the previous one has come, which then sets the next. */
function spacingUpdate(rule: SpacingRule, atMs: number): RateItemUpdate {
  const gapMs = rule.minMs + Math.floor(Math.random() * (rule.maxMs - rule.minMs + 1));
  return {
    UpdateExpression: 'SET nextAllowedAt = :next, reservedAt = :now, expiresAt = :expires',
    ConditionExpression: 'attribute_not_exists(nextAllowedAt) OR nextAllowedAt <= :now',
    ExpressionAttributeValues: { ':now': atMs, ':next': atMs + gapMs, ':expires': expiresAfter(atMs + gapMs) },
  };
}

/** How long until a refused cooldown or spacing rule admits again, read from its item. */
async function waitForTimedRule(rule: CooldownRule | SpacingRule, atMs: number): Promise<number> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('rateCounters'), Key: { pk: rule.key }, ConsistentRead: true }),
  );
  if (rule.kind === 'spacing') return Number(Item?.nextAllowedAt ?? atMs) - atMs;
  return Number(Item?.lastTouchAt ?? atMs) + rule.cooldownMs - atMs;
}

async function take(rule: LimitRule, atMs: number): Promise<TakeResult> {
  if (rule.kind === 'counter') return takeCounter(rule, atMs);
  const update = rule.kind === 'cooldown' ? touchUpdate(rule, atMs) : spacingUpdate(rule, atMs);
  if (await updateRateItem(rule.key, update)) return { taken: true, rule };
  return { taken: false, retryAfterMs: await waitForTimedRule(rule, atMs) };
}

/**
 * How each kind of slot is given back. A cooldown or a spacing only undoes our own reservation (conditional on
 * its time): a later touch by someone else stays.
 */
const GIVE_BACK: Record<LimitRule['kind'], (reservedAtMs: number) => RateItemUpdate> = {
  counter: () => ({
    UpdateExpression: 'ADD used :minusOne',
    ConditionExpression: 'used > :zero',
    ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
  }),
  cooldown: (mine) => ({
    UpdateExpression: 'REMOVE lastTouchAt',
    ConditionExpression: 'lastTouchAt = :mine',
    ExpressionAttributeValues: { ':mine': mine },
  }),
  spacing: (mine) => ({
    UpdateExpression: 'REMOVE nextAllowedAt',
    ConditionExpression: 'reservedAt = :mine',
    ExpressionAttributeValues: { ':mine': mine },
  }),
};

async function give(rule: LimitRule, reservedAtMs: number): Promise<void> {
  await updateRateItem(rule.key, GIVE_BACK[rule.kind](reservedAtMs));
}

/**
 * Reserves one slot in every rule with single-item conditional updates (no transactions): concurrent
 * callers can never push a counter past its limit. On the first full rule, slots already taken are
 * given back and the caller learns how long until that window resets. The reservation names the very
 * items taken (the shard, for a sharded counter), so `release` gives back exactly those.
 */
export async function reserve(rules: LimitRule[], atMs = nowMs()): Promise<ReserveResult> {
  const taken: LimitRule[] = [];
  for (const rule of rules) {
    const result = await take(rule, atMs);
    if (!result.taken) {
      await Promise.all(taken.map((done) => give(done, atMs)));
      return {
        ok: false,
        limitedBy: rule.key,
        whenFull: rule.kind === 'counter' ? rule.whenFull : 'retry',
        retryAfterSeconds: Math.max(1, Math.ceil(result.retryAfterMs / 1000)),
      };
    }
    taken.push(result.rule);
  }
  return { ok: true, reservation: { rules: taken, reservedAtMs: atMs } };
}

/** Gives back every slot of a reservation whose send did not happen. */
export async function release(reservation: Reservation): Promise<void> {
  await Promise.all(reservation.rules.map((rule) => give(rule, reservation.reservedAtMs)));
}

/**
 * Gives back only the lead's cooldown slot of a send that never reached the lead (a bounced email), so the
 * next channel need not wait out 24 h. The volume counters keep the send: the provider did send it. Only our
 * own touch is removed (conditional on its time), so a retry of this call or a later touch is safe.
 */
export async function releaseCooldown(reservation: Reservation): Promise<void> {
  await release({ ...reservation, rules: reservation.rules.filter((rule) => rule.kind === 'cooldown') });
}

export async function counterValue(key: string): Promise<number> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName('rateCounters'), Key: { pk: key }, ConsistentRead: true }),
  );
  return Number(Item?.used ?? 0);
}

/** A counter's total use over all its shards. */
export async function counterTotal(key: string, shards: number): Promise<number> {
  if (shards <= 1) return counterValue(key);
  return (await shardUsage(key, shards)).reduce((sum, used) => sum + used, 0);
}
