import { describe, expect, it } from 'vitest';
import { importChunks } from '#cli/verbs/lead-import';

describe('importChunks', () => {
  it('splits a CSV into chunks that each carry the header, with row offsets, quoted newlines kept', () => {
    // Prepare
    const text = 'first_name,notes\nA,"one\nline two"\n\nB,b\nC,c\nD,d\nE,e';

    // Act
    const chunks = importChunks('leads.csv', text, 2);

    // Assess
    expect(chunks.map((chunk) => [chunk.offset, chunk.rows])).toEqual([
      [0, 2],
      [2, 2],
      [4, 1],
    ]);
    expect(chunks[0]?.body).toBe('first_name,notes\nA,"one\nline two"\n\nB,b\n');
    expect(chunks[2]?.body).toBe('first_name,notes\nE,e\n');
    expect(chunks.every((chunk) => chunk.contentType.startsWith('text/csv'))).toBe(true);
  });

  it('keeps each JSON chunk under the 1 MB body limit', () => {
    // Prepare
    const rows = Array.from({ length: 30 }, (_, i) => ({ firstName: `n${i}`, notes: 'x'.repeat(100_000) }));

    // Act
    const chunks = importChunks('leads.json', JSON.stringify(rows));

    // Assess
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(Buffer.byteLength(JSON.stringify(chunk.body))).toBeLessThanOrEqual(1_000_000);
    expect(chunks.reduce((sum, chunk) => sum + chunk.rows, 0)).toBe(30);
    expect(chunks[1]?.offset).toBe(chunks[0]?.rows);
  });

  it('splits a JSON array, and refuses JSON that is not an array', () => {
    // Act
    const chunks = importChunks('leads.json', JSON.stringify([{ a: 1 }, { a: 2 }, { a: 3 }]), 2);

    // Assess
    expect(chunks.map((chunk) => [chunk.offset, chunk.body])).toEqual([
      [0, [{ a: 1 }, { a: 2 }]],
      [2, [{ a: 3 }]],
    ]);
    expect(() => importChunks('leads.json', '{"a":1}')).toThrow(/array/);
  });
});
