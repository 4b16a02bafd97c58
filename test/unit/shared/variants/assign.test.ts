import { describe, expect, it } from 'vitest';
import { assignVariant, personKeyOf, uniformOf, type VariantKey } from '#shared/variants/assign';
import { StepVariants } from '#shared/variants/schema';

const PERSONS = Array.from({ length: 10_000 }, (_, index) => `EMAIL#person-${index}@example.com`);
const keyFor = (person: string, stepId = 'step-1', campaignId = 'cmp-1'): VariantKey => ({
  person,
  campaignId,
  stepId,
});
const weighted = (...weights: number[]) => weights.map((weight, index) => ({ id: `v${index + 1}`, weight }));

/** Each variant's share of PERSONS on one step. */
function sharesOf(variants: readonly { id: string; weight: number }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const person of PERSONS) {
    const id = assignVariant(variants, keyFor(person));
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return new Map([...counts].map(([id, count]) => [id, count / PERSONS.length]));
}

/** Share of PERSONS given the same variant under two keys (1:1 variants). */
function agreementBetween(first: (person: string) => VariantKey, second: (person: string) => VariantKey): number {
  const variants = weighted(1, 1);
  const same = PERSONS.filter(
    (person) => assignVariant(variants, first(person)) === assignVariant(variants, second(person)),
  );
  return same.length / PERSONS.length;
}

describe('assignVariant', () => {
  it('gives the same key the same variant on every call', () => {
    // Prepare
    const keys = PERSONS.slice(0, 200).map((person) => keyFor(person));

    // Act
    const first = keys.map((key) => assignVariant(weighted(1, 1, 1), key));
    const again = keys.map((key) => assignVariant(weighted(1, 1, 1), { ...key }));

    // Assess
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(3);
  });

  it('ignores anything but person, campaign and step (a try number changes nothing)', () => {
    // Prepare
    const keys = PERSONS.slice(0, 200).map((person) => keyFor(person));

    // Act
    const plain = keys.map((key) => assignVariant(weighted(1, 1), key));
    const withRetry = keys.map((key) =>
      assignVariant(weighted(1, 1), Object.assign({ tryNumber: 3, attempt: 2 }, key)),
    );

    // Assess
    expect(withRetry).toEqual(plain);
  });

  it('draws a different number when any one part of the key changes', () => {
    // Prepare
    const base = keyFor('EMAIL#ada@acme.example', 'step-1', 'cmp-1');

    // Act
    const draws = [
      base,
      { ...base, person: 'EMAIL#bob@acme.example' },
      { ...base, campaignId: 'cmp-2' },
      { ...base, stepId: 'step-2' },
      // The parts are encoded unambiguously: moving a character from one part to the next is another key.
      { person: 'EMAIL#ada@acme.example', campaignId: 'cmp-1s', stepId: 'tep-1' },
    ].map(uniformOf);

    // Assess
    expect(new Set(draws).size).toBe(draws.length);
  });

  it('maps keys to [0, 1) with more than 32 bits of resolution', () => {
    // Act
    const draws = PERSONS.slice(0, 1000).map((person) => uniformOf(keyFor(person)));

    // Assess
    expect(draws.every((draw) => draw >= 0 && draw < 1)).toBe(true);
    const finerThan32Bits = draws.filter((draw) => !Number.isInteger(draw * 2 ** 32));
    expect(finerThan32Bits.length).toBeGreaterThan(990);
  });

  it.each([
    ['1:1', [1, 1]],
    ['1:1:1', [1, 1, 1]],
    ['2:1', [2, 1]],
    ['3:1:1:2:3', [3, 1, 1, 2, 3]],
  ])('splits 10,000 persons %s within ±5 %% of each expected share', (_label, weights) => {
    // Prepare
    const variants = weighted(...weights);
    const total = weights.reduce((sum, weight) => sum + weight, 0);

    // Act
    const shares = sharesOf(variants);

    // Assess
    for (const variant of variants) {
      const expected = variant.weight / total;
      expect(Math.abs((shares.get(variant.id) ?? 0) - expected)).toBeLessThanOrEqual(0.05 * expected);
    }
  });

  it('assigns two steps of a campaign independently (≈ 50 % agree for 1:1)', () => {
    // Act
    const agreement = agreementBetween(
      (person) => keyFor(person, 'step-1'),
      (person) => keyFor(person, 'step-2'),
    );

    // Assess: 10,000 independent fair draws agree 50 % ± 0.5 % (1 sd).
    expect(agreement).toBeGreaterThan(0.48);
    expect(agreement).toBeLessThan(0.52);
  });

  it('assigns the same step of two campaigns independently (≈ 50 % agree for 1:1)', () => {
    // Act
    const agreement = agreementBetween(
      (person) => keyFor(person, 'step-1', 'cmp-1'),
      (person) => keyFor(person, 'step-1', 'cmp-2'),
    );

    // Assess
    expect(agreement).toBeGreaterThan(0.48);
    expect(agreement).toBeLessThan(0.52);
  });

  it.each([
    ['no variants', []],
    [
      'a zero weight',
      [
        { id: 'a', weight: 0 },
        { id: 'b', weight: 1 },
      ],
    ],
    [
      'a negative weight',
      [
        { id: 'a', weight: -1 },
        { id: 'b', weight: 1 },
      ],
    ],
    [
      'a NaN weight',
      [
        { id: 'a', weight: Number.NaN },
        { id: 'b', weight: 1 },
      ],
    ],
  ])('refuses %s', (_label, variants) => {
    // Act
    const assign = () => assignVariant(variants, keyFor('EMAIL#ada@acme.example'));

    // Assess
    expect(assign).toThrow(RangeError);
  });
});

