import { describe, expect, it } from 'vitest';
import type { OutreachMessage } from '#shared/domain/schemas';
import { LEAD_CSV_COLUMNS, leadCsvRow } from '#shared/leads/export';
import { testLead } from '#test/support/fixtures';

const message = (fields: Partial<OutreachMessage>): OutreachMessage => ({
  messageId: 'm',
  leadId: 'lead-1',
  campaignId: 'c',
  channel: 'EMAIL',
  status: 'SENT',
  body: 'b',
  executionName: 'x',
  attemptKey: 'x#0#1',
  createdAt: '2026-11-24T09:00:00.000Z',
  sentAt: '2026-11-24T09:00:01.000Z',
  ...fields,
});

describe('a lead row of the campaign export', () => {
  it("carries the lead's pool sender and the A/B variants of its messages, in send order", () => {
    // Prepare
    const lead = testLead({ leadId: 'lead-1', campaignId: 'c', senderId: 'pool-b' });
    const messages = [
      message({ messageId: 'm2', stepId: 'follow-up', variantId: 'short', createdAt: '2026-11-26T09:00:00.000Z' }),
      message({ messageId: 'm1', stepId: 'intro', variantId: 'long' }),
    ];

    // Act
    const row = leadCsvRow(lead, messages);

    // Assess
    expect(row[LEAD_CSV_COLUMNS.indexOf('senderId')]).toBe('pool-b');
    expect(row[LEAD_CSV_COLUMNS.indexOf('variantIds')]).toBe('intro:long;follow-up:short');
    expect(leadCsvRow(testLead({ leadId: 'l', campaignId: 'c' }), [])[LEAD_CSV_COLUMNS.indexOf('variantIds')]).toBe(
      undefined,
    );
  });
});
