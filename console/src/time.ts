// How the console shows time (pure, tested): instants with their offset in a chosen zone; calendar
// dates exactly as written (a date is not an instant and has no zone).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** "GMT+08:00" → "+08:00"; "GMT" (UTC) → "+00:00". */
function offsetOf(name: string): string {
  const m = /^GMT([+-]\d{2}:\d{2})?$/.exec(name);
  return m ? (m[1] ?? '+00:00') : name;
}

/** `2026-11-20T02:00:03Z` in Asia/Shanghai → `2026-11-20 10:00:03 +08:00`; null/invalid → "—". */
export function formatInstant(iso: string | null | undefined, zone: string): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const parts: Record<string, string> = {};
  for (const p of formatterFor(zone).formatToParts(ms)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offsetOf(parts.timeZoneName ?? '')}`;
}

/** Calendar dates are shown as the partner or the register wrote them. */
export function formatDate(date: string | null | undefined): string {
  return date ? date : '—';
}

/** Whole days from `now` until `iso` (negative once past). */
export function daysUntil(iso: string, now: number): number {
  return Math.floor((Date.parse(iso) - now) / 86_400_000);
}

/** A `datetime-local` input value (zone-less wall time in `zone`) → RFC 3339 instant with offset. */
export function wallTimeToInstant(local: string, zone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  // The zone's offset at that moment, found by formatting the guess back (two passes cover DST edges).
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const shown = formatInstant(new Date(guess).toISOString(), zone);
    const sm = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(shown);
    if (!sm) return null;
    const shownUtc = Date.UTC(Number(sm[1]), Number(sm[2]) - 1, Number(sm[3]), Number(sm[4]), Number(sm[5]), Number(sm[6]));
    guess += asUtc - shownUtc;
  }
  return new Date(guess).toISOString().replace('.000Z', 'Z');
}

/** An instant → the `datetime-local` input value of its wall time in `zone` (to the second). */
export function instantToWall(iso: string, zone: string): string {
  const shown = formatInstant(iso, zone); // "YYYY-MM-DD HH:MM:SS +hh:mm"
  return /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/.test(shown) ? `${shown.slice(0, 10)}T${shown.slice(11, 19)}` : '';
}
