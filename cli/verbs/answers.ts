/**
 * Reading the operator API's answers loosely: a verb prints what it finds and a dash for what is missing,
 * so an older or newer API (a field renamed, a list wrapped in `{items}`) still prints.
 */

export type Json = Record<string, unknown>;

export function asRecord(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The first array found under one of `keys` (or the value itself when it is an array). */
export function listFrom(value: unknown, ...keys: string[]): Json[] {
  if (Array.isArray(value)) return value.map(asRecord);
  const record = asRecord(value);
  for (const key of keys) if (Array.isArray(record[key])) return (record[key] as unknown[]).map(asRecord);
  return [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
