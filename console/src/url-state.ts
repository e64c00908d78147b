// Filters live in the URL (bookmarkable, kept on refresh): pure conversions, tested.

export type Filters = Record<string, string>;

/** The named filters present in a query string; unknown and empty parameters are dropped. */
export function readFilters(search: string, keys: readonly string[]): Filters {
  const params = new URLSearchParams(search);
  const out: Filters = {};
  for (const key of keys) {
    const value = params.get(key);
    if (value !== null && value.trim() !== '') out[key] = value.trim();
  }
  return out;
}

/** The query string for filters, in the order of `keys` (stable URLs), empty values left out. */
export function writeFilters(filters: Filters, keys: readonly string[]): string {
  const params = new URLSearchParams();
  for (const key of keys) {
    const value = filters[key];
    if (value !== undefined && value !== '') params.set(key, value);
  }
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

/** The API query for a screen's filters plus paging (cursor) and a limit. */
export function apiQuery(filters: Filters, keys: readonly string[], extra: Filters = {}): string {
  return writeFilters({ ...filters, ...extra }, [...keys, ...Object.keys(extra)]);
}
