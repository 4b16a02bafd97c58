import { describe, expect, it } from 'vitest';
import { formatApiError, normalizeBaseUrl } from '#cli/api-client';
import { parseSchedule } from '#cli/serve';
import { importChunks, suppressionKey } from '#cli/verbs';

describe('formatApiError', () => {
  it('puts the code, the message and each field detail on one line', () => {
    // Act
    const line = formatApiError('validation_error', 'The request is invalid', [
      { field: 'sender.email', message: 'Invalid email address' },
      { field: 'name', message: 'is required' },
    ]);

    // Assess
    expect(line).toBe(
      'validation_error: The request is invalid (sender.email: Invalid email address; name: is required)',
    );
  });

  it('leaves out empty details and caps long lists', () => {
    // Prepare
    const many = Array.from({ length: 9 }, (_, i) => ({ field: `f${i}`, message: 'bad' }));

    // Act
    const bare = formatApiError('not_found', 'campaign x does not exist', []);
    const capped = formatApiError('validation_error', 'bad', many);

    // Assess
    expect(bare).toBe('not_found: campaign x does not exist');
    expect(capped).toMatch(/f5: bad; … 3 more\)$/);
    expect(capped).not.toContain('\n');
  });
});

describe('normalizeBaseUrl', () => {
  it('accepts the API with or without /v1 and a trailing slash', () => {
    // Assess
    expect(normalizeBaseUrl('http://127.0.0.1:8787')).toBe('http://127.0.0.1:8787');
    expect(normalizeBaseUrl('http://127.0.0.1:8787/v1/')).toBe('http://127.0.0.1:8787');
    expect(normalizeBaseUrl('https://abc.execute-api.eu-west-1.amazonaws.com/v1')).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com',
    );
    expect(() => normalizeBaseUrl('not a url')).toThrow(/is not a URL/);
    expect(() => normalizeBaseUrl('ftp://x.example')).toThrow(/http/);
  });
});

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

describe('suppressionKey', () => {
  it('maps an address, a domain or a key to the entry key', () => {
    // Assess
    expect(suppressionKey('Ada@X.example')).toBe('EMAIL#ada@x.example');
    expect(suppressionKey('@x.example')).toBe('DOMAIN#x.example');
    expect(suppressionKey('HASH#abc')).toBe('HASH#abc');
  });
});

describe('parseSchedule', () => {
  it('reads EventBridge rate expressions', () => {
    // Assess
    expect(parseSchedule('rate(15 minutes)').nextDelayMs(new Date())).toBe(15 * 60_000);
    expect(parseSchedule('rate(1 hour)').nextDelayMs(new Date())).toBe(3_600_000);
    expect(parseSchedule(' rate(2 days) ').nextDelayMs(new Date())).toBe(2 * 86_400_000);
    expect(() => parseSchedule('rate(1 minutes)')).toThrow(/rate\(1 minute\)/);
    expect(() => parseSchedule('rate(0 minutes)')).toThrow();
    expect(() => parseSchedule('every 5 minutes')).toThrow(/not rate/);
  });

  it('reads EventBridge cron expressions in UTC', () => {
    // Prepare
    const friday = new Date('2026-11-27T08:59:30Z');

    // Act
    const weekdays = parseSchedule('cron(0 9 ? * MON-FRI *)');
    const quarterHours = parseSchedule('cron(0/15 * * * ? *)');

    // Assess
    expect(weekdays.nextDelayMs(friday)).toBe(30_000);
    // After Friday 09:00 the next weekday 09:00 is Monday.
    expect(weekdays.nextDelayMs(new Date('2026-11-27T09:00:00Z'))).toBe(3 * 86_400_000);
    expect(quarterHours.nextDelayMs(new Date('2026-11-27T10:07:00Z'))).toBe(8 * 60_000);
    expect(() => parseSchedule('cron(0 9 * *)')).toThrow(/6 fields/);
    expect(() => parseSchedule('cron(0 9 L * ? *)')).toThrow(/not supported/);
  });
});
