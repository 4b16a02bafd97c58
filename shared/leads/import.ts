import { Readable } from 'node:stream';
import { CsvError, parse as parseStream } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import * as z from 'zod';
import { LinkedInConnectionStatus } from '../domain/schemas';
import { isSingleLine, SINGLE_LINE_MESSAGE } from '../mail/header';

/** One CSV data row: header → trimmed cell text. `rows[i]` is data row `i + 1`. */
export type LeadRow = Record<string, string>;

export interface FieldError {
  /** 1-based data row (the header is not counted). */
  row: number;
  /** camelCase field name, or `row` for a problem with the row as a whole. */
  field: string;
  message: string;
}

export interface RejectedLead {
  row: number;
  /** Human-readable, one per problem: `leadScore: must be between 0 and 1`. */
  reasons: string[];
  errors: { field: string; message: string }[];
}

export interface LeadValidationResult {
  accepted: LeadInput[];
  /** 1-based row of each accepted lead, parallel to `accepted`. */
  acceptedRows: number[];
  rejected: RejectedLead[];
}

/** Empty or whitespace-only values are absent. */
const blankToUndefined = (value: unknown): unknown => {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  return value;
};

/** Text fields also take a JSON number (e.g. a phone number) as its decimal text. */
const toText = (value: unknown): unknown => {
  const v = blankToUndefined(value);
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
};

/**
 * Every lead text field is one line: any of them can reach a subject through a template
 * (`{{ lead.company }}`), where a CR/LF or other control character must never arrive.
 */
const optionalText = () =>
  z.preprocess(
    toText,
    z.string({ error: 'must be text' }).max(2_000, 'is too long').refine(isSingleLine, SINGLE_LINE_MESSAGE).optional(),
  );

const toNumber = (value: unknown): unknown => {
  const v = blankToUndefined(value);
  if (typeof v !== 'string') return v;
  const n = Number(v);
  return Number.isNaN(n) ? v : n;
};

const optionalWholeNumber = () =>
  z.preprocess(
    toNumber,
    z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .nonnegative('must not be negative')
      .optional(),
  );

/**
 * `a; b;;c` → `['a','b','c']`; arrays are accepted as given (JSON). A line break separates entries like `;`
 * (a spreadsheet cell with one pain point per line), so each entry is one line.
 */
