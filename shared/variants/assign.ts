import type { Lead } from '../domain/schemas';
import { sha256 } from '../ids';
import { personKeyOf as contactKeyOf } from '../store/person-claims';

/** What a lead's variant depends on — and nothing else (no try or retry number), so every send of it agrees. */
export interface VariantKey {
  /** The person behind the lead: `personKeyOf(lead)`. */
  person: string;
  campaignId: string;
  stepId: string;
}

export interface WeightedVariant {
  id: string;
  weight: number;
}

/** 52 bits: as many as a double holds exactly from 13 hex digits, above the 48 needed for an even spread. */
const UNIFORM_HEX_DIGITS = 13;
const UNIFORM_SCALE = 2 ** (UNIFORM_HEX_DIGITS * 4);

/**
 * A number in [0, 1) fixed by the key. The parts are encoded as a JSON array so no separator inside a part can
 * make two different keys collide (`a|b`,`c` vs `a`,`b|c`). SHA-256 mixes well enough that each step's and each
 * campaign's draws are independent of the others'.
 */
export function uniformOf(key: VariantKey): number {
  const canonical = JSON.stringify([key.person, key.campaignId, key.stepId]);
  return Number.parseInt(sha256(canonical).slice(0, UNIFORM_HEX_DIGITS), 16) / UNIFORM_SCALE;
}

/**
 * The id of the lead's variant: the key's uniform number placed on the variants' cumulative weights, in declared
 * order. Deterministic, so retries, follow-ups and a re-run execution send the same content; changing the weights or
 * the order of a running step moves some people to another variant.
 */
export function assignVariant(variants: readonly WeightedVariant[], key: VariantKey): string {
  if (variants.length === 0) throw new RangeError('assignVariant needs at least one variant');
  const badWeight = variants.find((variant) => !(Number.isFinite(variant.weight) && variant.weight > 0));
  if (badWeight) throw new RangeError(`variant "${badWeight.id}" has weight ${badWeight.weight}; weights must be > 0`);
  const total = variants.reduce((sum, variant) => sum + variant.weight, 0);
  const target = uniformOf(key) * total;
  let cumulative = 0;
  for (const variant of variants) {
    cumulative += variant.weight;
    if (target < cumulative) return variant.id;
  }
  // Rounding can leave `cumulative` a hair below `total`: the last variant owns the top of the range.
  return (variants.at(-1) as WeightedVariant).id;
}

export type PersonKeySource = Pick<Lead, 'leadId' | 'email' | 'linkedinUrl' | 'linkedinProviderId'>;

/**
 * The person behind a lead, so the same person in two imports (two leads) gets the same variant: the person key
 * the per-person claims use (store/person-claims.ts — the normalised address `EMAIL#…`, else the LinkedIn profile
 * `LINKEDIN#<slug>`), else the lead itself (`LEAD#<leadId>`).
 */
export function personKeyOf(lead: PersonKeySource): string {
  // The claims' function is typed for a whole Lead but reads only the contact fields picked above.
  return contactKeyOf(lead as Lead) ?? `LEAD#${lead.leadId}`;
}
