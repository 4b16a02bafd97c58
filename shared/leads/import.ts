import * as z from 'zod';
import { LinkedInConnectionStatus } from '../domain/schemas';
import { isPrototypeKey, PROTOTYPE_KEY_MESSAGE, storableProblems } from '../domain/storable';
import { isSingleLine, SINGLE_LINE_MESSAGE } from '../mail/header';
import { isValidCountry, isValidTimeZone } from '../schedule/schema';
import { type ParsedLeadCsv, parseLeadCsv, parseLeadCsvStream } from './csv';

/**
 * The lead import: rows of a lead file (CSV read by csv.ts, or JSON objects) validated one by one into
 * `LeadInput`s; a bad row is reported by its number and field, the valid rows are kept.
 */

export interface RejectedLead {
  row: number;
  /** Human-readable, one per problem: `leadScore: must be between 0 and 1`. */
  reasons: string[];
  errors: { field: string; message: string }[];
  /** The lead the row already is, when its address is already in the campaign (a retried import). */
  leadId?: string;
}

export interface LeadValidationResult {
  accepted: LeadInput[];
  /** 1-based row of each accepted lead, parallel to `accepted`. */
  acceptedRows: number[];
  rejected: RejectedLead[];
  /** Columns (CSV) or keys (JSON) that name no lead field, as given: their values were not imported. */
  unknownColumns: string[];
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
  /** IANA zone: the lead's send window is read in it. */
  timezone: z.preprocess(
    toText,
    z
      .string({ error: 'must be text' })
      .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin or America/New_York')
      .optional(),
  ),
  /** ISO 3166-1 alpha-2 (any case in the file): whose public holidays the send window skips. */
  country: z.preprocess((value) => {
    const text = toText(value);
    return typeof text === 'string' ? text.toUpperCase() : text;
  }, z
    .string({ error: 'must be text' })
    .refine(isValidCountry, 'must be an ISO 3166-1 alpha-2 country code such as DE, US or JP')
    .optional()),
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

/**
 * Header spellings of a lead file, by canonical form (lower case, letters and digits only): every field of
 * `LeadInput` under its own name (`First Name`, `FIRST_NAME`, `first-name`, `firstName` are one column) and
 * the common names spreadsheets and CRM exports use for them.
 */
const canonical = (key: string) => key.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

const HEADER_ALIASES: Record<string, string> = {
  score: 'leadScore',
  linkedinconnectionstatus: 'linkedinStatus',
  connectionstatus: 'linkedinStatus',
  linkedin: 'linkedinUrl',
  linkedinprofile: 'linkedinUrl',
  linkedinprofileurl: 'linkedinUrl',
  profileurl: 'linkedinUrl',
  first: 'firstName',
  firstname: 'firstName',
  givenname: 'firstName',
  forename: 'firstName',
  last: 'lastName',
  surname: 'lastName',
  familyname: 'lastName',
  emailaddress: 'email',
  mail: 'email',
  companyname: 'company',
  organization: 'company',
  organisation: 'company',
  account: 'company',
  accountname: 'company',
  jobtitle: 'title',
  position: 'title',
  role: 'title',
  url: 'website',
  web: 'website',
  websiteurl: 'website',
  companywebsite: 'website',
  domain: 'website',
  contactform: 'contactFormUrl',
  phonenumber: 'phone',
  telephone: 'phone',
  mobile: 'phone',
  tz: 'timezone',
  timezonename: 'timezone',
  countrycode: 'country',
  countryiso: 'country',
  employees: 'employeeCount',
  companysize: 'employeeCount',
  budget: 'budgetRange',
  timeline: 'timelineMonths',
  tag: 'tags',
  painpoint: 'painPoints',
};

const FIELD_BY_CANONICAL: ReadonlyMap<string, string> = new Map([
  ...Object.keys(LeadInput.shape).map((field): [string, string] => [canonical(field), field]),
  ...Object.entries(HEADER_ALIASES),
]);

/** `First Name` / `FIRST_NAME` / `first-name` / `E-mail` → `firstName` / `email`; an unknown key is kept as given. */
export function toCamelKey(key: string): string {
  const trimmed = key.replace(/^\uFEFF/, '').trim();
  return FIELD_BY_CANONICAL.get(canonical(trimmed)) ?? trimmed;
}

/** Columns (or JSON keys) of `records` that name no lead field: reported, their values not imported. */
export function unknownColumns(records: ReadonlyArray<Record<string, unknown>>): string[] {
  const unknown = new Set<string>();
  for (const record of records) {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) continue;
    for (const key of Object.keys(record))
      if (key.trim() !== '' && !FIELD_BY_CANONICAL.has(canonical(key))) unknown.add(key.trim());
  }
  return [...unknown];
}

