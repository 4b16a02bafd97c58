import { describe, expect, it } from 'vitest';
import { finalStateCounters } from '#shared/tracking/metrics-aggregates';

describe('a message counts once, in its final state', () => {
  it('a late bounce moves a delivered message out of delivered', () => {
    // Act / Assess
    expect(finalStateCounters('DELIVERED', 'bounced')).toEqual({ bounced: 1, delivered: -1 });
    expect(finalStateCounters('DELIVERED', 'failed')).toEqual({ failed: 1, delivered: -1 });
  });

  it('a first final state only adds itself', () => {
    // Act / Assess
    expect(finalStateCounters('SENT', 'bounced')).toEqual({ bounced: 1 });
    expect(finalStateCounters('SENT', 'delivered')).toEqual({ delivered: 1 });
  });
});
