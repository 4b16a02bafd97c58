import type { AuditedState, ExecutionAudit } from './lead-types';

/**
 * The execution path as the lead page draws it: the states of `GET /v1/executions/{name}` in order (what
 * `cascade audit` prints), each marked by how it ended, laid out as boxes in rows with arrows between them.
 * Pure, so the marking and the geometry are unit-tested without a browser.
 */

export type StateMark = 'ok' | 'sent' | 'retry' | 'fallback' | 'stop' | 'failed' | 'retried' | 'caught' | 'running';

export interface PathNode {
  index: number;
  name: string;
  type: string;
  mark: StateMark;
  /** A channel Task's answer (`SENT`, `FALLBACK missing_address`…) or the error a failed state raised. */
  note?: string;
  enteredAt?: string;
  exitedAt?: string;
}

/** States a Catch leads to (infra/outreach-states.ts): entered after a failed state, they handled its error. */
const CATCH_TARGETS: ReadonlySet<string> = new Set([
  'Settle Open Attempts',
  'Sequence Errored',
  'Email Bounced',
  'Complaint Received',
  'Person Did Not Answer',
  'Route Answer',
]);

const RESULT_MARKS: Record<string, StateMark> = { SENT: 'sent', RETRY: 'retry', FALLBACK: 'fallback', STOP: 'stop' };

/** What a Task answered: a channel service's result inside the cursor it routes, or another Task's `result`. */
export function taskResult(output: unknown): { outcome?: string; reason?: string } | undefined {
  if (!output || typeof output !== 'object') return undefined;
  const { cursor, result } = output as { cursor?: { result?: unknown }; result?: unknown };
  const found = cursor?.result ?? result;
  return found && typeof found === 'object' ? (found as { outcome?: string; reason?: string }) : undefined;
}

function markOf(state: AuditedState, next: AuditedState | undefined, previous: AuditedState | undefined): StateMark {
  if (state.error) return next === undefined || CATCH_TARGETS.has(next.name) ? 'failed' : 'retried';
  if (previous?.error && CATCH_TARGETS.has(state.name)) return 'caught';
  const outcome = state.type === 'Task' ? taskResult(state.output)?.outcome : undefined;
  return (outcome && RESULT_MARKS[outcome]) || 'ok';
}

function noteOf(state: AuditedState): string | undefined {
  if (state.error) return state.error;
  if (state.type !== 'Task') return undefined;
  const result = taskResult(state.output);
  if (!result?.outcome) return undefined;
  return result.reason ? `${result.outcome} ${result.reason}` : result.outcome;
}

/** The run's states as marked nodes; the last one of a run still going is `running`, of a failed run `failed`. */
export function pathNodes(audit: Pick<ExecutionAudit, 'status' | 'states'>): PathNode[] {
  const states = audit.states;
  return states.map((state, index) => {
    let mark = markOf(state, states[index + 1], states[index - 1]);
    const last = index === states.length - 1;
    if (last && audit.status === 'RUNNING' && state.exitedAt === undefined) mark = 'running';
    if (last && ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(audit.status) && mark === 'ok') mark = 'failed';
    const note = noteOf(state);
    return {
      index,
      name: state.name,
      type: state.type,
      mark,
      ...(note && { note }),
      ...(state.enteredAt && { enteredAt: state.enteredAt }),
      ...(state.exitedAt && { exitedAt: state.exitedAt }),
    };
  });
}

export interface LayoutOptions {
  perRow: number;
  boxWidth: number;
  boxHeight: number;
  gapX: number;
  gapY: number;
  padding: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = {
  perRow: 5,
  boxWidth: 168,
  boxHeight: 52,
  gapX: 34,
  gapY: 36,
  padding: 8,
};

export interface PlacedBox {
  node: PathNode;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PathLayout {
  width: number;
  height: number;
  boxes: PlacedBox[];
  /** SVG path data of each arrow, from box i to box i + 1 (the arrowhead is a marker at its end). */
  arrows: string[];
}

/**
 * Rows of `perRow` boxes read left to right, like text; an arrow goes to the right within a row and, at a row's
 * end, down and back to the next row's first box.
 */
export function layoutPath(nodes: readonly PathNode[], options: Partial<LayoutOptions> = {}): PathLayout {
  const o = { ...DEFAULT_LAYOUT, ...options };
  const perRow = Math.max(1, Math.floor(o.perRow));
  const boxes = nodes.map((node, index) => ({
    node,
    x: o.padding + (index % perRow) * (o.boxWidth + o.gapX),
    y: o.padding + Math.floor(index / perRow) * (o.boxHeight + o.gapY),
    width: o.boxWidth,
    height: o.boxHeight,
  }));
  const arrows: string[] = [];
  for (let index = 0; index + 1 < boxes.length; index++) {
    const from = boxes[index] as PlacedBox;
    const to = boxes[index + 1] as PlacedBox;
    arrows.push(arrowBetween(from, to, o.gapY));
  }
  const columns = Math.min(perRow, nodes.length);
  const rows = Math.ceil(nodes.length / perRow);
  return {
    width: nodes.length === 0 ? 0 : 2 * o.padding + columns * o.boxWidth + (columns - 1) * o.gapX,
    height: nodes.length === 0 ? 0 : 2 * o.padding + rows * o.boxHeight + (rows - 1) * o.gapY,
    boxes,
    arrows,
  };
}

function arrowBetween(from: PlacedBox, to: PlacedBox, gapY: number): string {
  if (from.y === to.y) {
    const y = from.y + from.height / 2;
    return `M ${from.x + from.width} ${y} H ${to.x}`;
  }
  // Row change: down from the box's bottom, left along the gap, down into the next row's first box.
  const startX = from.x + from.width / 2;
  const midY = from.y + from.height + gapY / 2;
  const endX = to.x + to.width / 2;
  return `M ${startX} ${from.y + from.height} V ${midY} H ${endX} V ${to.y}`;
}

/** Words for a mark, for the list and the box's title (colour is never the only signal). */
export const MARK_WORDS: Record<StateMark, string> = {
  ok: '',
  sent: 'sent',
  retry: 'to be retried',
  fallback: 'fell back',
  stop: 'stopped',
  failed: 'failed',
  retried: 'failed, retried',
  caught: 'caught an error',
  running: 'running',
};
