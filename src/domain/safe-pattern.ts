// Declared-code patterns come from admins and run on every lookup. A pattern that backtracks
// catastrophically (`(\d+)+`, `(A|AB)*`) would freeze the event loop on one crafted code, so the
// registry refuses them. The rule is simple and conservative (docs/registry.md):
// - a group that repeats (`*`, `+`, `{n,m}` with m > 1) may not hold a quantifier or an alternation;
// - no backreferences (`\1`, `\k<name>`) and no lookbehind;
// - at most MAX_REPEATS repeating quantifiers in all.
// Codes are at most 32 characters of A–Z 0–9 / before a pattern sees them, so what is left is
// bounded by a small polynomial.

export const MAX_REPEATS = 4;

interface Group {
  inner: boolean; // holds a quantifier or an alternation
}

/** Why `source` is not safe to run on every lookup, or null when it is. */
export function unsafePatternReason(source: string): string | null {
  const groups: Group[] = [];
  let lastGroup: Group | null = null; // the group that just closed, if the previous token was `)`
  let repeats = 0;
  const markQuantified = (): void => {
    const top = groups.at(-1);
    if (top) top.inner = true;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    const closed = lastGroup;
    lastGroup = null;
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'backreferences are not allowed';
      i++;
    } else if (c === '[') {
      i = endOfClass(source, i);
    } else if (c === '(') {
      if (source.startsWith('(?<=', i) || source.startsWith('(?<!', i)) return 'lookbehind is not allowed';
      groups.push({ inner: false });
    } else if (c === ')') {
      lastGroup = groups.pop() ?? null;
      if (lastGroup?.inner) markQuantified(); // the outer group holds what this one held
    } else if (c === '|') {
      const top = groups.at(-1);
      if (top) top.inner = true;
    } else if (c === '*' || c === '+' || c === '?' || (c === '{' && /^\{\d+(,\d*)?\}/.test(source.slice(i)))) {
      const quantifier = c === '{' ? /^\{\d+(,\d*)?\}/.exec(source.slice(i))![0] : c;
      i += quantifier.length - 1;
      if (source[i + 1] === '?') i++; // lazy: same backtracking
      if (!canRepeat(quantifier)) {
        markQuantified();
        continue;
      }
      if (closed?.inner) return 'a repeated group may not hold another quantifier or an alternation (nested quantifiers)';
      if (++repeats > MAX_REPEATS) return `at most ${MAX_REPEATS} repeating quantifiers`;
      markQuantified();
    }
  }
  return null;
}

function canRepeat(quantifier: string): boolean {
  if (quantifier === '?') return false;
  if (quantifier === '*' || quantifier === '+') return true;
  const [, min, comma, max] = /^\{(\d+)(,)?(\d*)\}$/.exec(quantifier)!;
  if (comma === undefined) return Number(min) > 1;
  return max === '' || Number(max) > 1;
}

/** The index of the `]` closing the class that opens at `start`. */
function endOfClass(source: string, start: number): number {
  let i = start + 1;
  if (source[i] === '^') i++;
  for (; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === ']') return i;
  }
  return source.length;
}
