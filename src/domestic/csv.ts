// A small RFC 4180 CSV reader for register imports: header row of field names, quoted fields with
// "" escapes and line breaks inside, CRLF or LF. Rows become objects; empty cells are absent.
export class CsvError extends Error {}

export function parseCsv(text: string): Record<string, string>[] {
  const rows = splitRows(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  const header = rows.shift();
  if (!header || header.every((h) => h === '')) throw new CsvError('The CSV has no header row.');
  const names = header.map((h) => h.trim());
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new CsvError(`The CSV header names "${dup}" twice.`);
  return rows
    .filter((cells) => !(cells.length === 1 && cells[0] === ''))
    .map((cells, i) => {
      if (cells.length !== names.length) throw new CsvError(`CSV data row ${i} has ${cells.length} cells; the header has ${names.length}.`);
      const row: Record<string, string> = {};
      names.forEach((n, j) => {
        if (cells[j] !== '') row[n] = cells[j]!;
      });
      return row;
    });
}

function splitRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') cell += c;
      else if (text[i + 1] === '"') {
        cell += '"';
        i++;
      } else quoted = false;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (quoted) throw new CsvError('The CSV ends inside a quoted field.');
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
