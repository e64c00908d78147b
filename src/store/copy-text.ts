// PostgreSQL's COPY text format (one row a line, tab-separated, \N for NULL, backslash escapes),
// for moving many rows in and out of the embedded engine at once.

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const NEEDS_ESCAPE = /[\\\t\n\r]/g;

export function toCopyText(rows: readonly (readonly (string | null)[])[]): string {
  const lines: string[] = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    lines[i] = rows[i]!.map((v) => (v === null ? '\\N' : v.replace(NEEDS_ESCAPE, (c) => ESCAPES[c]!))).join('\t');
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

const UNESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

function unescapeField(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))/g, (_m, oct?: string, hex?: string, ch?: string) => {
    if (oct !== undefined) return String.fromCharCode(parseInt(oct, 8));
    if (hex !== undefined) return String.fromCharCode(parseInt(hex, 16));
    return UNESCAPES[ch!] ?? ch!;
  });
}

export function fromCopyText(text: string): (string | null)[][] {
  const rows: (string | null)[][] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    rows.push(text.slice(start, end).split('\t').map(unescapeField));
    start = end + 1;
  }
  return rows;
}

/** A SQL literal for a value COPY cannot take as a parameter. Only numbers and NUL-free text. */
export function sqlLiteral(value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string' && !value.includes('\u0000')) return `'${value.replace(/'/g, "''")}'`;
  throw new Error('sqlLiteral takes finite numbers and text without NUL only');
}

/** Replaces $1, $2, … by literals (highest numbers first, so $1 does not match inside $10). */
export function inlineParams(sql: string, params: readonly unknown[]): string {
  let out = sql;
  for (let i = params.length; i >= 1; i--) out = out.replaceAll(`$${i}`, sqlLiteral(params[i - 1]));
  return out;
}
