import { describe, expect, it } from 'vitest';
import { layoutPath, pathNodes } from '../../../../console/src/components/lead-path-layout';
import type { AuditedState } from '../../../../console/src/components/lead-types';

const state = (name: string, fields: Partial<AuditedState> = {}): AuditedState => ({
  name,
  type: 'Pass',
  enteredAt: '2026-01-05T10:00:00Z',
  exitedAt: '2026-01-05T10:00:01Z',
  ...fields,
});

describe('pathNodes', () => {
  it('marks channel answers, a failed state and the catch that handled it', () => {
    // Prepare
    const states = [
      state('Route By Channel', { type: 'Choice' }),
      state('Send Email', {
        type: 'Task',
        output: { cursor: { result: { outcome: 'FALLBACK', reason: 'missing_address' } } },
      }),
      state('Send LinkedIn Message', { type: 'Task', error: 'States.TaskFailed', cause: 'boom' }),
      state('Settle Open Attempts', { type: 'Task' }),
      state('Sequence Errored', { type: 'Fail' }),
    ];
    // Act
    const nodes = pathNodes({ status: 'FAILED', states });
    // Assess
    expect(nodes.map((node) => node.mark)).toEqual(['ok', 'fallback', 'failed', 'caught', 'failed']);
    expect(nodes[1]?.note).toBe('FALLBACK missing_address');
    expect(nodes[2]?.note).toBe('States.TaskFailed');
  });

  it('marks a retried error as retried and the open last state of a running run as running', () => {
    // Prepare
    const states = [
      state('Send Email', {
        type: 'Task',
        error: 'Lambda.TooManyRequestsException',
        output: { result: { outcome: 'SENT' } },
      }),
      state('Wait For Delivery', { type: 'Wait', exitedAt: undefined }),
    ];
    // Act
    const nodes = pathNodes({ status: 'RUNNING', states });
    // Assess
    expect(nodes.map((node) => node.mark)).toEqual(['retried', 'running']);
  });
});

describe('layoutPath', () => {
  it('places boxes in rows and draws one arrow between consecutive states', () => {
    // Prepare
    const nodes = pathNodes({ status: 'SUCCEEDED', states: ['A', 'B', 'C', 'D'].map((name) => state(name)) });
    const options = { perRow: 3, boxWidth: 100, boxHeight: 40, gapX: 20, gapY: 30, padding: 5 };
    // Act
    const layout = layoutPath(nodes, options);
    // Assess
    expect(layout.boxes.map((box) => [box.x, box.y])).toEqual([
      [5, 5],
      [125, 5],
      [245, 5],
      [5, 75],
    ]);
    expect(layout.width).toBe(5 + 3 * 100 + 2 * 20 + 5);
    expect(layout.height).toBe(5 + 2 * 40 + 30 + 5);
    expect(layout.arrows).toEqual(['M 105 25 H 125', 'M 225 25 H 245', 'M 295 45 V 60 H 55 V 75']);
  });

  it('draws nothing for a run without states', () => {
    expect(layoutPath([])).toEqual({ width: 0, height: 0, boxes: [], arrows: [] });
  });
});
