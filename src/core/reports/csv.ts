/**
 * CSV as RFC 4180 writes it: a header row, CRLF line ends, and a field
 * quoted (its quotes doubled) only when it holds a comma, a quote or a line
 * break. An absent value is an empty field.
 */
export function csvOf<Column extends string>(columns: readonly Column[], rows: readonly Partial<Record<Column, unknown>>[]): string {
  const lines = [columns.map(csvField), ...rows.map((row) => columns.map((column) => csvField(row[column])))];
  return lines.map((fields) => `${fields.join(",")}\r\n`).join("");
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
