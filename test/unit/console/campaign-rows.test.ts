import { describe, expect, it } from 'vitest';
import { ApiError, apiPath, errorMessage, query, toApiError } from '../../../console/src/api-errors';
import { leadAction, pageCursors, previewTable, stepRows } from '../../../console/src/components/campaign-rows';

describe('lead actions from the list', () => {
  it('pauses waiting and running leads, resumes paused ones, sends parked ones to their page', () => {
    // Act
    const actions = [
      leadAction({ status: 'NEW' }),
      leadAction({ status: 'IN_SEQUENCE' }),
      leadAction({ status: 'PAUSED', stopReason: 'lead_paused' }),
      leadAction({ status: 'PAUSED', stopReason: 'campaign_inactive' }),
      leadAction({ status: 'PAUSED', stopReason: 'ambiguous_send' }),
      leadAction({ status: 'PAUSED', stopReason: 'out_of_office' }),
      leadAction({ status: 'REPLIED' }),
    ];

    // Assess
    expect(actions).toEqual(['pause', 'pause', 'resume', 'resume', 'release', undefined, undefined]);
  });

  it('pages forward by the API’s cursor and back by the ones seen', () => {
    // Act
    const second = pageCursors([undefined], 'next', 'c2');
    const third = pageCursors(second, 'next', 'c3');
    const lastPage = pageCursors(third, 'next', undefined);
    const back = pageCursors(third, 'previous');
    const first = pageCursors([undefined], 'previous');

    // Assess
    expect(third).toEqual([undefined, 'c2', 'c3']);
    expect(lastPage).toEqual(third);
    expect(back).toEqual([undefined, 'c2']);
    expect(first).toEqual([undefined]);
  });
});

describe('steps and variants', () => {
  it('gives each variant a row and a step without variants one of zeros', () => {
    // Prepare
    const variant = {
      weight: 1,
      sent: 10,
      delivered: 9,
      replied: 3,
      bounced: 1,
      replyRate: 1 / 3,
      probabilityBest: 0.7,
    };

    // Act
    const rows = stepRows({
      method: 'beta',
      steps: [
        {
          stepId: 'intro',
          channel: 'EMAIL',
          variants: [
            { variantId: 'a', ...variant },
            { variantId: 'b', ...variant },
          ],
        },
        { stepId: 'form', channel: 'CONTACT_FORM', variants: [] },
      ],
    });

    // Assess
    expect(rows.map((row) => [row.stepId, row.variantId, row.first, row.sent])).toEqual([
      ['intro', 'a', true, 10],
      ['intro', 'b', false, 10],
      ['form', '–', true, 0],
    ]);
  });
});

describe('schedule preview table', () => {
  it('makes a column per channel and sender and sums what was held back, naming the main reason', () => {
    // Act
    const table = previewTable({
      days: [
        {
          date: '2026-03-04',
          channels: [
            { channel: 'EMAIL', sender: 'a@x.test', scheduled: 5, heldBack: { dailyLimit: 3, holiday: 1 } },
            { channel: 'CONTACT_FORM', sender: '-', scheduled: 2, heldBack: { dailyLimit: 0 } },
          ],
        },
        { date: '2026-03-05', channels: [{ channel: 'EMAIL', sender: 'a@x.test', scheduled: 4, heldBack: {} }] },
      ],
    });

    // Assess
    expect(table.columns).toEqual([
      { key: 'EMAIL|a@x.test', label: 'Email a@x.test' },
      { key: 'CONTACT_FORM|-', label: 'Contact form' },
    ]);
    expect(table.rows[0]).toEqual({
      date: '2026-03-04',
      scheduled: { 'EMAIL|a@x.test': 5, 'CONTACT_FORM|-': 2 },
      heldBack: 4,
      topReason: 'dailyLimit',
    });
    expect(table.rows[1]?.topReason).toBeUndefined();
  });
});

describe('API errors and paths', () => {
  it('accepts paths with or without /v1', () => {
    expect([apiPath('/v1/campaigns'), apiPath('campaigns/x'), apiPath('/v1'), apiPath('/v1x')]).toEqual([
      '/campaigns',
      '/campaigns/x',
      '/',
      '/v1x',
    ]);
  });

  it('reads the API’s error body, API Gateway’s, and anything else', () => {
    // Act
    const api = toApiError(
      409,
      JSON.stringify({
        error: { code: 'lead_not_parked', message: 'lead l-1 is not parked', details: [{ field: 'id', message: 'x' }] },
      }),
    );
    const gateway = toApiError(401, '{"message":"Unauthorized"}');
    const html = toApiError(502, '<html>bad gateway</html>');

    // Assess
    expect(api).toBeInstanceOf(ApiError);
    expect([api.status, api.code, errorMessage(api)]).toEqual([
      409,
      'lead_not_parked',
      'lead l-1 is not parked (id: x)',
    ]);
    expect([gateway.code, gateway.message]).toEqual(['http_401', 'Unauthorized']);
    expect(html.message).toContain('502');
  });

  it('builds a query of the values given only', () => {
    expect(query({ status: 'PAUSED', cursor: undefined, limit: 50, empty: '' })).toBe('?status=PAUSED&limit=50');
    expect(query({})).toBe('');
  });
});
