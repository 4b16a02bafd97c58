/**
 * Probability that each variant has the best reply rate. Each variant's reply rate has the posterior
 * Beta(1 + replies, 1 + sends − replies) (a uniform prior). P(variant i is best) = ∫ f_i(x) ∏_{j≠i} F_j(x) dx is
 * computed deterministically by the midpoint rule on a grid over [0, 1] that is refined around each variant's
 * posterior mass; densities are evaluated in log space and normalised on the grid, and each CDF is the running
 * sum of the same grid masses. The result is reproducible to the last digit and the probabilities sum to 1.
 */

export interface Arm {
  id: string;
  successes: number;
  trials: number;
}

/** Beta(alpha, beta): the posterior of one arm's rate. */
interface Posterior {
  alpha: number;
  beta: number;
}

/** Cells of the uniform grid over [0, 1]: enough for the wide posteriors of arms with few trials. */
const BASE_CELLS = 2000;
/** Cells spent around each arm's posterior mean, so a narrow posterior (many trials) is still resolved finely. */
const FOCUS_CELLS = 2000;
/** How many posterior standard deviations either side of the mean the fine cells cover (mass beyond: < 1e-30). */
const FOCUS_HALF_WIDTH_SD = 12;

/** The observed reply rate: 0 before any send, and never above 1 (see `countsOf`). */
export function rate(successes: number, trials: number): number {
  const counts = countsOf(successes, trials);
  return counts.trials === 0 ? 0 : counts.successes / counts.trials;
}

/**
 * Counts made safe for Beta parameters. Replies can outnumber sends in the metrics (a reply event counted
 * at-least-once, or a reply to a message sent before the counters existed), and a negative or missing count is a
 * bug upstream, not a reason to answer NaN: successes are clamped to [0, trials] and trials to ≥ 0.
 */
function countsOf(successes: number, trials: number): { successes: number; trials: number } {
  const safeTrials = Number.isFinite(trials) ? Math.max(0, trials) : 0;
  const safeSuccesses = Number.isFinite(successes) ? Math.min(safeTrials, Math.max(0, successes)) : 0;
  return { successes: safeSuccesses, trials: safeTrials };
}

function posteriorOf(arm: Arm): Posterior {
  const { successes, trials } = countsOf(arm.successes, arm.trials);
  return { alpha: 1 + successes, beta: 1 + trials - successes };
}

function uniformPoints(from: number, to: number, cells: number): number[] {
  return Array.from({ length: cells + 1 }, (_, index) => from + ((to - from) * index) / cells);
}

/** Cell edges: the uniform grid plus a fine grid over each posterior's mean ± FOCUS_HALF_WIDTH_SD deviations. */
function cellEdges(posteriors: readonly Posterior[]): number[] {
  const edges = uniformPoints(0, 1, BASE_CELLS);
  for (const { alpha, beta } of posteriors) {
    const sum = alpha + beta;
    const mean = alpha / sum;
    const sd = Math.sqrt((alpha * beta) / (sum * sum * (sum + 1)));
    const from = Math.max(0, mean - FOCUS_HALF_WIDTH_SD * sd);
    const to = Math.min(1, mean + FOCUS_HALF_WIDTH_SD * sd);
    edges.push(...uniformPoints(from, to, FOCUS_CELLS));
  }
  const sorted = Float64Array.from(edges).sort();
  return Array.from(sorted).filter((edge, index) => index === 0 || edge > (sorted[index - 1] as number));
}

/**
 * Each cell's share of the posterior (midpoint density × width, summing to 1). Computed in log space and shifted
 * by the largest term before exponentiating: x^(a−1)(1−x)^(b−1) underflows to 0 for a few thousand trials, and
 * normalising on the grid spares the Beta function (JavaScript has no log-gamma).
 */
function cellMasses({ alpha, beta }: Posterior, edges: readonly number[]): Float64Array {
  const logMasses = new Float64Array(edges.length - 1);
  for (let cell = 0; cell < logMasses.length; cell++) {
    const left = edges[cell] as number;
    const right = edges[cell + 1] as number;
    const middle = (left + right) / 2;
    logMasses[cell] = (alpha - 1) * Math.log(middle) + (beta - 1) * Math.log1p(-middle) + Math.log(right - left);
  }
  const largest = logMasses.reduce((max, value) => Math.max(max, value), Number.NEGATIVE_INFINITY);
  const masses = logMasses.map((value) => Math.exp(value - largest));
  const total = masses.reduce((sum, value) => sum + value, 0);
  return masses.map((value) => value / total);
}

/**
 * P(rate ≤ the cell's value) for each cell: the mass of the cells below plus half the cell's own, so that two arms
 * sharing a cell split it evenly (with two arms the shares then sum to exactly 1).
 */
function midCellCdf(masses: Float64Array): Float64Array {
  const cdf = new Float64Array(masses.length);
  let below = 0;
  masses.forEach((mass, cell) => {
    cdf[cell] = below + mass / 2;
    below += mass;
  });
  return cdf;
}

/**
 * For each arm, the probability that its reply rate is the highest (see the top of this file). Numerical
 * integration rather than Monte Carlo sampling: the API and the console show these figures, and the same counts
 * must give the same answer on every request, with no sampling noise to explain. Ids must be unique.
 */
export function probabilityBest(arms: readonly Arm[]): Record<string, number> {
  const ids = arms.map((arm) => arm.id);
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate !== undefined) throw new RangeError(`probabilityBest: arm id "${duplicate}" appears twice`);
  if (arms.length <= 1) return Object.fromEntries(ids.map((id) => [id, 1]));

  const posteriors = arms.map(posteriorOf);
  const edges = cellEdges(posteriors);
  const masses = posteriors.map((posterior) => cellMasses(posterior, edges));
  const cdfs = masses.map(midCellCdf);
  const raw = masses.map((own, arm) => {
    let integral = 0;
    own.forEach((mass, cell) => {
      let othersBelow = mass;
      cdfs.forEach((cdf, other) => {
        if (other !== arm) othersBelow *= cdf[cell] as number;
      });
      integral += othersBelow;
    });
    return integral;
  });
  // Ties inside a cell among three or more arms leave the sum a few 1e-7 off 1: share that out proportionally.
  const total = raw.reduce((sum, value) => sum + value, 0);
  return Object.fromEntries(ids.map((id, arm) => [id, (raw[arm] as number) / total]));
}
