import { parse } from 'csv-parse/sync';
import { type ApiClient, newIdempotencyKey } from '../api-client';
import { progressBar } from '../output';
import { asArray, asRecord, type Json, listFrom, num, str } from './answers';
import { segment } from './options';

/**
 * `cascade leads import`: a lead file cut into requests the API accepts (rows and body bytes), sent one after
 * the other, the API's per-request row numbers mapped back to the file's.
 */

/** At most this many rows per import request. */
export const IMPORT_CHUNK_ROWS = 10_000;

/** Request body caps below the API's (1 MB JSON, 6 MB CSV), leaving room for the JSON brackets and the header. */
const MAX_JSON_CHUNK_BYTES = 1_000_000;
const MAX_CSV_CHUNK_BYTES = 6_000_000;

export interface ImportChunk {
  /** Data rows before this chunk (added to the API's 1-based row numbers). */
  offset: number;
  rows: number;
  body: string | unknown[];
  contentType: string;
}

export interface RejectedRow {
  row: number;
  reasons: string[];
  /** The lead the row already is when its address is already in the campaign (e.g. an import retried). */
  leadId?: string;
}

export interface ImportSummary {
  campaignId: string;
  accepted: number;
  rejected: RejectedRow[];
  /** Imported leads (id, email) as the API lists them. */
  leads: Json[];
}

/** Groups items into runs of at most `rows` items and `bytes` bytes (an item larger than `bytes` goes alone). */
function group<T>(items: T[], rows: number, bytes: number, sizeOf: (item: T) => number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    const itemSize = sizeOf(item);
    if (current.length > 0 && (current.length >= rows || size + itemSize > bytes)) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += itemSize;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Chunks of `rows` data rows each, numbered by the rows before them. */
function withOffsets<T>(groups: T[][], chunk: (slice: T[]) => Omit<ImportChunk, 'offset' | 'rows'>): ImportChunk[] {
  let offset = 0;
  return groups.map((slice) => {
    const made = { offset, rows: slice.length, ...chunk(slice) };
    offset += slice.length;
    return made;
  });
}

function jsonChunks(file: string, text: string, size: number): ImportChunk[] {
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(rows)) throw new Error(`${file}: a JSON lead file is an array of leads`);
  const groups = group(rows, size, MAX_JSON_CHUNK_BYTES - 2, (row) => Buffer.byteLength(JSON.stringify(row)) + 1);
  return withOffsets(groups, (body) => ({ body, contentType: 'application/json' }));
}

function csvChunks(file: string, text: string, size: number): ImportChunk[] {
  let records: { raw: string }[];
  try {
    records = parse(text, { bom: true, raw: true, skip_empty_lines: true, relax_column_count: true }) as unknown as {
      raw: string;
    }[];
  } catch {
    // Unreadable CSV: send it whole, the API reports where it breaks.
    return [{ offset: 0, rows: 0, body: text, contentType: 'text/csv' }];
  }
  const [header, ...data] = records;
  if (!header) throw new Error(`${file} is empty`);
  const line = (raw: string) => (raw.endsWith('\n') ? raw : `${raw}\n`);
  const head = line(header.raw.replace(/^\uFEFF/, ''));
  const groups = group(data, size, MAX_CSV_CHUNK_BYTES - Buffer.byteLength(head), (record) =>
    Buffer.byteLength(line(record.raw)),
  );
  // A header-only file still makes one request: the API answers for an empty import.
  return withOffsets(groups.length > 0 ? groups : [[]], (slice) => ({
    body: head + slice.map((record) => line(record.raw)).join(''),
    contentType: 'text/csv; charset=utf-8',
  }));
}

/**
 * Splits a lead file into requests of at most `size` rows (and under the API's body limits): CSV keeps its
 * header in every chunk; a JSON array is split into arrays. `offset` maps the API's row numbers back to the file.
 */
export function importChunks(file: string, text: string, size = IMPORT_CHUNK_ROWS): ImportChunk[] {
  return /\.json$/i.test(file) || /^\s*\[/.test(text) ? jsonChunks(file, text, size) : csvChunks(file, text, size);
}

/** `POST /v1/campaigns/{id}/leads` → `{rows, imported, rejected, leads:[{row, leadId, grade}], rejectedRows:[{row, reasons, errors, leadId?}]}`. */
function readImportResponse(
  response: unknown,
  offset: number,
): { accepted: number; rejected: RejectedRow[]; leads: Json[] } {
  const record = asRecord(response);
  const leads = listFrom(record.leads).map((lead) => ({ ...lead, row: (num(lead.row) ?? 0) + offset }));
  const rejected = listFrom(record.rejectedRows).map((entry): RejectedRow => {
    const leadId = str(entry.leadId);
    return {
      row: (num(entry.row) ?? 0) + offset,
      reasons: asArray(entry.reasons).map(String),
      ...(leadId && { leadId }),
    };
  });
  return { accepted: num(record.imported) ?? leads.length, rejected, leads };
}

/** Sends the chunks one after the other (each with its own idempotency key) and adds up the answers. */
export async function importLeads(
  client: ApiClient,
  campaignId: string,
  chunks: ImportChunk[],
  progress: boolean,
): Promise<ImportSummary> {
  const bar = progressBar('importing leads [{bar}] {value}/{total} rows', progress);
  const total = chunks.reduce((sum, chunk) => sum + chunk.rows, 0);
  bar?.start(total, 0);
  const summary: ImportSummary = { campaignId, accepted: 0, rejected: [], leads: [] };
  try {
    for (const chunk of chunks) {
      const response = await client.request('POST', `/campaigns/${segment(campaignId)}/leads`, {
        body: chunk.body,
        contentType: chunk.contentType,
        idempotencyKey: newIdempotencyKey(),
      });
      const result = readImportResponse(response, chunk.offset);
      summary.accepted += result.accepted;
      summary.rejected.push(...result.rejected);
      summary.leads.push(...result.leads);
      bar?.increment(chunk.rows);
    }
  } finally {
    bar?.stop();
  }
  summary.rejected.sort((a, b) => a.row - b.row);
  return summary;
}