const toList = (value: unknown): unknown => {
  const v = blankToUndefined(value);
  if (v === undefined) return [];
  if (typeof v === 'string') {
    return v
      .split(/[;\r\n]/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  if (Array.isArray(v)) return v.map((s) => (typeof s === 'string' ? s.trim() : s)).filter((s) => s !== '');
  return v;
};

/** Tags and pain points: short labels, a bounded number of them (a lead is one DynamoDB item). */
const MAX_LIST_ITEMS = 50;
const MAX_LIST_ITEM_LENGTH = 200;

const list = () =>
  z.preprocess(
    toList,
    z
      .array(
        z
          .string({ error: 'must be a list of text' })
          .max(MAX_LIST_ITEM_LENGTH, `has an entry longer than ${MAX_LIST_ITEM_LENGTH} characters`)
          .refine(isSingleLine, 'has an entry that is not a single line without control characters'),
        { error: 'must be a list' },
      )
      .max(MAX_LIST_ITEMS, `must have at most ${MAX_LIST_ITEMS} entries`),
  );

/** RFC 5321: an address is at most 254 characters (it is also part of a DynamoDB key). */
const MAX_EMAIL_LENGTH = 254;

const LINKEDIN_VALUES = LinkedInConnectionStatus.options.join(', ');

/**
 * One lead as imported (CSV row or JSON object, camelCase keys). Email is kept as given: an unusable address is
 * the email channel's FALLBACK later, not an import error (unless it holds control characters, like any text
 * field here). `scenario` is passed through for demos only.
 */
export const LeadInput = z.object({
  firstName: z.preprocess(
    blankToUndefined,
    z.string({ error: 'is required' }).max(200, 'is too long').refine(isSingleLine, SINGLE_LINE_MESSAGE),
  ),
  lastName: optionalText(),
  email: z.preprocess(
    toText,
    z
      .string({ error: 'must be text' })
      .max(MAX_EMAIL_LENGTH, `is too long (at most ${MAX_EMAIL_LENGTH} characters)`)
      .refine(isSingleLine, SINGLE_LINE_MESSAGE)
      .optional(),
  ),
  company: optionalText(),
  title: optionalText(),
  website: optionalText(),
  linkedinUrl: optionalText(),
  linkedinProviderId: optionalText(),
  linkedinStatus: z.preprocess(
    (v) => {
      const t = blankToUndefined(v);
      return typeof t === 'string' ? t.toUpperCase().replace(/[\s-]+/g, '_') : t;
    },
    z.enum(LinkedInConnectionStatus.options, { error: `must be one of ${LINKEDIN_VALUES}` }).default('NOT_CONNECTED'),
  ),
  contactFormUrl: optionalText(),
  phone: optionalText(),
  timezone: optionalText(),
  /** 0..1; absent counts as 0. */
  leadScore: z.preprocess(
    toNumber,
    z
      .number({ error: 'must be a number between 0 and 1' })
      .min(0, 'must be between 0 and 1')
      .max(1, 'must be between 0 and 1')
      .default(0),
  ),
  budgetRange: optionalText(),
  /** Months; 0 means no timeline (absent). */
  timelineMonths: z.preprocess((v) => {
    const n = toNumber(v);
    return n === 0 ? undefined : n;
  }, z
    .number({ error: 'must be a whole number of months' })
    .int('must be a whole number of months')
    .positive('must not be negative')
    .optional()),
  painPoints: list(),
  tags: list(),
  industry: optionalText(),
  employeeCount: optionalWholeNumber(),
  scenario: optionalText(),
});
export type LeadInput = z.output<typeof LeadInput>;

const ALIASES: Record<string, string> = {
  linkedinConnectionStatus: 'linkedinStatus',
  linkedInUrl: 'linkedinUrl',
  linkedInStatus: 'linkedinStatus',
  score: 'leadScore',
};

/** `first_name` / `First Name` / `first-name` → `firstName`; keys already camelCase are kept. */
function toCamelKey(key: string): string {
  const trimmed = key.replace(/^\uFEFF/, '').trim();
  if (!/[\s_-]/.test(trimmed)) return ALIASES[trimmed] ?? trimmed;
  const [head = '', ...rest] = trimmed
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter(Boolean);
  const camel = head + rest.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return ALIASES[camel] ?? camel;
}

/** Maps a CSV record (snake_case headers) or a JSON object to the camelCase keys `LeadInput` reads. */
export function normalizeLeadRecord(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const camel = toCamelKey(key);
    // The first non-blank value wins when two headers map to the same field.
    if (out[camel] === undefined || blankToUndefined(out[camel]) === undefined) out[camel] = value;
  }
  return out;
}

export interface ParsedLeadCsv {
  rows: LeadRow[];
  /** Structural problems (wrong number of cells, broken quoting); such rows must not be imported. */
  errors: FieldError[];
}

/** Parses lead CSV text: header row gives the columns; BOM-safe; cells trimmed; blank lines skipped. */
export function parseLeadCsv(text: string): ParsedLeadCsv {
  const rows: LeadRow[] = [];
  const errors: FieldError[] = [];
  let cells: string[][];
  try {
    cells = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    const records = (err as { records?: number }).records;
    errors.push({ row: typeof records === 'number' ? records : 0, field: 'row', message: `unreadable CSV: ${detail}` });
    return { rows, errors };
  }
  const [header, ...data] = cells;
  if (!header) return { rows, errors };
  const columns = header.map((h) => h.trim());
  data.forEach((record, i) => {
    const row = i + 1;
    const values: LeadRow = {};
    columns.forEach((column, c) => {
      if (column !== '') values[column] = record[c] ?? '';
    });
    if (record.length > columns.length && record.slice(columns.length).some((cell) => cell !== '')) {
      errors.push({
        row,
        field: 'row',
        message: `has ${record.length} cells but the header has ${columns.length} columns`,
      });
    }
    rows.push(values);
  });
  return { rows, errors };
}

const fieldOf = (issue: z.core.$ZodIssue): string => {
  const [first, ...rest] = issue.path;
  if (first === undefined) return 'row';
  return [first, ...rest].map(String).join('.');
};

/**
 * Validates records (CSV rows or JSON objects; snake_case or camelCase keys). Row `i` of `records` is row `i + 1`.
 * A repeated email (case-insensitive) within the records or already in `existingEmails` is rejected; the first
 * accepted occurrence is kept.
 */
export function validateLeadRows(
  records: ReadonlyArray<Record<string, unknown>>,
  options: { existingEmails?: ReadonlySet<string> } = {},
): LeadValidationResult {
  const existing = new Set([...(options.existingEmails ?? [])].map((e) => e.trim().toLowerCase()));
  const firstRowOf = new Map<string, number>();
  const result: LeadValidationResult = { accepted: [], acceptedRows: [], rejected: [] };

  records.forEach((record, i) => {
    const row = i + 1;
    const errors: { field: string; message: string }[] = [];
    const parsed = LeadInput.safeParse(
      record !== null && typeof record === 'object' && !Array.isArray(record) ? normalizeLeadRecord(record) : record,
    );
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push({ field: fieldOf(issue), message: issue.message });
    } else if (parsed.data.email !== undefined) {
      const key = parsed.data.email.toLowerCase();
      const earlier = firstRowOf.get(key);
      if (earlier !== undefined) errors.push({ field: 'email', message: `duplicate of row ${earlier}` });
      else if (existing.has(key)) errors.push({ field: 'email', message: 'already imported in this campaign' });
    }
    if (errors.length > 0 || !parsed.success) {
      result.rejected.push({ row, errors, reasons: errors.map((e) => `${e.field}: ${e.message}`) });
      return;
    }
    if (parsed.data.email !== undefined) firstRowOf.set(parsed.data.email.toLowerCase(), row);
    result.accepted.push(parsed.data);
    result.acceptedRows.push(row);
  });
  return result;
}