/** Keys of a record that name a prototype member once read (`constructor`, `__proto__`, `Prototype`). */
function prototypeKeyProblems(record: Record<string, unknown>): { field: string; message: string }[] {
  return Object.keys(record)
    .filter((key) => isPrototypeKey(key) || isPrototypeKey(toCamelKey(key)))
    .map((key) => ({ field: key, message: PROTOTYPE_KEY_MESSAGE }));
}

/**
 * Maps a CSV record (snake_case headers) or a JSON object to the camelCase keys `LeadInput` reads. A key
 * naming a prototype member is dropped (`out.__proto__ = …` would replace the record's prototype).
 */
export function normalizeLeadRecord(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const camel = toCamelKey(key);
    if (isPrototypeKey(camel)) continue;
    // The first non-blank value wins when two headers map to the same field.
    if (out[camel] === undefined || blankToUndefined(out[camel]) === undefined) out[camel] = value;
  }
  return out;
}

/** A rejected row with its problems, each also as a `field: message` reason. */
export function rejectedLead(row: number, errors: { field: string; message: string }[]): RejectedLead {
  return { row, errors, reasons: errors.map((e) => `${e.field}: ${e.message}`) };
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
  const result: LeadValidationResult = {
    accepted: [],
    acceptedRows: [],
    rejected: [],
    unknownColumns: unknownColumns(records),
  };

  records.forEach((record, i) => {
    const row = i + 1;
    const isRecord = record !== null && typeof record === 'object' && !Array.isArray(record);
    const normalized = isRecord ? normalizeLeadRecord(record) : record;
    // Prototype keys and numbers DynamoDB cannot hold are this row's error, as given or once read (CSV text).
    const errors: { field: string; message: string }[] = [
      ...(isRecord ? prototypeKeyProblems(record) : []),
      ...storableProblems(normalized, 'row'),
    ];
    const parsed = LeadInput.safeParse(normalized);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push({ field: fieldOf(issue), message: issue.message });
    } else if (errors.length === 0) {
      errors.push(...storableProblems(parsed.data, 'row'));
    }
    if (parsed.success && errors.length === 0 && parsed.data.email !== undefined) {
      const key = parsed.data.email.toLowerCase();
      const earlier = firstRowOf.get(key);
      if (earlier !== undefined) errors.push({ field: 'email', message: `duplicate of row ${earlier}` });
      else if (existing.has(key)) errors.push({ field: 'email', message: 'already imported in this campaign' });
    }
    if (errors.length > 0 || !parsed.success) {
      result.rejected.push(rejectedLead(row, errors));
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
    return structural ? rejectedLead(r.row, structural) : r;
  });
  for (const [row, errs] of badRows) if (!rejected.some((r) => r.row === row)) rejected.push(rejectedLead(row, errs));
  rejected.sort((a, b) => a.row - b.row);
  return {
    accepted: validated.accepted,
    acceptedRows: validated.acceptedRows,
    rejected,
    unknownColumns: validated.unknownColumns,
  };
}

/** `importLeadCsv` over the streaming parser: per-row errors, valid rows kept, at most `maxRows` rows read. */
export async function importLeadCsvStream(
  text: string,
  options: { existingEmails?: ReadonlySet<string>; maxRows?: number } = {},
): Promise<LeadValidationResult & { tooManyRows: boolean }> {
  const parsed = await parseLeadCsvStream(text, { maxRows: options.maxRows });
  return { ...validateParsedCsv(parsed, options), tooManyRows: parsed.tooManyRows };
}
