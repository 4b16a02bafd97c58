import { Readable } from 'node:stream';
import { CsvError, parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';

/**
 * Reading a lead file's CSV text into rows of header → cell text, with the structural problems of each row
 * (wrong number of cells, broken quoting). What the cells mean is the lead import's business (import.ts).
 */

/** One CSV data row: header → trimmed cell text. `rows[i]` is data row `i + 1`. */
export type LeadRow = Record<string, string>;

export interface FieldError {
  /** 1-based data row (the header is not counted). */
  row: number;
  /** camelCase field name, or `row` for a problem with the row as a whole. */
  field: string;
  message: string;
}

export interface ParsedLeadCsv {
  rows: LeadRow[];
  /** Structural problems (wrong number of cells, broken quoting); such rows must not be imported. */
  errors: FieldError[];
}

export interface StreamedLeadCsv extends ParsedLeadCsv {
  /** The file has more than `maxRows` data rows; parsing stopped there. */
  tooManyRows: boolean;
}

const CSV_OPTIONS = { trim: true, skip_empty_lines: true, relax_column_count: true } as const;

/** Parses lead CSV text: header row gives the columns; BOM-safe; cells trimmed; blank lines skipped. */
export function parseLeadCsv(text: string): ParsedLeadCsv {
  const result: ParsedLeadCsv = { rows: [], errors: [] };
  let cells: string[][];
  try {
    cells = parse(text, { bom: true, ...CSV_OPTIONS }) as string[][];
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const records = (err as { records?: number }).records;
    result.errors.push({
      row: typeof records === 'number' ? records : 0,
      field: 'row',
      message: `unreadable CSV: ${detail}`,
    });
    return result;
  }
  const [header, ...data] = cells;
  if (!header) return result;
  const columns = header.map((h) => h.trim());
  for (const record of data) addCsvRow(result, columns, record);
  return result;
}

/** Appends one data row; cells beyond the header's columns are an error unless they are all empty. */
function addCsvRow(result: ParsedLeadCsv, columns: string[], record: string[]): void {
  const row = result.rows.length + 1;
  const values: LeadRow = {};
  columns.forEach((column, c) => {
    // A repeated column (`email,email`): the first non-blank cell wins.
    // Own properties only: a column named `constructor` or `__proto__` is reported by the import, never
    // mistaken for (or written into) the object's prototype.
    if (column === '' || (Object.hasOwn(values, column) && values[column]?.trim() !== '')) return;
    Object.defineProperty(values, column, {
      value: record[c] ?? '',
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  if (record.length > columns.length && record.slice(columns.length).some((cell) => cell !== '')) {
    result.errors.push({
      row,
      field: 'row',
      message: `has ${record.length} cells but the header has ${columns.length} columns`,
    });
  }
  result.rows.push(values);
}

const CSV_PROBLEMS: Record<string, string> = {
  CSV_INVALID_CLOSING_QUOTE: 'a quoted value is followed by more text before the next comma',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a quoted value is followed by more text before the next comma',
  CSV_QUOTE_NOT_CLOSED: 'a quoted value is never closed',
  CSV_INVALID_OPENING_QUOTE: 'a quote appears inside an unquoted value',
  INVALID_OPENING_QUOTE: 'a quote appears inside an unquoted value',
  CSV_MAX_RECORD_SIZE: 'the row is too long',
};

const LINE_BREAK = /\r\n|\n|\r/g;

/** Offsets of the start of every physical line (1-based line n starts at `starts[n - 1]`). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (const match of text.matchAll(LINE_BREAK)) starts.push(match.index + match[0].length);
  return starts;
}

function* chunksOf(text: string, size = 64 * 1024): Generator<string> {
  for (let offset = 0; offset < text.length; offset += size) yield text.slice(offset, offset + size);
}

/** What the streaming parse has read so far: the rows, their problems, and the header's columns. */
interface StreamState {
  result: StreamedLeadCsv;
  columns?: string[];
  maxRows: number;
}

/**
 * Streams lead CSV text through csv-parse, record by record, stopping after `maxRows` data rows. A row
 * csv-parse cannot read (broken quoting) is reported by its data-row number and parsing resumes on the
 * next physical line, so one broken row does not cost the rest of the file. Rows are numbered as in
 * `parseLeadCsv`: data row 1 is the line after the header.
 */
export async function parseLeadCsvStream(text: string, options: { maxRows?: number } = {}): Promise<StreamedLeadCsv> {
  const state: StreamState = {
    result: { rows: [], errors: [], tooManyRows: false },
    maxRows: options.maxRows ?? Number.POSITIVE_INFINITY,
  };
  const { result } = state;
  const starts = lineStarts(text);
  const isBlank = (line: number) => text.slice(starts[line - 1], starts[line] ?? text.length).trim() === '';
  let startLine = 1;
  while (startLine <= starts.length) {
    const { failure, lastLine } = await parseSegment(text.slice(starts[startLine - 1]), startLine, state);
    if (!failure || result.tooManyRows) return result;
    let broken = lastLine + 1;
    while (broken < starts.length && isBlank(broken)) broken++;
    const problem = CSV_PROBLEMS[failure.code] ?? failure.code;
    if (!state.columns) {
      result.errors.push({ row: 0, field: 'row', message: `unreadable CSV header: ${problem}` });
      return result;
    }
    if (result.rows.length >= state.maxRows) {
      result.tooManyRows = true;
      return result;
    }
    result.rows.push({});
    result.errors.push({
      row: result.rows.length,
      field: 'row',
      message: `unreadable CSV (line ${broken}): ${problem}`,
    });
    startLine = broken + 1;
  }
  return result;
}

/**
 * Parses the text from physical line `startLine` on until its end, the row limit, or the first text error
 * (resolved, with the last line read before it; any other error rejects).
 */
async function parseSegment(
  segment: string,
  startLine: number,
  state: StreamState,
): Promise<{ failure: CsvError | undefined; lastLine: number }> {
  const { result } = state;
  let lastLine = startLine - 1;
  const source = Readable.from(chunksOf(segment));
  const parser = parseStream({
    bom: startLine === 1,
    ...CSV_OPTIONS,
    // Records are taken here, synchronously and in order, so an error cannot overtake them.
    on_record: (record: string[], context) => {
      if (result.tooManyRows) return null;
      lastLine = startLine - 1 + context.lines;
      if (!state.columns) state.columns = record.map((h) => h.trim());
      else if (result.rows.length >= state.maxRows) {
        result.tooManyRows = true;
        source.unpipe(parser);
        source.destroy();
        parser.end();
      } else addCsvRow(result, state.columns, record);
      return null;
    },
  });
  const failure = await new Promise<CsvError | undefined>((resolve, reject) => {
    // Every CsvError is about the text (csv-parse 7 names most codes CSV_…, but not INVALID_OPENING_QUOTE).
    parser.on('error', (error: Error) => (error instanceof CsvError ? resolve(error) : reject(error)));
    parser.on('end', () => resolve(undefined));
    parser.resume();
    source.pipe(parser);
  });
  return { failure, lastLine };
}