describe('personKeyOf', () => {
  it('normalises the address: trimmed and lower-cased', () => {
    // Act
    const messy = personKeyOf({ leadId: 'lead-1', email: '  Ada.Lovelace@ACME.example ' });
    const clean = personKeyOf({ leadId: 'lead-2', email: 'ada.lovelace@acme.example' });

    // Assess
    expect(messy).toBe(clean);
    expect(clean).toBe('EMAIL#ada.lovelace@acme.example');
  });

  it('prefers the address to the LinkedIn profile', () => {
    // Act
    const key = personKeyOf({
      leadId: 'lead-1',
      email: 'ada@acme.example',
      linkedinUrl: 'https://linkedin.com/in/ada',
    });

    // Assess
    expect(key).toBe('EMAIL#ada@acme.example');
  });

  it('normalises the LinkedIn profile: case, www, trailing slash and query do not matter', () => {
    // Act
    const keys = [
      'https://www.linkedin.com/in/Ada-Lovelace/?trk=public_profile',
      'https://linkedin.com/in/ada-lovelace',
      'http://www.LinkedIn.com/in/ada-lovelace/',
    ].map((linkedinUrl, index) => personKeyOf({ leadId: `lead-${index}`, linkedinUrl }));

    // Assess
    expect(new Set(keys)).toEqual(new Set(['LINKEDIN#ada-lovelace']));
  });

  it('falls back to the lead id when there is neither address nor profile', () => {
    // Act
    const key = personKeyOf({ leadId: 'lead-7', email: '', linkedinUrl: 'https://example.com/not-a-profile' });

    // Assess
    expect(key).toBe('LEAD#lead-7');
  });

  it('gives two leads of one person the same variant', () => {
    // Prepare
    const variants = weighted(1, 1, 1, 1, 1);
    const leads = PERSONS.slice(0, 50).map((person, index) => ({ leadId: `a-${index}`, email: person.slice(6) }));

    // Act
    const original = leads.map((lead) => assignVariant(variants, keyFor(personKeyOf(lead))));
    const reimported = leads.map((lead, index) =>
      assignVariant(variants, keyFor(personKeyOf({ leadId: `b-${index}`, email: ` ${lead.email.toUpperCase()}` }))),
    );

    // Assess
    expect(reimported).toEqual(original);
  });
});

describe('StepVariants', () => {
  const variant = (id: string, extra: Record<string, unknown> = {}) => ({ id, body: `Hello from ${id}`, ...extra });

  it('accepts 2–5 variants and defaults the weight to 1', () => {
    // Act
    const parsed = StepVariants.parse([variant('short'), variant('long', { weight: 3, subject: 'Hi' })]);

    // Assess
    expect(parsed.map((entry) => entry.weight)).toEqual([1, 3]);
  });

  it('names the duplicated id', () => {
    // Act
    const result = StepVariants.safeParse([variant('a'), variant('b'), variant('a')]);

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('"a"');
    expect(result.error?.issues[0]?.path).toEqual([2, 'id']);
  });

  it.each([
    ['one variant', [variant('a')]],
    ['six variants', ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => variant(id))],
    ['an id a step id could not have', [variant('a b'), variant('c')]],
    ['a zero weight', [variant('a', { weight: 0 }), variant('b')]],
    ['an empty body', [variant('a', { body: '' }), variant('b')]],
  ])('refuses %s', (_label, variants) => {
    // Act
    const result = StepVariants.safeParse(variants);

    // Assess
    expect(result.success).toBe(false);
  });
});