/** Parse + validate in one go; rows with structural CSV problems are rejected with those reasons. */
export function importLeadCsv(
  text: string,
  options: { existingEmails?: ReadonlySet<string> } = {},
): LeadValidationResult {
  return validateParsedCsv(parseLeadCsv(text), options);
}

/** Validates parsed rows; a row with a structural problem is rejected with that problem only. */
function validateParsedCsv(
  { rows, errors }: ParsedLeadCsv,
  options: { existingEmails?: ReadonlySet<string> },
): LeadValidationResult {
  const badRows = new Map<number, { field: string; message: string }[]>();
  for (const e of errors) badRows.set(e.row, [...(badRows.get(e.row) ?? []), { field: e.field, message: e.message }]);
  // Validate every row so duplicates are judged in file order, then drop the structurally broken ones.
  const kept = rows.map((r, i) => (badRows.has(i + 1) ? { first_name: '' } : r));
  const validated = validateLeadRows(kept, options);
  const rejected = validated.rejected.map((r) => {
    const structural = badRows.get(r.row);
    if (!structural) return r;
    return { row: r.row, errors: structural, reasons: structural.map((e) => `${e.field}: ${e.message}`) };
  });
  for (const [row, errs] of badRows) {
    if (!rejected.some((r) => r.row === row)) {
      rejected.push({ row, errors: errs, reasons: errs.map((e) => `${e.field}: ${e.message}`) });
    }
  }
  rejected.sort((a, b) => a.row - b.row);
  return { accepted: validated.accepted, acceptedRows: validated.acceptedRows, rejected };
}

export interface StreamedLeadCsv extends ParsedLeadCsv {
  /** The file has more than `maxRows` data rows; parsing stopped there. */
  tooManyRows: boolean;
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

/**
 * Streams lead CSV text through csv-parse, record by record, stopping after `maxRows` data rows. A row
 * csv-parse cannot read (broken quoting) is reported by its data-row number and parsing resumes on the
 * next physical line, so one broken row does not cost the rest of the file. Rows are numbered as in
 * `parseLeadCsv`: data row 1 is the line after the header.
 */
export async function parseLeadCsvStream(text: string, options: { maxRows?: number } = {}): Promise<StreamedLeadCsv> {
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  const result: StreamedLeadCsv = { rows: [], errors: [], tooManyRows: false };
  const starts = lineStarts(text);
  const isBlank = (line: number) => text.slice(starts[line - 1], starts[line] ?? text.length).trim() === '';
  let columns: string[] | undefined;
  let startLine = 1;
  while (startLine <= starts.length) {
    let lastLine = startLine - 1;
    const segmentStart = startLine;
    const source = Readable.from(chunksOf(text.slice(starts[startLine - 1])));
    const parser = parseStream({
      bom: startLine === 1,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      // Records are taken here, synchronously and in order, so an error cannot overtake them.
      on_record: (record: string[], context) => {
        if (result.tooManyRows) return null;
        lastLine = segmentStart - 1 + context.lines;
        if (!columns) columns = record.map((h) => h.trim());
        else if (result.rows.length >= maxRows) {
          result.tooManyRows = true;
          source.unpipe(parser);
          source.destroy();
          parser.end();
        } else addCsvRow(result, columns, record);
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
    if (!failure || result.tooManyRows) return result;
    let broken = lastLine + 1;
    while (broken < starts.length && isBlank(broken)) broken++;
    const problem = CSV_PROBLEMS[failure.code] ?? failure.code;
    if (!columns) {
      result.errors.push({ row: 0, field: 'row', message: `unreadable CSV header: ${problem}` });
      return result;
    }
    if (result.rows.length >= maxRows) {
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

function addCsvRow(result: ParsedLeadCsv, columns: string[], record: string[]): void {
  const row = result.rows.length + 1;
  const values: LeadRow = {};
  columns.forEach((column, c) => {
    if (column !== '') values[column] = record[c] ?? '';
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

/** `importLeadCsv` over the streaming parser: per-row errors, valid rows kept, at most `maxRows` rows read. */
export async function importLeadCsvStream(
  text: string,
  options: { existingEmails?: ReadonlySet<string>; maxRows?: number } = {},
): Promise<LeadValidationResult & { tooManyRows: boolean }> {
  const parsed = await parseLeadCsvStream(text, { maxRows: options.maxRows });
  return { ...validateParsedCsv(parsed, options), tooManyRows: parsed.tooManyRows };
}
