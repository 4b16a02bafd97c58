/**
 * Fault injection for tests: makes a channel service crash or time out at a named point, so Step Functions
 * retries it exactly as it would in AWS. Inert unless `CASCADE_FAULT_INJECTION=1` and a test armed it in
 * this process; production never sets either.
 */
import { CascadeError, type ErrorKind } from './errors';

export type FaultPoint = 'before-provider-call' | 'after-provider-accepted' | 'after-record';
export const FAULT_POINTS: readonly FaultPoint[] = ['before-provider-call', 'after-provider-accepted', 'after-record'];

/** What a crashed Lambda looks like to Step Functions; a timeout is reported as States.Timeout. */
export class InjectedFaultError extends CascadeError {
  readonly code = 'injected_fault';
  readonly kind: ErrorKind = 'internal';

  constructor(
    readonly point: FaultPoint,
    kind: 'crash' | 'timeout',
  ) {
    super(`injected ${kind} at ${point}`);
    this.name = kind === 'crash' ? 'Lambda.Unknown' : 'States.Timeout';
  }
}

export interface FaultPlan {
  /** Chance (0..1) that a visit of an armed point faults. */
  probability: number;
  points: readonly FaultPoint[];
  /** Share of faults reported as timeouts rather than crashes. */
  timeoutShare?: number;
  random?: () => number;
}

export interface InjectedFault {
  point: FaultPoint;
  kind: 'crash' | 'timeout';
  channel: string;
  attemptKey: string;
}

let plan: FaultPlan | undefined;
export const injectedFaults: InjectedFault[] = [];
/** The embedded stack's functions run in their own sandboxes (worker threads): it forwards plans to them. */
const planListeners = new Set<(plan: FaultPlan | undefined) => void>();

export function armFaults(next: FaultPlan): void {
  if (process.env.CASCADE_FAULT_INJECTION !== '1') throw new Error('set CASCADE_FAULT_INJECTION=1 to arm faults');
  plan = next;
  injectedFaults.length = 0;
  for (const listener of planListeners) listener(next);
}

export function disarmFaults(): void {
  plan = undefined;
  for (const listener of planListeners) listener(undefined);
}

/** Called with every plan armed or disarmed in this process; returns the unsubscribe function. */
export function onFaultPlan(listener: (plan: FaultPlan | undefined) => void): () => void {
  planListeners.add(listener);
  return () => planListeners.delete(listener);
}

/** Faults a function's sandbox reports back, collected where the test reads them. */
export function recordInjectedFaults(faults: readonly InjectedFault[]): void {
  injectedFaults.push(...faults);
}

/** Called by the step runner at each named point; throws when an armed fault fires. */
export function faultPoint(point: FaultPoint, context: { channel: string; attemptKey: string }): void {
  if (!plan || process.env.CASCADE_FAULT_INJECTION !== '1' || !plan.points.includes(point)) return;
  const random = plan.random ?? Math.random;
  if (random() >= plan.probability) return;
  const kind = random() < (plan.timeoutShare ?? 0.25) ? 'timeout' : 'crash';
  injectedFaults.push({ point, kind, ...context });
  throw new InjectedFaultError(point, kind);
}
