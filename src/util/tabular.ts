// Rows of named cells as a table for people (numbers right-aligned), CSV for spreadsheets, or JSON for scripts.
export type Cell = string | number | null | undefined;
export type Row = Record<string, Cell>;
export type Format = 'table' | 'csv' | 'json';

const text = (v: Cell) => (v === undefined || v === null ? '' : String(v));

export function table(cols: string[], rows: Row[]): string {
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const numeric = cols.map((c) => rows.length > 0 && rows.every((r) => typeof r[c] === 'number' || r[c] === undefined || r[c] === null));
  const line = (vals: string[]) => vals.map((v, i) => (numeric[i] ? v.padStart(width[i]) : v.padEnd(width[i]))).join('  ').trimEnd();
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => text(r[c]))))].join('\n') + '\n';
}

/** RFC 4180: a cell with a comma, quote or line break is quoted, its quotes doubled. */
export function csv(cols: string[], rows: Row[]): string {
  const cell = (v: Cell) => {
    const t = text(v);
    return /[",\r\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  return [cols.map(cell).join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

export function formatRows(cols: string[], rows: Row[], format: Format): string {
  if (format === 'json') return JSON.stringify(rows, null, 2) + '\n';
  return format === 'csv' ? csv(cols, rows) : table(cols, rows);
}
