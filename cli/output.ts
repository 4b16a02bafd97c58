import { SingleBar } from 'cli-progress';

/** Output helpers for the CLI verbs: aligned tables for people, JSON for scripts, progress on stderr. */

export type Cell = string | number | boolean | null | undefined;

// C0 controls (ESC starts terminal escape sequences), DEL and C1 controls (CSI): never written raw.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** A cell as one line of plain text: lead data from an import can hold escapes that would drive the terminal. */
export function cellText(cell: Cell): string {
  if (cell === null || cell === undefined || cell === '') return '-';
  return String(cell).replace(CONTROL_CHARACTERS, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Left-aligned text columns, right-aligned numbers, two spaces apart. */
export function table(header: string[], rows: Cell[][]): string[] {
  const cells = [header, ...rows.map((row) => row.map(cellText))];
  const numeric = header.map(
    (_, column) =>
      rows.some((row) => typeof row[column] === 'number') &&
      rows.every((row) => typeof row[column] === 'number' || row[column] == null),
  );
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  return cells.map((row) =>
    row
      .map((cell, column) => (numeric[column] ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

export function percent(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : '-';
}

export function writeLines(lines: string[]): void {
  for (const line of lines) process.stdout.write(`${line}\n`);
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A progress bar on stderr (stdout stays for the result), or none when the user passed --no-progress. */
export function progressBar(format: string, enabled: boolean): SingleBar | undefined {
  if (!enabled) return undefined;
  return new SingleBar({ format, stream: process.stderr, hideCursor: true, noTTYOutput: true, notTTYSchedule: 1000 });
}
