import { describe, expect, it } from 'vitest';
import { type Arm, probabilityBest, rate } from '#shared/variants/best-variant';

const arm = (id: string, successes: number, trials: number): Arm => ({ id, successes, trials });
const sumOf = (shares: Record<string, number>) => Object.values(shares).reduce((sum, share) => sum + share, 0);

/** mulberry32: a small seeded generator, so the Monte Carlo reference is the same on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Beta(alpha, beta) for whole alpha and beta: X / (X + Y) with X, Y sums of alpha and beta unit exponentials. */
function sampleBeta(alpha: number, beta: number, random: () => number): number {
  const gamma = (shape: number) => {
    let sum = 0;
    for (let index = 0; index < shape; index++) sum -= Math.log(1 - random());
    return sum;
  };
  const x = gamma(alpha);
  return x / (x + gamma(beta));
}

/** The share of posterior draws in which each arm has the highest rate. */
function monteCarloBest(arms: readonly Arm[], draws: number, seed: number): Record<string, number> {
  const random = seededRandom(seed);
  const wins = new Map(arms.map((entry) => [entry.id, 0]));
  for (let draw = 0; draw < draws; draw++) {
    const rates = arms.map((entry) => sampleBeta(1 + entry.successes, 1 + entry.trials - entry.successes, random));
    const best = arms[rates.indexOf(Math.max(...rates))] as Arm;
    wins.set(best.id, (wins.get(best.id) ?? 0) + 1);
  }
  return Object.fromEntries([...wins].map(([id, count]) => [id, count / draws]));
}

describe('probabilityBest', () => {
  it('gives symmetric arms equal shares', () => {
    // Act
    const two = probabilityBest([arm('a', 20, 100), arm('b', 20, 100)]);
    const three = probabilityBest([arm('a', 7, 40), arm('b', 7, 40), arm('c', 7, 40)]);

    // Assess
    expect(two.a).toBeCloseTo(0.5, 9);
    expect(two.b).toBeCloseTo(0.5, 9);
    for (const id of ['a', 'b', 'c']) expect(three[id]).toBeCloseTo(1 / 3, 9);
  });

  it('is nearly sure that 30/100 beats 10/100', () => {
    // Act
    const shares = probabilityBest([arm('strong', 30, 100), arm('weak', 10, 100)]);

    // Assess
    expect(shares.strong).toBeGreaterThan(0.99);
    expect(shares.weak).toBeLessThan(0.01);
  });

  it('agrees with a seeded Monte Carlo estimate for three arms (within 0.01)', () => {
    // Prepare
    const arms = [arm('a', 12, 100), arm('b', 15, 100), arm('c', 9, 80)];
    const reference = monteCarloBest(arms, 100_000, 20_261_124);

    // Act
    const shares = probabilityBest(arms);

    // Assess
    for (const { id } of arms)
      expect(Math.abs((shares[id] as number) - (reference[id] as number))).toBeLessThanOrEqual(0.01);
    expect(shares.b).toBeGreaterThan(shares.a as number);
  });

  it('matches the closed form for arms that replied every time (Beta(k, 1): P(best) = k / Σk)', () => {
    // Prepare: Beta(k, 1) has CDF x^k, so P(i best) = ∫ k_i x^(Σk − 1) dx = k_i / Σk.
    const arms = [arm('a', 2, 2), arm('b', 5, 5), arm('c', 0, 0), arm('d', 20, 20)];
    const shapes = arms.map((entry) => entry.successes + 1);
    const shapeSum = shapes.reduce((sum, shape) => sum + shape, 0);

    // Act
    const shares = probabilityBest(arms);

    // Assess
    arms.forEach(({ id }, index) => {
      expect(shares[id]).toBeCloseTo((shapes[index] as number) / shapeSum, 5);
    });
  });

  it.each([
    ['two arms', [arm('a', 3, 40), arm('b', 5, 41)]],
    ['five arms', [arm('a', 5, 50), arm('b', 5, 50), arm('c', 6, 50), arm('d', 4, 50), arm('e', 0, 3)]],
    ['large counts', [arm('a', 10_000, 1_000_000), arm('b', 10_150, 1_000_000), arm('c', 1, 10)]],
    ['mixed', [arm('a', 0, 0), arm('b', 0, 500), arm('c', 499, 500)]],
  ])('sums to 1 for %s', (_label, arms) => {
    // Act
    const shares = probabilityBest(arms);

    // Assess
    expect(Math.abs(sumOf(shares) - 1)).toBeLessThanOrEqual(1e-6);
    expect(Object.values(shares).every((share) => share >= 0 && share <= 1)).toBe(true);
  });

  it('tells apart two narrow posteriors (a million sends each)', () => {
    // Act: 1.00 % vs 1.05 % on 10^6 sends is about 3.5 standard errors apart.
    const shares = probabilityBest([arm('a', 10_000, 1_000_000), arm('b', 10_500, 1_000_000)]);

    // Assess
    expect(shares.b).toBeGreaterThan(0.999);
    expect(shares.b).toBeLessThan(1);
  });

  it('gives equal shares when nothing was sent yet', () => {
    // Act
    const shares = probabilityBest([arm('a', 0, 0), arm('b', 0, 0), arm('c', 0, 0), arm('d', 0, 0)]);

    // Assess
    expect(Object.values(shares)).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('treats more replies than sends as every send replied', () => {
    // Act
    const clamped = probabilityBest([arm('a', 50, 20), arm('b', 5, 10)]);
    const exact = probabilityBest([arm('a', 20, 20), arm('b', 5, 10)]);

    // Assess
    expect(clamped).toEqual(exact);
  });

  it('answers the same on every call', () => {
    // Prepare
    const arms = [arm('a', 12, 100), arm('b', 15, 100), arm('c', 9, 80)];

    // Act
    const first = probabilityBest(arms);
    const second = probabilityBest(arms.map((entry) => ({ ...entry })));

    // Assess
    expect(second).toEqual(first);
  });

  it('handles no arm, one arm, and refuses duplicate ids', () => {
    // Act
    const none = probabilityBest([]);
    const one = probabilityBest([arm('only', 3, 9)]);
    const duplicated = () => probabilityBest([arm('a', 1, 2), arm('a', 1, 3)]);

    // Assess
    expect(none).toEqual({});
    expect(one).toEqual({ only: 1 });
    expect(duplicated).toThrow(/"a"/);
  });
});

describe('rate', () => {
  it.each([
    [3, 10, 0.3],
    [0, 0, 0],
    [12, 10, 1],
    [-2, 10, 0],
  ])('rate(%d, %d) is %d', (successes, trials, expected) => {
    // Act
    const observed = rate(successes, trials);

    // Assess
    expect(observed).toBe(expected);
  });
});
