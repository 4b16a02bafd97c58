import { describe, expect, it } from 'vitest';
import { parseLeadCsvStream } from '#shared/leads/csv';
import { importLeadCsv, importLeadCsvStream } from '#shared/leads/import';

const HEADER = 'first_name,email,lead_score';

describe('parseLeadCsvStream', () => {
  it('reads the same rows as the whole-file parser on a clean file', async () => {
    // Prepare
    // (A quoted cell may span lines: a list cell, whose lines are its entries.)
    const text = `\uFEFF${HEADER},pain_points\r\nAnn,ann@x.example,0.5,\r\n\r\n"Ben, Jr",ben@x.example,0.4,\r\nCid,cid@x.example,0.3,"multi\nline"\r\n`;

    // Act
    const streamed = await importLeadCsvStream(text);

    // Assess
    const whole = importLeadCsv(text);
    expect(streamed.accepted).toEqual(whole.accepted);
    expect(streamed.acceptedRows).toEqual([1, 2, 3]);
    expect(streamed.rejected).toEqual([]);
    expect(streamed.tooManyRows).toBe(false);
  });

  it('reports a row with broken quoting by number and keeps reading the rows after it', async () => {
    // Prepare
    const text = [
      HEADER,
      'Ann,ann@x.example,0.5',
      'Bob,"bo"b@x.example,0.4',
      'Cid,cid@x.example,0.3',
      'Dee,"dee@x.example,0.2',
      'Eve,eve@x.example,0.1',
    ].join('\n');

    // Act
    const parsed = await parseLeadCsvStream(text);

    // Assess
    expect(parsed.rows.map((row) => row.first_name ?? null)).toEqual(['Ann', null, 'Cid', null, 'Eve']);
    expect(parsed.errors).toEqual([
      { row: 2, field: 'row', message: expect.stringContaining('line 3') },
      { row: 4, field: 'row', message: expect.stringContaining('never closed') },
    ]);
  });

  it('stops after maxRows data rows', async () => {
    // Prepare
    const text = [HEADER, ...Array.from({ length: 20 }, (_, i) => `L${i},l${i}@x.example,0.5`)].join('\n');

    // Act
    const capped = await parseLeadCsvStream(text, { maxRows: 10 });
    const exact = await parseLeadCsvStream(text, { maxRows: 20 });

    // Assess
    expect(capped.tooManyRows).toBe(true);
    expect(capped.rows).toHaveLength(10);
    expect(exact.tooManyRows).toBe(false);
    expect(exact.rows).toHaveLength(20);
  });
});
